"""The real kubectl, through a kubeconfig `awsenv eks kubeconfig` wrote next to an entry it must keep, reaches an
HTTPS API server stand-in that lets in only tokens the STS gate accepts for its cluster."""

from __future__ import annotations

import subprocess

import yaml

from tests.eks.conftest import token_url
from tests.eks.test_kubeconfig import EXISTING
from tests.helpers import need_binary
import pytest

pytestmark = pytest.mark.process


def _kubectl(home, kubeconfig, *args: str, context: str | None = None) -> subprocess.CompletedProcess:
    kubectl = need_binary("kubectl")
    argv = [kubectl, "--kubeconfig", str(kubeconfig), *(["--context", context] if context else []), *args]
    return subprocess.run(argv, env=home.env(), capture_output=True, text=True, timeout=120, start_new_session=True,
                          cwd=str(home.root))


def test_kubectl_gets_the_version_with_a_token_from_awsenv(eks_home, sts, api_server, tmp_path):
    kubeconfig = eks_home.root / ".kube" / "config"
    kubeconfig.parent.mkdir()
    kubeconfig.write_text(EXISTING)
    done = eks_home.run("eks", "kubeconfig", "deploy", "--cluster", "alpha", "--endpoint", api_server.url,
                        "--certificate-authority", str(api_server.ca_file), "--set-current")
    assert done.returncode == 0, done.stderr
    contexts = _kubectl(eks_home, kubeconfig, "config", "get-contexts", "-o", "name")
    assert contexts.stdout.split() == ["deploy@alpha", "kind-dev"]  # the entry that was there is kept

    for _ in range(2):
        version = _kubectl(eks_home, kubeconfig, "get", "--raw", "/version")
        assert version.returncode == 0, version.stderr
        assert yaml.safe_load(version.stdout)["gitVersion"] == "v1.31.0-eks-test"
    assert len(api_server.seen) >= 2 and all(accepted for _, accepted in api_server.seen)
    assert len({token for token, _ in api_server.seen}) == 1  # the second kubectl got the cached token
    issued = sts.calls[0].issued
    assert sts.actions() == ["AssumeRole"] and f"X-Amz-Credential={issued}%2F" in token_url(api_server.seen[0][0])
    assert {(p.cluster, p.caller, p.error) for p in sts.presigned} == {("alpha", issued, None)}


def test_a_token_for_another_cluster_is_refused(eks_home, sts, api_server):
    kubeconfig = eks_home.root / "kubeconfig"
    done = eks_home.run("eks", "kubeconfig", "deploy", "--cluster", "beta", "--kubeconfig", str(kubeconfig),
                        "--endpoint", api_server.url, "--certificate-authority", str(api_server.ca_file))
    assert done.returncode == 0, done.stderr
    version = _kubectl(eks_home, kubeconfig, "get", "--raw", "/version")
    assert version.returncode != 0 and "Unauthorized" in version.stderr
    assert api_server.seen and not any(accepted for _, accepted in api_server.seen)
    assert {(p.cluster, p.error) for p in sts.presigned} == {("alpha", "SignatureDoesNotMatch")}


def test_kubectl_on_a_terminal_lets_awsenv_ask_for_the_mfa_code(home, sts, api_server):
    import pexpect
    import pyotp

    from tests.eks.test_token import _mfa_home
    from tests.helpers import TOTP_SEED

    _mfa_home(home, sts, mfa_process=False)
    kubeconfig = home.root / "kubeconfig"
    done = home.run("eks", "kubeconfig", "admin", "--cluster", "alpha", "--kubeconfig", str(kubeconfig),
                    "--endpoint", api_server.url, "--certificate-authority", str(api_server.ca_file))
    assert done.returncode == 0, done.stderr
    child = pexpect.spawn(need_binary("kubectl"), ["--kubeconfig", str(kubeconfig), "get", "--raw", "/version"],
                          env=home.env(), encoding="utf-8", timeout=60, cwd=str(home.root))
    child.expect("MFA code for ")
    child.sendline(pyotp.TOTP(TOTP_SEED).now())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "v1.31.0-eks-test" in child.before
    assert sts.actions() == ["GetSessionToken", "AssumeRole"] and len(sts.codes_sent()) == 1
    assert api_server.seen and all(accepted for _, accepted in api_server.seen)
