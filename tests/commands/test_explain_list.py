"""`awsenv explain` and `awsenv list`: read the config and the cache, never AWS."""

from __future__ import annotations

import json
import sys

import pytest

from tests.helpers import MFA_SERIAL
from tests.profiles import PROD, mfa_role

pytestmark = pytest.mark.in_process

def _profiles(home, sts) -> None:
    mfa_role(home, sts, """\
        [profile reader]
        role_arn = arn:aws:iam::111111111111:role/reader
        source_profile = prod
        [profile broken]
        role_arn = arn:aws:iam::111111111111:role/broken
        source_profile = nowhere
        [profile sso]
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = Admin
        region = us-west-2
        [sso-session corp]
        sso_start_url = https://example.awsapps.com/start
        sso_region = us-east-1
        """)


def test_explain_text_says_what_it_will_ask_and_call(home, sts):
    _profiles(home, sts)
    done = home.run("explain", "reader")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "chain: base -> prod -> reader" in text
    assert "sts:GetSessionToken" in text and f"MFA code for {MFA_SERIAL}" in text
    assert PROD in text and "role chaining" in text
    assert "asks for 1 MFA code" in text and "aws:MultiFactorAuthPresent: true" in text
    assert "why:" in text and "MFA session" in text
    assert "base/secret+key" not in text and "AKIAIOSFODNN7BASEKEY" not in text
    assert home.mfa_runs() == 0 and sts.calls == []


def test_explain_after_a_run_predicts_no_call_then_only_the_missing_hop(home, sts):
    _profiles(home, sts)
    assert home.run("role", "prod").returncode == 0
    done = home.run("explain", "prod")
    assert "no AWS call" in done.stdout and "cached until" in done.stdout
    doc = json.loads(home.run("explain", "reader", "--json").stdout)
    assert doc["calls"] == ["sts:AssumeRole"] and doc["mfa_codes"] == 0
    mark = len(sts.calls)
    assert home.run("role", "reader").returncode == 0
    assert [c.action for c in sts.calls[mark:]] == ["AssumeRole"]
    assert sts.calls[-1].params["RoleArn"] == "arn:aws:iam::111111111111:role/reader"
    assert home.mfa_runs() == 1


def test_explain_sso_and_user_profiles_without_network(home, sts):
    _profiles(home, sts)
    sso = json.loads(home.run("explain", "sso", "--json").stdout)
    assert sso["flow"] == "sso" and sso["calls"] == ["sso:GetRoleCredentials"]
    assert sso["steps"][0]["params"] == {"accountId": "222222222222", "roleName": "Admin"}
    user = json.loads(home.run("explain", "base", "--json").stdout)
    assert user["flow"] == "user" and user["calls"] == ["sts:GetSessionToken"] and user["mfa_present"] is False
    assert sts.calls == []


def test_explain_errors_like_the_flow(home, sts):
    _profiles(home, sts)
    done = home.run("explain", "broken", "--json")
    assert done.returncode == 2 and done.stdout == "" and "broken -> nowhere" in done.stderr
    done = home.run("explain", "prod", "--duration", "13h")
    assert done.returncode == 2 and done.stdout == ""


def test_list_shows_flow_region_source_and_cache(home, sts):
    _profiles(home, sts)
    assert home.run("role", "prod").returncode == 0
    calls = len(sts.calls)
    done = home.run("list", "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["profile"]: row for row in json.loads(done.stdout)}
    assert set(rows) == {"base", "prod", "reader", "broken", "sso"}
    assert (rows["prod"]["flow"], rows["prod"]["region"], rows["prod"]["source"]) == ("role", "eu-central-1",
                                                                                      "keys of base")
    assert rows["prod"]["cache_valid"] is True and rows["prod"]["cached_until"].endswith("Z")
    assert rows["reader"]["cached_until"] is None and rows["reader"]["chain"] == ["base", "prod", "reader"]
    assert rows["base"]["flow"] == "user" and rows["base"]["source"] == "keys"
    assert rows["sso"]["source"] == "sso-session corp"
    assert "nowhere" in rows["broken"]["problem"]
    text = home.run("list").stdout
    assert text.splitlines()[0].split() == ["PROFILE", "FLOW", "REGION", "SOURCE", "CACHED"]
    prod_line = next(line for line in text.splitlines() if line.startswith("prod "))
    assert "valid until" in prod_line
    assert len(sts.calls) == calls


def test_list_marks_entries_that_would_not_be_served(home, sts):
    _profiles(home, sts)
    assert home.run("role", "prod").returncode == 0
    rows = {row["profile"]: row for row in json.loads(
        home.run("list", "--json", env=home.env(AWSENV_MIN_TTL="7200")).stdout)}
    assert rows["prod"]["cached_until"] and rows["prod"]["cache_valid"] is False
    assert rows["prod"]["cache_expired"] is False
    line = next(l for l in home.run("list", env=home.env(AWSENV_MIN_TTL="7200")).stdout.splitlines()
                if l.startswith("prod "))
    assert "renews soon" in line


def test_list_fits_the_terminal_and_shows_time_left(home, sts):
    home.write_config("""\
        [profile vault]
        credential_process = %s -c "import json,datetime;print(json.dumps({'Version':1,'AccessKeyId':'AKIAPROC','SecretAccessKey':'s','Expiration':(datetime.datetime.now(datetime.timezone.utc)+datetime.timedelta(hours=2)).strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ')}))"
        [profile broken-profile-with-a-long-name]
        role_arn = arn:aws:iam::123456789012:role/x
        source_profile = a-source-profile-name-that-is-long-enough-to-wrap-every-row-of-the-table-at-160-columns
        """ % sys.executable)
    assert home.run("export", "vault", "--shell", "sh").returncode == 0
    text = home.run("list", env=home.env(COLUMNS="160")).stdout
    lines = text.splitlines()
    assert len(lines) == 3 and all(len(line) <= 160 for line in lines), text
    broken = next(line for line in lines if line.startswith("broken-profile"))
    assert broken.rstrip().endswith("-") and "… (see awsenv explain broken-profile-with-a-long-name)" in broken
    vault = next(line for line in lines if line.startswith("vault "))
    assert "credential_process" in vault and "valid until" in vault
    assert "1h59m left)" in vault or "2h00m left)" in vault
    # Not on a terminal and no COLUMNS: nothing is cut.
    plain = home.env()
    plain.pop("COLUMNS", None)
    assert "which does not exist" in home.run("list", env=plain).stdout
    rows = {row["profile"]: row for row in json.loads(home.run("list", "--json").stdout)}
    assert 7000 < rows["vault"]["seconds_left"] <= 7200
