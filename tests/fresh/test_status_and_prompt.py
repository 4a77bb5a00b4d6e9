"""`awsenv status` (exit codes and JSON, no AWS call), the times every export carries for prompts and the shell
hook, and `awsenv prompt`."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pyotp
import pytest

from tests.helpers import MFA_SERIAL, TOTP_SEED, parse_posix_exports
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.in_process

PROD = "arn:aws:iam::111111111111:role/prod-admin"


def _config(home, sts) -> None:
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[PROD] = RoleRule()
    home.write_base_keys()
    home.write_config(f"[profile base]\nregion = us-east-1\n"
                      f"[profile prod]\nrole_arn = {PROD}\nsource_profile = base\nregion = eu-west-1\n"
                      f"[profile secure]\nrole_arn = {PROD}\nsource_profile = base\nmfa_serial = {MFA_SERIAL}\n")


def _status(home, *args, **env):
    done = home.run("status", *args, "--json", env=home.env(**env))
    return done.returncode, (json.loads(done.stdout) if done.stdout else None), done.stderr


def _when(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def test_a_cached_role_needs_nobody_and_status_calls_no_aws(home, sts):
    _config(home, sts)
    assert home.run("role", "prod").returncode == 0
    calls = len(sts.calls)
    code, doc, _ = _status(home, "prod")
    assert code == 0 and doc["profile"] == "prod" and doc["needs"] is None
    assert _when(doc["credentials_until"]) > time.time() + 600
    assert doc["person_needed_at"] is None  # long-lived keys renew it for ever
    text = home.run("status", "prod")
    assert text.returncode == 0 and "nothing foreseen needs a person" in text.stdout
    assert len(sts.calls) == calls


def test_a_role_that_needs_a_code_is_exit_1_then_0_with_the_mfa_sessions_end(home, sts):
    _config(home, sts)
    code, doc, _ = _status(home, "secure")
    assert code == 1 and doc["needs"] == "mfa" and doc["credentials_until"] is None
    text = home.run("status", "secure")
    assert text.returncode == 1 and "an MFA code is needed" in text.stdout and "awsenv export secure" in text.stdout
    assert home.run("role", "secure", "--mfa-code", pyotp.TOTP(TOTP_SEED).now()).returncode == 0
    code, doc, _ = _status(home, "secure")
    assert code == 0 and doc["needs"] is None
    # the role's credentials last 1 h; renewing them needs nobody until the 12 h MFA session ends
    assert _when(doc["person_needed_at"]) - time.time() > 11 * 3600
    assert _when(doc["credentials_until"]) - time.time() < 3700


def test_an_sso_profile_never_signed_in_needs_a_sign_in(sso_home):
    done = sso_home.run("status", "dev", "--json")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["needs"] == "sign-in"
    text = sso_home.run("status", "dev")
    assert "awsenv login dev" in text.stdout


def test_an_sso_profile_with_a_refreshable_sign_in_needs_nobody(sso_home):
    sso_home.write_token(seconds=30)  # the access token is about to end, but a refresh token is saved
    done = sso_home.run("status", "dev", "--json")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["needs"] is None


def test_unknown_profile_and_no_profile_are_usage_errors(home, sts):
    _config(home, sts)
    done = home.run("status", "nope")
    assert done.returncode == 2 and done.stdout == "" and "nope" in done.stderr
    done = home.run("status")
    assert done.returncode == 2 and "awsenv status PROFILE" in done.stderr


def test_status_without_a_profile_reads_the_one_this_shell_holds(home, sts):
    _config(home, sts)
    code, doc, _ = _status(home, AWSENV_PROFILE="secure")
    assert code == 1 and doc["profile"] == "secure"


def test_exports_carry_the_times_and_a_cache_hit_prints_the_same(home, sts):
    _config(home, sts)
    first = home.run("role", "secure", "--shell", "bash", "--mfa-code", pyotp.TOTP(TOTP_SEED).now())
    assert first.returncode == 0, first.stderr
    values = parse_posix_exports(first.stdout)
    expires = int(values["AWSENV_EXPIRES_AT"])
    assert abs(expires - _when(values["AWS_CREDENTIAL_EXPIRATION"])) < 1
    assert int(values["AWSENV_PERSON_NEEDED_AT"]) - time.time() > 11 * 3600
    again = home.run("role", "secure", "--shell", "bash")  # served from the cache-hit index
    assert again.returncode == 0 and again.stdout == first.stdout


@pytest.mark.parametrize("ahead, shown", [(2520, "prod 42m"), (200, "prod 4m!"), (-5, "prod expired"),
                                          (3 * 3600 + 300, "prod 3h05m"), (None, "prod")])
def test_prompt_shows_the_profile_and_the_time_until_a_person_is_needed(home, ahead, shown):
    env = home.env(AWSENV_PROFILE="prod")
    if ahead is not None:
        env["AWSENV_PERSON_NEEDED_AT"] = str(int(time.time()) + ahead)
    done = home.run("prompt", env=env)
    assert done.returncode == 0 and done.stdout == shown + "\n"


def test_prompt_is_empty_when_awsenv_set_nothing(home):
    done = home.run("prompt")
    assert done.returncode == 0 and done.stdout == ""


def test_login_if_needed_keeps_a_valid_sign_in_and_refreshes_an_ended_one(sso_home, sso):
    sso_home.write_token(seconds=3600)
    done = sso_home.run("login", "dev", "--if-needed")
    assert done.returncode == 0 and "still valid" in done.stderr, done.stderr
    assert sso.oidc_calls() == []  # nothing asked of IAM Identity Center
    sso_home.write_token(seconds=-60)  # the access token ended; its refresh token is saved
    done = sso_home.run("login", "dev", "--if-needed")
    assert done.returncode == 0, done.stderr
    assert sso.oidc_calls() == ["CreateToken"]  # refreshed, no new sign-in
    assert json.loads(sso_home.token_path().read_text())["accessToken"] != ""
    assert sso_home.run("status", "dev").returncode == 0
