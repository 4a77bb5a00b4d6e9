"""Web identity: AssumeRoleWithWebIdentity with the token file read afresh each call, from the profile's keys or (for
the target only) AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN / AWS_ROLE_SESSION_NAME; also as a chain's root."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.aws_data_path import aws_data_path
from tests.helpers import aws_cli_v2, parse_posix_exports

pytestmark = pytest.mark.in_process

CI_ROLE = "arn:aws:iam::123456789012:role/ci"
DEPLOY = "arn:aws:iam::210987654321:role/deploy"


def _setup(home, sts, token: str = "jwt-one") -> None:
    sts.web_identities[CI_ROLE] = token
    (home.root / "token").write_text(token)
    home.write_config(f"""\
        [profile ci]
        web_identity_token_file = {home.root / 'token'}
        role_arn = {CI_ROLE}
        role_session_name = pipeline-42
        region = eu-west-1
        [profile deploy]
        source_profile = ci
        role_arn = {DEPLOY}
        """)


def _web_calls(sts) -> list:
    return [c for c in sts.calls if c.action == "AssumeRoleWithWebIdentity"]


def test_profile_keys_make_one_unsigned_call_with_the_token_and_session_name(home, sts):
    _setup(home, sts)
    done = home.run("export", "ci", "--shell", "sh")
    assert done.returncode == 0, done.stderr
    [call] = _web_calls(sts)
    assert call.caller is None and call.status == 200
    assert (call.params["RoleArn"], call.params["RoleSessionName"], call.params["WebIdentityToken"]) == \
        (CI_ROLE, "pipeline-42", "jwt-one")
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == call.issued
    assert "jwt-one" not in done.stderr


def test_the_token_file_is_read_again_for_each_new_call(home, sts):
    _setup(home, sts)
    assert home.run("export", "ci", "--shell", "sh").returncode == 0
    sts.web_identities[CI_ROLE] = "jwt-two"  # the token rotated
    (home.root / "token").write_text("jwt-two")
    assert home.run("export", "ci", "--shell", "sh", "--no-cache").returncode == 0
    assert [c.params["WebIdentityToken"] for c in _web_calls(sts)] == ["jwt-one", "jwt-two"]


def test_a_refused_token_is_exit_1_and_a_missing_file_exit_2(home, sts):
    _setup(home, sts)
    sts.web_identities[CI_ROLE] = "another-token"
    done = home.run("export", "ci", "--shell", "sh")
    assert (done.returncode, done.stdout) == (1, "")
    assert "'ci'" in done.stderr and "InvalidIdentityToken" in done.stderr and "jwt-one" not in done.stderr
    (home.root / "token").unlink()
    gone = home.run("export", "ci", "--shell", "sh")
    assert (gone.returncode, gone.stdout) == (2, "") and "token file" in gone.stderr


@pytest.mark.process
def test_as_a_chain_root_the_role_is_assumed_with_the_web_identity_session(home, sts, tmp_path):
    _setup(home, sts)
    done = home.run("export", "deploy", "--shell", "sh")
    assert done.returncode == 0, done.stderr
    [web] = _web_calls(sts)
    assume = [c for c in sts.calls if c.action == "AssumeRole"]
    assert [(c.caller, c.params["RoleArn"]) for c in assume] == [(web.issued, DEPLOY)]
    assert int(assume[0].params["DurationSeconds"]) <= 3600  # a temporary session: role chaining
    # The AWS CLI resolving the same profile makes the same two calls.
    start = len(sts.calls)
    cli = subprocess.run([aws_cli_v2(), "sts", "get-caller-identity", "--profile", "deploy", "--endpoint-url", sts.url],
                         env=home.env(AWS_DATA_PATH=aws_data_path(tmp_path / "d", {"sts": sts.url}),
                                      AWS_DEFAULT_REGION="us-east-1"), capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    theirs = [(c.action, c.params.get("RoleArn"), c.params.get("WebIdentityToken"))
              for c in sts.calls[start:] if c.action != "GetCallerIdentity"]
    assert theirs == [("AssumeRoleWithWebIdentity", CI_ROLE, "jwt-one"), ("AssumeRole", DEPLOY, None)]


def test_the_variables_alone_are_enough_in_a_pod_without_a_config_file(home, sts):
    sts.web_identities[CI_ROLE] = "pod-token"
    (home.root / "pod-token").write_text("pod-token")
    env = home.env(AWS_WEB_IDENTITY_TOKEN_FILE=str(home.root / "pod-token"), AWS_ROLE_ARN=CI_ROLE,
                   AWS_ROLE_SESSION_NAME="pod-7", AWS_PROFILE="default")
    done = home.run("export", "--shell", "sh", env=env)  # PROFILE from $AWS_PROFILE
    assert done.returncode == 0, done.stderr
    assert "AWS_PROFILE" in done.stderr
    [call] = _web_calls(sts)
    assert (call.params["RoleArn"], call.params["RoleSessionName"]) == (CI_ROLE, "pod-7")
    doc = json.loads(home.run("explain", "default", "--json", env=env).stdout)
    assert doc["steps"][0]["from_environment"] == ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                                                   "AWS_ROLE_SESSION_NAME"]


def test_the_variables_never_override_a_profile_or_reach_a_source_profile(home, sts):
    _setup(home, sts)
    sts.web_identities[DEPLOY] = "pod-token"
    (home.root / "pod-token").write_text("pod-token")
    env = home.env(AWS_WEB_IDENTITY_TOKEN_FILE=str(home.root / "pod-token"), AWS_ROLE_ARN=DEPLOY)
    assert home.run("export", "deploy", "--shell", "sh", env=env).returncode == 0
    assert [(c.action, c.params["RoleArn"]) for c in sts.calls] == [("AssumeRoleWithWebIdentity", CI_ROLE),
                                                                   ("AssumeRole", DEPLOY)]
    assert _web_calls(sts)[0].params["WebIdentityToken"] == "jwt-one"
