"""The saved sign-in over time: refresh near expiry, failed refresh, a token the portal refuses."""

from __future__ import annotations

import pytest

from tests.helpers import parse_posix_exports

pytestmark = pytest.mark.in_process


def _grants(sso) -> list:
    return [c.params.get("grantType") for c in sso.calls if c.api == "CreateToken"]


def test_token_near_expiry_is_refreshed_silently(sso_home, sso):
    old = sso_home.write_token(seconds=600)
    done = sso_home.run("sso", "dev", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert _grants(sso) == ["refresh_token"]
    assert sso.count("StartDeviceAuthorization") == 0
    new = sso_home.token()
    assert new["accessToken"] != old["accessToken"] and new["accessToken"] in sso.tokens
    assert new["refreshToken"] != old["refreshToken"]  # the rotated refresh token is kept
    assert new["clientId"] == old["clientId"] and new["registrationExpiresAt"] == old["registrationExpiresAt"]
    assert done.stderr == ""  # silently


def test_token_far_from_expiry_is_not_refreshed(sso_home, sso):
    sso_home.write_token(seconds=3600)
    assert sso_home.run("sso", "dev", "--format", "json").returncode == 0
    assert _grants(sso) == []


def test_token_that_cannot_be_refreshed_but_still_works_is_used_with_a_warning(sso_home, sso):
    sso.fail_refresh = True
    sso_home.write_token(seconds=600)
    done = sso_home.run("sso", "dev", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "awsenv login dev" in done.stderr
    assert sso.count("StartDeviceAuthorization") == 0


def test_role_credentials_expiry_is_the_portal_s(sso_home, sso):
    sso.role_seconds = 1800
    sso_home.write_token()
    done = sso_home.run("sso", "dev", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    from datetime import datetime, timedelta, timezone

    expiry = datetime.strptime(parse_posix_exports(done.stdout)["AWS_CREDENTIAL_EXPIRATION"],
                               "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs(expiry - datetime.now(timezone.utc) - timedelta(seconds=1800)) < timedelta(seconds=60)


def test_login_with_a_valid_token_makes_no_call_and_prints_nothing_on_stdout(sso_home, sso):
    sso_home.write_token()
    done = sso_home.run("login", "dev")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "valid until" in done.stderr
    assert sso.calls == []


def test_login_force_signs_in_again(sso_home, sso):
    old = sso_home.write_token()
    done = sso_home.run("login", "dev", "--force", browser=True)
    assert done.returncode == 0, done.stderr
    assert sso.count("Authorize") == 1 and sso.count("GetRoleCredentials") == 0
    assert sso_home.token()["accessToken"] != old["accessToken"]


def test_login_refuses_a_profile_that_is_not_sso(sso_home, sso):
    sso_home.home.write_config("[profile keys]\nregion = us-east-1\n")
    sso_home.home.write_credentials("[keys]\naws_access_key_id = AKIAEXAMPLEEXAMPLE1\naws_secret_access_key = s\n")
    done = sso_home.run("login", "keys")
    assert done.returncode == 2 and done.stdout == ""
    assert "'keys'" in done.stderr
    assert sso.calls == []


def test_token_for_another_start_url_is_not_used(sso_home, sso):
    sso_home.write_token(startUrl="https://other.awsapps.com/start")
    done = sso_home.run("sso", "dev")
    assert done.returncode == 1
    assert sso.calls == []


def test_login_through_a_role_profile_signs_in_its_sso_root(sso_home, sso):
    sso_home.write_config(sso_home_config_with_chain())
    done = sso_home.run("login", "deploy", browser=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert sso.count("Authorize") == 1 and sso.count("GetRoleCredentials") == 0
    assert sso_home.token()["accessToken"] in sso.tokens


def test_role_without_an_assignment_is_exit_1_with_a_hint(sso_home, sso):
    sso_home.write_token()
    sso.assignments = {"111111111111": ("dev", ["ReadOnly"])}
    done = sso_home.run("sso", "dev")
    assert done.returncode == 1 and done.stdout == ""
    assert "ForbiddenException" in done.stderr and "sso_role_name" in done.stderr


def sso_home_config_with_chain() -> str:
    from tests.sso_fixtures import SSO_CONFIG

    return SSO_CONFIG + """
    [profile deploy]
    source_profile = dev
    role_arn = arn:aws:iam::123456789012:role/deploy
    """
