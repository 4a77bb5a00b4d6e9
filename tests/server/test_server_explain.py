"""`awsenv explain` says when `--server` renewals will need a new MFA code: at the end of the cached MFA session."""

from __future__ import annotations

import json

import pyotp

import pytest

from tests.helpers import MFA_SERIAL, TOTP_SEED

pytestmark = pytest.mark.in_process

PROD = "arn:aws:iam::111111111111:role/prod"


def test_explain_names_the_end_of_the_mfa_session_as_the_next_code(home, sts):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    home.write_base_keys()
    home.write_config(f"[profile prod]\nrole_arn = {PROD}\nsource_profile = base\nmfa_serial = {MFA_SERIAL}\n"
                      f"[profile auto]\nrole_arn = {PROD}\nsource_profile = base\nmfa_serial = {MFA_SERIAL}\n"
                      "mfa_process = /bin/true\n"
                      "[profile plain]\nrole_arn = arn:aws:iam::111111111111:role/plain\nsource_profile = base\n")
    before = json.loads(home.run("explain", "prod", "--json").stdout)["server_renewal"]
    assert "12h after its code" in before and MFA_SERIAL in before and "503" in before
    done = home.run("role", "prod", "--mfa-code", pyotp.TOTP(TOTP_SEED).now(), "--format", "json")
    assert done.returncode == 0, done.stderr
    session = next(c for c in sts.calls if c.action == "GetSessionToken")
    expiry = json.loads(home.run("explain", "prod", "--json").stdout)["steps"][1]["cached_until"]
    assert expiry
    text = home.run("explain", "prod").stdout
    assert f"with --server: renewals reuse the MFA session of step 2, which ends at {expiry}" in text
    assert session.issued  # the session explain points at is the one STS issued
    assert "mfa_process gives it" in home.run("explain", "auto").stdout
    assert "with --server: renewals need no MFA code" in home.run("explain", "plain").stdout
