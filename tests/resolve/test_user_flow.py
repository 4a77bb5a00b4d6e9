"""`awsenv user` against the strict STS stand-in, with no terminal."""

from __future__ import annotations

import subprocess
import time

import pyotp

import pytest

from tests.helpers import MFA_SERIAL, TOTP_SEED, aws_cli_v2, parse_posix_exports

pytestmark = pytest.mark.in_process


def _user_profile(home, extra: str = "") -> None:
    home.write_config(f"""\
        [profile dev]
        region = eu-west-1
        {extra}
        """)
    home.write_credentials("""\
        [dev]
        aws_access_key_id = AKIAIOSFODNN7DEVKEY1
        aws_secret_access_key = dev/secret+key
        """)


def test_user_without_mfa_exports_session_credentials(home, sts):
    _user_profile(home)
    done = home.run("user", "dev", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    env = parse_posix_exports(done.stdout)
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert env["AWS_ACCESS_KEY_ID"] == sts.calls[0].issued
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWSENV_PROFILE"] == "dev"
    assert env["AWS_CREDENTIAL_EXPIRATION"].endswith("Z")
    assert sts.actions() == ["GetSessionToken"]
    assert sts.calls[0].caller == "AKIAIOSFODNN7DEVKEY1"
    assert "TokenCode" not in sts.calls[0].params


def test_user_with_mfa_process_sends_that_code(home, sts):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    _user_profile(home, f"mfa_serial = {MFA_SERIAL}\nmfa_process = {home.mfa_process()}")
    done = home.run("user", "dev", "--shell", "sh")
    assert done.returncode == 0, done.stderr
    assert sts.actions() == ["GetSessionToken"]
    assert sts.calls[0].params["SerialNumber"] == MFA_SERIAL
    assert pyotp.TOTP(TOTP_SEED).verify(sts.calls[0].params["TokenCode"], valid_window=1)
    assert home.mfa_runs() == 1


def test_mfa_code_option_reaches_sts_verbatim(home, sts):
    _user_profile(home, f"mfa_serial = {MFA_SERIAL}")
    code = pyotp.TOTP(TOTP_SEED).now()
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    done = home.run("user", "dev", "--mfa-code", code, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert sts.codes_sent() == [code]


def test_mfa_without_terminal_fails_fast_with_empty_stdout(home, sts):
    _user_profile(home, f"mfa_serial = {MFA_SERIAL}")
    started = time.monotonic()
    done = home.run("user", "dev")
    assert time.monotonic() - started < 10
    assert done.returncode == 1
    assert done.stdout == ""
    assert "--mfa-code" in done.stderr and "'dev'" in done.stderr
    assert sts.calls == []


def test_wrong_code_is_refused_by_sts_and_reported(home, sts):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    _user_profile(home, f"mfa_serial = {MFA_SERIAL}")
    current = pyotp.TOTP(TOTP_SEED)
    wrong = next(c for c in ("000000", "111111", "222222") if not current.verify(c, valid_window=1))
    done = home.run("user", "dev", "--mfa-code", wrong)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "AccessDenied" in done.stderr and "'dev'" in done.stderr and "next code" in done.stderr


@pytest.mark.process
def test_exported_credentials_work_with_the_aws_cli(home, sts, moto_url):
    aws = aws_cli_v2()
    _user_profile(home)
    done = home.run("user", "dev", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in home.env().items() if not k.startswith("AWS_ENDPOINT")}
    env.update(parse_posix_exports(done.stdout))
    result = subprocess.run([aws, "sts", "get-caller-identity", "--endpoint-url", sts.url, "--output", "json"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert '"Account"' in result.stdout
    assert sts.calls[-1].action == "GetCallerIdentity"
    assert sts.calls[-1].caller == env["AWS_ACCESS_KEY_ID"]
