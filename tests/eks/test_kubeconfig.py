"""`awsenv eks kubeconfig`: one cluster, user and context added or updated, everything else in the file kept."""

from __future__ import annotations

import base64
import stat
import urllib.request

import boto3
import pytest
import yaml

from awsenv.eks.kubeconfig import ClusterEntry, merged
from tests.cache_entries import ROLE
from tests.helpers import AWSENV

pytestmark = pytest.mark.in_process

EXISTING = """\
apiVersion: v1
kind: Config
clusters:
- name: kind-dev
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
contexts:
- name: kind-dev
  context:
    cluster: kind-dev
    user: kind-dev
    namespace: web
current-context: kind-dev
users:
- name: kind-dev
  user:
    token: dev-token
preferences: {}
"""
PEM = b"-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n"


def _entry(name: str, server: str = "https://a.example") -> ClusterEntry:
    return ClusterEntry(name, server, "Q0E=", "awsenv", ["eks", "token", "p", "--cluster", "c"])


def test_merging_adds_then_replaces_in_place_and_keeps_the_rest():
    before = yaml.safe_load(EXISTING)
    once, current = merged(before, _entry("p@c"), set_current=False)
    assert not current and once["current-context"] == "kind-dev"
    assert [c["name"] for c in once["clusters"]] == ["kind-dev", "p@c"]
    assert once["contexts"][0] == before["contexts"][0] and once["users"][0] == before["users"][0]
    assert once["preferences"] == {}
    twice, current = merged(once, _entry("p@c", "https://b.example"), set_current=True)
    assert current and twice["current-context"] == "p@c"
    assert [c["name"] for c in twice["clusters"]] == ["kind-dev", "p@c"]
    assert twice["clusters"][1]["cluster"]["server"] == "https://b.example"
    user = twice["users"][1]["user"]["exec"]
    assert user["apiVersion"] == "client.authentication.k8s.io/v1beta1" and user["interactiveMode"] == "IfAvailable"
    assert user["args"] == ["eks", "token", "p", "--cluster", "c"] and "env" not in user  # no AWS_PROFILE
    assert merged({}, _entry("x"), set_current=False)[0]["current-context"] == "x"  # a new file gets one


def _ca(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_bytes(PEM)
    return str(path)


def test_an_existing_kubeconfig_keeps_its_entries_current_context_and_mode(eks_home, sts, tmp_path):
    kubeconfig = eks_home.root / ".kube" / "config"
    kubeconfig.parent.mkdir()
    kubeconfig.write_text(EXISTING)
    kubeconfig.chmod(0o640)
    args = ("eks", "kubeconfig", "deploy", "--cluster", "alpha", "--endpoint", "https://127.0.0.1:1",
            "--certificate-authority", _ca(tmp_path))
    done = eks_home.run(*args)
    assert done.returncode == 0, done.stderr
    assert sts.calls == []  # endpoint and CA given: nothing asked of AWS
    after = yaml.safe_load(kubeconfig.read_text())
    before = yaml.safe_load(EXISTING)
    assert stat.S_IMODE(kubeconfig.stat().st_mode) == 0o640
    assert after["current-context"] == "kind-dev"
    for section in ("clusters", "contexts", "users"):
        assert after[section][0] == before[section][0] and [e["name"] for e in after[section]][1:] == ["deploy@alpha"]
    cluster = after["clusters"][1]["cluster"]
    assert cluster == {"server": "https://127.0.0.1:1", "certificate-authority-data": base64.b64encode(PEM).decode()}
    user = after["users"][1]["user"]["exec"]
    assert user["args"] == ["eks", "token", "deploy", "--cluster", "alpha", "--region", "eu-west-1"]
    assert user["command"] == AWSENV  # not the `awsenv` on this PATH: the one that wrote the entry
    # Again with --set-current and an alias: the same three entries would be replaced, a new name added.
    again = eks_home.run(*args, "--alias", "prod", "--set-current")
    assert again.returncode == 0, again.stderr
    final = yaml.safe_load(kubeconfig.read_text())
    assert final["current-context"] == "prod"
    assert [c["name"] for c in final["contexts"]] == ["kind-dev", "deploy@alpha", "prod"]
    assert eks_home.run(*args).returncode == 0
    assert [c["name"] for c in yaml.safe_load(kubeconfig.read_text())["contexts"]] == ["kind-dev", "deploy@alpha",
                                                                                       "prod"]


def test_kubeconfig_variable_and_option_choose_the_file(eks_home, sts, tmp_path):
    first, second, chosen = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    env = eks_home.env(KUBECONFIG=f"{first}:{second}")
    args = ("eks", "kubeconfig", "base", "--cluster", "alpha", "--endpoint", "https://127.0.0.1:1",
            "--certificate-authority", _ca(tmp_path))
    assert eks_home.run(*args, env=env).returncode == 0
    assert first.exists() and not second.exists()
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert eks_home.run(*args, "--kubeconfig", str(chosen), env=env).returncode == 0
    assert yaml.safe_load(chosen.read_text())["current-context"] == "base@alpha"


@pytest.mark.parametrize("extra", [("--endpoint", "https://127.0.0.1:1"), ("--endpoint", "http://x", "--ca-x"),
                                   ("--endpoint", "http://127.0.0.1:1", "--certificate-authority", "CA")])
def test_bad_options_are_usage_errors_and_leave_the_file_alone(eks_home, sts, tmp_path, extra):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(EXISTING)
    extra = tuple(_ca(tmp_path) if word == "CA" else word for word in extra)
    done = eks_home.run("eks", "kubeconfig", "base", "--cluster", "alpha", "--kubeconfig", str(kubeconfig), *extra)
    assert done.returncode == 2 and done.stdout == ""
    assert kubeconfig.read_text() == EXISTING and sts.calls == []


def test_the_endpoint_and_ca_come_from_eks_describe_cluster(eks_home, sts, moto_url, tmp_path):
    # The cluster lives in the role's account (moto keeps one set of clusters per account).
    keys = boto3.client("sts", region_name="eu-west-1", endpoint_url=moto_url, aws_access_key_id="x",
                        aws_secret_access_key="x").assume_role(RoleArn=ROLE, RoleSessionName="test")["Credentials"]
    eks = boto3.client("eks", region_name="eu-west-1", endpoint_url=moto_url, aws_access_key_id=keys["AccessKeyId"],
                       aws_secret_access_key=keys["SecretAccessKey"], aws_session_token=keys["SessionToken"])
    eks.create_cluster(name="alpha", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={})
    described = eks.describe_cluster(name="alpha")["cluster"]
    kubeconfig = tmp_path / "config"
    env = eks_home.env(AWS_ENDPOINT_URL_EKS=moto_url)
    done = eks_home.run("eks", "kubeconfig", "deploy", "--cluster", "alpha", "--kubeconfig", str(kubeconfig), env=env)
    assert done.returncode == 0, done.stderr
    cluster = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]
    assert cluster["server"] == described["endpoint"]
    assert cluster["certificate-authority-data"] == described["certificateAuthority"]["data"]
    assert sts.actions() == ["AssumeRole"]  # DescribeCluster was signed with the role's credentials
    missing = eks_home.run("eks", "kubeconfig", "deploy", "--cluster", "nope", "--kubeconfig", str(kubeconfig),
                           env=env)
    assert missing.returncode == 1 and "ResourceNotFoundException" in missing.stderr and "deploy" in missing.stderr
    urllib.request.urlopen(urllib.request.Request(moto_url + "/moto-api/reset", method="POST")).read()


def test_a_symlinked_kubeconfig_stays_a_link_and_keeps_its_comments(eks_home, sts, tmp_path):
    target = tmp_path / "dotfiles" / "kubeconfig"
    target.parent.mkdir()
    commented = EXISTING.replace("    namespace: web\n", "    namespace: web  # the team's namespace\n")
    target.write_text("# my clusters\n" + commented)
    link = tmp_path / "config"
    link.symlink_to(target)
    done = eks_home.run("eks", "kubeconfig", "base", "--cluster", "alpha", "--kubeconfig", str(link),
                        "--endpoint", "https://127.0.0.1:1", "--certificate-authority", _ca(tmp_path))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and [c["name"] for c in yaml.safe_load(target.read_text())["contexts"]] == [
        "kind-dev", "base@alpha"]
    text = target.read_text()
    assert text.startswith("# my clusters\n") and "namespace: web  # the team's namespace\n" in text
