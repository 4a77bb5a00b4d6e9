"""Renewal in place, in the real shells: credentials awsenv put in an interactive shell are renewed just before a
prompt once AWSENV_RENEW_BEFORE seconds or fewer are left, from the cache or STS with no person; a region set by
hand stays; while they are fresh no prompt starts a process; when a person is needed one line says so and the
prompt comes back at once.

The STS gate issues credentials that last 100 s, and AWSENV_RENEW_BEFORE is 95 s: the first prompts see fresh
credentials, and a prompt 6 s later is in the renewal window."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.fresh.shell_session import INTERACTIVE, NO_CLOCK, start
from tests.helpers import MFA_SERIAL, TOTP_SEED
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.process

PROD = "arn:aws:iam::111111111111:role/prod-admin"
LIFETIME = 100
WINDOW = 95


def _role_home(home, sts, mfa: bool = False) -> None:
    sts.lifetime = LIFETIME
    home.write_base_keys()
    extra = f"mfa_serial = {MFA_SERIAL}\n" if mfa else ""
    if mfa:
        sts.seeds[MFA_SERIAL] = TOTP_SEED
        sts.roles[PROD] = RoleRule(require_mfa=True)
    home.write_config(f"[profile base]\nregion = us-east-1\n[profile prod]\nrole_arn = {PROD}\nsource_profile = base\n"
                      f"region = eu-west-1\n{extra}")


def _wait_for_window(exported_at: float) -> None:
    time.sleep(max(0.0, exported_at + (LIFETIME - WINDOW) + 1.5 - time.time()))


@pytest.mark.parametrize("shell", sorted(INTERACTIVE))
def test_credentials_are_renewed_before_a_prompt_and_a_region_set_by_hand_stays(shell, home, sts, tmp_path):
    _role_home(home, sts)
    session = start(shell, home.env(AWSENV_RENEW_BEFORE=str(WINDOW)), tmp_path)
    try:
        session.run("awsenv role prod")
        exported_at = time.time()
        first = session.value("AWS_ACCESS_KEY_ID")
        assert first.startswith("ASIA"), first
        session.set("AWS_REGION", "us-west-2")
        before = len(session.runs())
        for _ in range(3):
            session.run("")
        assert session.value("AWSENV_PROMPT").startswith("prod")
        started = [run for run in session.runs()[before:] if shell not in NO_CLOCK or not run.startswith("date")]
        assert not started, started  # fresh: no process at any prompt
        _wait_for_window(exported_at)
        session.run("")  # this prompt renews
        assert [run for run in session.runs()[before:] if run.startswith("awsenv")] == ["awsenv renew"]
        renewed = session.value("AWS_ACCESS_KEY_ID")
        assert renewed.startswith("ASIA") and renewed != first
        assert session.value("AWS_REGION") == "us-west-2"
        assert session.value("AWS_DEFAULT_REGION") == "eu-west-1"
        assert int(session.value("AWSENV_EXPIRES_AT")) - time.time() > WINDOW
    finally:
        session.close()


@pytest.mark.parametrize("shell", sorted(INTERACTIVE))
def test_a_person_needed_is_said_once_and_the_prompt_comes_back_at_once(shell, home, sts, tmp_path):
    _role_home(home, sts, mfa=True)
    session = start(shell, home.env(AWSENV_RENEW_BEFORE=str(WINDOW)), tmp_path)
    try:
        session.run(f"awsenv role prod --mfa-code {pyotp.TOTP(TOTP_SEED).now()}")
        exported_at = time.time()
        first = session.value("AWS_ACCESS_KEY_ID")
        assert first.startswith("ASIA"), first
        _wait_for_window(exported_at)
        started = time.time()
        out = session.run("", timeout=15)
        assert time.time() - started < 10
        assert "renewing them needs an MFA code: run `awsenv export prod`" in out, out
        assert session.value("AWS_ACCESS_KEY_ID") == first  # left as they were: nothing was asked
        again = session.run("")
        assert "MFA code" not in again
        assert [run for run in session.runs() if run.startswith("awsenv renew")] == ["awsenv renew"]
    finally:
        session.close()
