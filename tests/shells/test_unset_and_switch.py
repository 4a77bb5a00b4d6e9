"""`awsenv unset` in every real shell, and switching profiles in a shell that already holds awsenv credentials."""

from __future__ import annotations

import os
import subprocess

import pytest

from awsenv.env import SET_BY_AWSENV, STALE
from tests.helpers import AWSENV, need_binary, parse_posix_exports
from tests.shells.harness import SHELLS, run_rendered

pytestmark = pytest.mark.in_process

HELD = {name: f"old-{name.lower()}" for name in SET_BY_AWSENV + STALE}


@pytest.mark.process
@pytest.mark.parametrize("shell_name", sorted(SHELLS))
def test_unset_clears_everything_awsenv_sets(shell_name, tmp_path):
    shell = SHELLS[shell_name]
    fmt = ["--format", "json"] if shell.dialect == "nu" else ["--shell", shell.dialect]
    done = subprocess.run([AWSENV, "unset", *fmt], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    env = run_rendered(shell, done.stdout, tmp_path, environ=dict(HELD, AWSENV_T_KEEP="kept"))
    assert [name for name in HELD if name in env] == []
    assert env["AWSENV_T_KEEP"] == b"kept"


def _two_profiles(home):
    home.write_config("[profile dev]\nregion = eu-west-1\n[profile ops]\nregion = us-east-2\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n"
                           "[ops]\naws_access_key_id = AKIAIOSFODNN7OPSKEY1\naws_secret_access_key = ops/secret\n")


def test_switching_replaces_the_credentials_and_says_which_profile(home, sts):
    _two_profiles(home)
    first = home.run("user", "dev", "--shell", "bash")
    assert first.returncode == 0, first.stderr
    held = parse_posix_exports(first.stdout)
    env = home.env(**{k: v for k, v in held.items() if k.startswith(("AWS_", "AWSENV_"))})
    second = home.run("user", "ops", "--shell", "bash", env=env)
    assert second.returncode == 0, second.stderr
    assert "replacing the credentials of profile 'dev' with 'ops'" in second.stderr
    now = parse_posix_exports(second.stdout)
    assert now["AWSENV_PROFILE"] == "ops" and now["AWS_REGION"] == "us-east-2"
    assert now["AWS_ACCESS_KEY_ID"] == sts.calls[1].issued != held["AWS_ACCESS_KEY_ID"]


@pytest.mark.process
def test_switching_through_the_bash_integration(home, sts, tmp_path):
    bash = need_binary("bash")
    _two_profiles(home)
    script = ('eval "$(awsenv init bash)"\n'
              "awsenv user dev\n"
              'echo "first=$AWSENV_PROFILE key=$AWS_ACCESS_KEY_ID"\n'
              "awsenv user ops\n"
              'echo "second=$AWSENV_PROFILE key=$AWS_ACCESS_KEY_ID region=$AWS_REGION"\n')
    env = home.env(PATH=os.path.dirname(AWSENV) + os.pathsep + os.environ["PATH"])
    done = subprocess.run([bash, "--norc", "--noprofile", "-e", "-u", "-c", script], capture_output=True, text=True,
                          env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert f"first=dev key={sts.calls[0].issued}" in done.stdout
    assert f"second=ops key={sts.calls[1].issued} region=us-east-2" in done.stdout
    assert "replacing the credentials of profile 'dev' with 'ops'" in done.stderr


@pytest.mark.process
@pytest.mark.parametrize("in_session", [True, False])
def test_unset_removes_the_credential_server_of_an_awsenv_session_only(in_session, tmp_path):
    """Under `shell --server` the shell holds the server's URL and token: `awsenv unset` there removes them too.
    Outside an awsenv session the same variables are the container's own (ECS, EKS) and stay."""
    bash = SHELLS["bash"]
    server = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:4321/",
              "AWS_CONTAINER_AUTHORIZATION_TOKEN": "served-token"}
    held = dict(server, AWSENV_PROFILE="prod", AWS_REGION="eu-west-1") if in_session else dict(server)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS", "AWSENV"))}
    done = subprocess.run([AWSENV, "unset", "--shell", "bash"], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=dict(environ, **held))
    assert done.returncode == 0, done.stderr
    env = run_rendered(bash, done.stdout, tmp_path, environ=dict(held, AWSENV_T_KEEP="kept"))
    left = {name for name in server if name in env}
    assert left == (set() if in_session else set(server))
    assert "AWSENV_PROFILE" not in env and "AWS_REGION" not in env and env["AWSENV_T_KEEP"] == b"kept"
