"""One sign-in shared with the Debian AWS CLI v2 (2.9) in both directions, through ~/.aws/sso/cache: the token
(from awsenv's one-click sign-in or the CLI's device sign-in) and the client registration."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import aws_cli_v2, parse_posix_exports

pytestmark = [pytest.mark.process, pytest.mark.in_process]


def _aws(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([aws_cli_v2(), *args], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, start_new_session=True)


def test_awsenv_sign_in_lets_the_aws_cli_export_credentials(sso_home, sso, aws_cli_env):
    aws_cli_v2()
    done = sso_home.run("login", "dev", browser=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert sso.count("Authorize") == 1  # the one-click sign-in
    token = sso_home.token()["accessToken"]
    sso.calls.clear()

    result = _aws(aws_cli_env, "configure", "export-credentials", "--profile", "dev", "--format", "env")
    assert result.returncode == 0, result.stderr
    exported = parse_posix_exports(result.stdout)
    assert exported["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    assert sso.apis() == ["GetRoleCredentials"]  # the CLI used awsenv's token as is: no sign-in of its own
    assert sso_home.token()["accessToken"] == token


def test_aws_sso_login_token_is_used_by_awsenv_without_sign_in(sso_home, sso, aws_cli_env):
    aws_cli_v2()
    sso.pending_polls = 1
    result = _aws(aws_cli_env, "sso", "login", "--profile", "dev", "--no-browser")
    assert result.returncode == 0, result.stdout + result.stderr
    written = sso_home.token()
    assert written["accessToken"] in sso.tokens
    sso.calls.clear()

    done = sso_home.run("sso", "dev", "--shell", "bash")  # no terminal, no browser: a sign-in would fail
    assert done.returncode == 0, done.stderr
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    assert sso.apis() == ["GetRoleCredentials"]
    assert sso_home.token() == written  # read, not rewritten


def test_the_aws_cli_refreshes_a_token_awsenv_wrote(sso_home, sso, aws_cli_env):
    """awsenv's token file carries everything botocore needs to refresh it (registration and refresh token)."""
    aws_cli_v2()
    sso.token_seconds = 600  # inside the 15-minute window: the CLI refreshes before using it
    assert sso_home.run("login", "dev", browser=True).returncode == 0
    assert sso.count("Authorize") == 1
    first = sso_home.token()
    sso.token_seconds = 8 * 3600
    sso.calls.clear()
    result = _aws(aws_cli_env, "configure", "export-credentials", "--profile", "dev", "--format", "env")
    assert result.returncode == 0, result.stderr
    assert [c.params.get("grantType") for c in sso.calls if c.api == "CreateToken"] == ["refresh_token"]
    assert sso_home.token()["accessToken"] != first["accessToken"]


def test_awsenv_reuses_the_client_registration_the_aws_cli_made(sso_home, sso, aws_cli_env):
    aws_cli_v2()
    result = _aws(aws_cli_env, "sso", "login", "--profile", "dev", "--no-browser")
    assert result.returncode == 0, result.stdout + result.stderr
    registration = sso_home.registration()  # the CLI's key is awsenv's key
    sso.revoke(sso_home.token()["accessToken"])
    sso.fail_refresh = True
    sso.calls.clear()

    done = sso_home.run("sso", "dev", "--format", "json", browser=True)
    assert done.returncode == 0, done.stderr
    assert sso.count("RegisterClient") == 0 and sso.count("StartDeviceAuthorization") == 1
    assert sso_home.token()["clientId"] == registration["clientId"]


def test_the_aws_cli_reuses_the_client_registration_awsenv_made(sso_home, sso, aws_cli_env):
    aws_cli_v2()
    assert sso_home.run("login", "dev", "--use-device-code", browser=True).returncode == 0
    registration = sso_home.registration()
    sso.calls.clear()
    result = _aws(aws_cli_env, "sso", "login", "--profile", "dev", "--no-browser")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sso.count("RegisterClient") == 0 and sso.count("StartDeviceAuthorization") == 1
    assert sso_home.token()["clientId"] == registration["clientId"]
