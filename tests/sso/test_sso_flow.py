"""`awsenv sso` as a subprocess against the SSO/OIDC stand-in, with no terminal."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import parse_posix_exports
from tests.sso_fixtures import START_URL, mode

pytestmark = pytest.mark.in_process


def test_first_device_sign_in_writes_the_aws_cli_token_file(sso_home, sso):
    sso.pending_polls = 2
    done = sso_home.run("sso", "dev", "--shell", "bash", "--use-device-code", browser=True)
    assert done.returncode == 0, done.stderr
    assert "Opening in existing browser session" not in done.stdout  # the browser's chatter stays off stdout
    env = parse_posix_exports(done.stdout)
    assert env["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    assert env["AWS_REGION"] == "eu-west-1" and env["AWSENV_PROFILE"] == "dev"
    assert sso.oidc_calls() == ["RegisterClient", "StartDeviceAuthorization", "CreateToken", "CreateToken",
                                "CreateToken"]
    assert sso.calls[0].params["scopes"] == ["sso:account:access"]
    assert sso.calls[1].params["startUrl"] == START_URL
    opened = sso_home.browser_opens()
    assert len(opened) == 1 and "user_code=" in opened[0]
    user_code = opened[0].split("user_code=")[1]
    assert user_code in done.stderr  # the code is shown so the user can compare it with the browser's

    token = sso_home.token()
    assert set(token) == {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
                          "registrationExpiresAt", "refreshToken"}
    assert token["startUrl"] == START_URL and token["region"] == "us-east-1"
    assert token["accessToken"] in sso.tokens
    expires = datetime.strptime(token["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs((expires - datetime.now(timezone.utc)) - timedelta(seconds=sso.token_seconds)) < timedelta(minutes=1)
    assert mode(sso_home.token_path()) == 0o600
    assert mode(sso_home.token_path().parent) == 0o700
    assert token["accessToken"] not in done.stderr and token["refreshToken"] not in done.stderr


def test_second_run_uses_the_saved_sign_in_without_any_oidc_call(sso_home, sso):
    assert sso_home.run("sso", "dev", browser=True).returncode == 0
    sso.calls.clear()
    done = sso_home.run("sso", "dev", "--no-cache", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert sso.apis() == ["GetRoleCredentials"]
    assert len(sso_home.browser_opens()) == 1


def test_sign_in_without_the_credentials_cache_still_keeps_awsenv_files_private(sso_home, sso):
    done = sso_home.run("login", "dev", browser=True)
    assert done.returncode == 0, done.stderr
    assert mode(sso_home.home.cache) == 0o700 and mode(sso_home.home.cache / "sso") == 0o700
    assert mode(sso_home.registration_path()) == 0o600  # the client registration is the AWS CLI's file


def test_legacy_profile_keys_the_token_by_start_url(sso_home, sso):
    done = sso_home.run("sso", "legacy", "--format", "json", browser=True)
    assert done.returncode == 0, done.stderr
    assert sso_home.token(START_URL)["startUrl"] == START_URL
    assert not sso_home.token_path("corp").exists()
    assert [c.params["role_name"] for c in sso.calls if c.api == "GetRoleCredentials"] == ["ReadOnly"]


def test_no_terminal_and_no_browser_fails_at_once_naming_awsenv_login(sso_home, sso):
    done = sso_home.run("sso", "dev")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "awsenv login dev" in done.stderr and "'dev'" in done.stderr
    assert sso.calls == []


def test_no_browser_option_without_a_terminal_does_not_start_a_device_flow(sso_home, sso):
    done = sso_home.run("sso", "dev", "--no-browser", browser=True)
    assert done.returncode == 1 and done.stdout == ""
    assert "awsenv login dev" in done.stderr
    assert sso.calls == [] and sso_home.browser_opens() == []


def test_expired_device_code_is_reported_with_exit_1(sso_home, sso):
    sso.expire_devices = True
    done = sso_home.run("sso", "dev", "--use-device-code", browser=True)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "expired before it was approved" in done.stderr and "'dev'" in done.stderr
    assert not sso_home.token_path().exists()


def test_valid_token_from_the_aws_cli_is_used_without_sign_in(sso_home, sso):
    written = sso_home.write_token()
    done = sso_home.run("sso", "dev", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert sso.apis() == ["GetRoleCredentials"]
    assert sso_home.token()["accessToken"] == written["accessToken"]


def test_debug_trace_never_shows_a_token_or_secret(sso_home, sso):
    sso.token_seconds = 600  # so that the run also refreshes
    assert sso_home.run("login", "dev", browser=True).returncode == 0
    sso.token_seconds = 8 * 3600
    done = sso_home.run("--debug", "sso", "dev", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "awsenv[debug]" in done.stderr
    import json

    token = sso_home.token()
    exported = json.loads(done.stdout)
    secrets = [token["accessToken"], token["refreshToken"], token["clientSecret"],
               exported["AWS_SECRET_ACCESS_KEY"], exported["AWS_SESSION_TOKEN"]]
    for secret in secrets:
        assert secret not in done.stderr
    assert [c.params.get("grantType") for c in sso.calls if c.api == "CreateToken"][-1] == "refresh_token"


def test_unreachable_identity_center_is_exit_1_naming_the_profile(sso_home, sso):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    done = sso_home.run("sso", "dev", browser=True, AWS_ENDPOINT_URL_SSO_OIDC=closed)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "'dev'" in done.stderr and "could not reach IAM Identity Center" in done.stderr
