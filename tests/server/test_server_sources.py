"""`--server` serves whatever the engine gets for the profile: here IAM Identity Center role credentials (with a
saved sign-in), renewed through the same path as every other awsenv call."""

from __future__ import annotations

import json

from tests.server.children import BOTO3_CALLS, python


def test_sso_profile_credentials_are_served(sso_home, sso, sts, tmp_path):
    sso_home.write_token()
    done = sso_home.run("exec", "--server", "dev", "--", *python(tmp_path, "calls.py", BOTO3_CALLS))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["method"] == "container-role"
    assert report["key"] in sso.issued_keys
    assert sso.apis() == ["GetRoleCredentials"]
    assert "AWS_ACCESS_KEY_ID" not in report["env"]


def test_sso_profile_without_account_and_role_is_refused_before_anything_runs(sso_home, sso, tmp_path):
    sso_home.write_config("[profile pick]\nsso_session = corp\n[sso-session corp]\n"
                          "sso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n")
    marker = tmp_path / "ran"
    done = sso_home.run("exec", "--server", "pick", "--", "touch", str(marker))
    assert (done.returncode, done.stdout) == (2, "")
    assert "sso_account_id" in done.stderr
    assert not marker.exists()
