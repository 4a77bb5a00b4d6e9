"""Renewal with credentials that live seconds (the gate's test-only `lifetime`, and AWSENV_SERVER_MIN_TTL scaled
down to match): a command that keeps calling never uses an expired key, the renewals come once per expiry and not
once per request, two runs on one profile share each renewal through the cache, and a renewal that needs an MFA
code gets it on the terminal, or a 503 that says so when there is none."""

from __future__ import annotations

import json
import subprocess
import time

import pexpect
import pyotp

import pytest

from tests.helpers import AWSENV, MFA_SERIAL, TOTP_SEED
from tests.server.children import CALL_ACROSS_RENEWALS, python, role_profile

pytestmark = pytest.mark.process

LIFETIME = 8  # seconds the gate's credentials live
SHORT = {"AWSENV_SERVER_MIN_TTL": "4"}  # renew with 4 s left


def _renewals(sts) -> list:
    return [c for c in sts.calls if c.action in ("AssumeRole", "GetSessionToken") and c.status == 200]


def _identity_calls(sts) -> list:
    return [c for c in sts.calls if c.action == "GetCallerIdentity"]


def test_a_long_command_never_uses_an_expired_key_and_renewals_come_once_per_expiry(home, sts, tmp_path):
    role_profile(home)
    sts.lifetime = LIFETIME
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "calls.py", CALL_ACROSS_RENEWALS), "4",
                    env=home.env(**SHORT), timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    assert len(report["keys"]) == 4  # three renewals used
    renewals = _renewals(sts)
    issued = [c.issued for c in renewals]
    assert sorted(report["keys"], key=issued.index) == report["keys"]  # in the order STS issued them
    identity = _identity_calls(sts)
    assert all(c.status == 200 for c in identity), [c.error for c in identity if c.status != 200]
    assert len(identity) == report["calls"] >= 3 * len(renewals)  # many requests per renewal, not one each


def test_two_runs_on_one_profile_share_each_renewal(home, sts, tmp_path):
    role_profile(home)
    sts.lifetime = LIFETIME
    argv = [AWSENV, "exec", "--server", "dev", "--", *python(tmp_path, "calls.py", CALL_ACROSS_RENEWALS), "4"]
    runs = [subprocess.Popen(argv, env=home.env(**SHORT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             stdin=subprocess.DEVNULL, start_new_session=True, cwd=str(home.root))
            for _ in range(2)]
    reports = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        reports.append(json.loads(out))
    first, second = (set(r["keys"]) for r in reports)
    assert reports[0]["errors"] == reports[1]["errors"] == []
    # The same renewed keys reached both commands (without sharing, each run's keys would be its own), and no
    # renewal was made twice.
    assert len(first & second) >= 2
    assert len(_renewals(sts)) <= len(first | second) + 1
    assert all(c.status == 200 for c in _identity_calls(sts))


def _mfa_user(home) -> None:
    home.write_config("[profile dev]\nregion = eu-west-1\n"
                      f"mfa_serial = {MFA_SERIAL}\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n")


def test_a_renewal_that_needs_an_mfa_code_without_a_terminal_answers_503_with_the_reason(home, sts, tmp_path):
    _mfa_user(home)
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.lifetime = LIFETIME
    done = home.run("exec", "--server", "dev", "--mfa-code", pyotp.TOTP(TOTP_SEED).now(), "--",
                    *python(tmp_path, "calls.py", CALL_ACROSS_RENEWALS), "2", env=home.env(**SHORT), timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["keys"]) <= 1  # never renewed (none at all when the command started after they ran out)
    assert report["errors"], report
    assert "503" in report["errors"][-1] and "profile 'dev'" in report["errors"][-1]
    assert "MFA code" in report["errors"][-1]
    assert "could not renew the credentials of profile 'dev'" in done.stderr
    assert len(_renewals(sts)) == 1
    assert all(c.status == 200 for c in _identity_calls(sts))  # an expired key was never handed out


def test_a_renewal_that_needs_an_mfa_code_asks_on_the_commands_terminal(home, sts, tmp_path):
    _mfa_user(home)
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.lifetime = 20
    totp = pyotp.TOTP(TOTP_SEED)
    out = tmp_path / "report.json"
    command = " ".join([AWSENV, "exec", "--server", "dev", "--", *python(tmp_path, "calls.py", CALL_ACROSS_RENEWALS),
                        "2", ">", str(out)])
    child = pexpect.spawn("bash", ["-c", command], env=home.env(AWSENV_SERVER_MIN_TTL="10"), cwd=str(home.root),
                          encoding="utf-8", timeout=60)
    used: set[str] = set()
    try:
        # A code for each session: one not used yet among those STS accepts now (its 30 s step and one either side).
        while child.expect([f"MFA code for {MFA_SERIAL} \\(dev\\): ", pexpect.EOF]) == 0:
            code = next(c for c in (totp.at(time.time() + d) for d in (0, 30, -30)) if c not in used)
            used.add(code)
            child.sendline(code)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    report = json.loads(out.read_text())
    assert report["errors"] == [] and len(report["keys"]) == 2
    assert len(_renewals(sts)) == len(used) >= 2  # the first code, then one at each renewal
    assert all(c.status == 200 for c in _identity_calls(sts))


def test_role_renewals_reuse_the_mfa_session_one_code_in_all(home, sts, tmp_path):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.lifetime, sts.session_lifetime = LIFETIME, 43200  # the role's credentials live seconds, the session 12 h
    home.write_base_keys()
    home.write_config("[profile dev]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
                      f"source_profile = base\nmfa_serial = {MFA_SERIAL}\n")
    # No terminal and no mfa_process: a renewal that wanted a second code would end in 503s.
    done = home.run("exec", "--server", "dev", "--mfa-code", pyotp.TOTP(TOTP_SEED).now(), "--",
                    *python(tmp_path, "calls.py", CALL_ACROSS_RENEWALS), "3", env=home.env(**SHORT), timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [] and len(report["keys"]) == 3
    assert [c.action for c in _renewals(sts)][:4] == ["GetSessionToken", "AssumeRole", "AssumeRole", "AssumeRole"]
    assert len(sts.codes_sent()) == 1
