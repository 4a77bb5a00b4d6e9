"""`--server` serves whatever the engine gets for the profile: here IAM Identity Center role credentials (with a
saved sign-in), renewed through the same path as every other awsenv call."""

from __future__ import annotations

import json

import pytest

from tests.helpers import parse_posix_exports
from tests.server.children import BOTO3_CALLS, python, stop_service
from tests.server.test_service import TOKEN, URI, _ask

pytestmark = pytest.mark.process


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


def _assumed_keys(sts) -> list[str]:
    return [c.issued for c in sts.calls if c.action == "AssumeRole" and c.status == 200]


def test_a_role_on_a_credential_process_is_served(home, sts, tmp_path):
    from tests.resolve.test_credential_process_source import process_script, runs

    home.write_config(f"""\
        [profile vault]
        credential_process = {process_script(home, "vault")}
        [profile ops]
        source_profile = vault
        role_arn = arn:aws:iam::123456789012:role/Ops
        region = eu-west-1
        """)
    done = home.run("exec", "--server", "ops", "--", *python(tmp_path, "calls.py", BOTO3_CALLS))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["method"] == "container-role"
    assert report["key"] in _assumed_keys(sts) and "AWS_ACCESS_KEY_ID" not in report["env"]
    assert [c.caller for c in sts.calls if c.action == "AssumeRole"] == ["ASIAPROCESSKEY123456"]
    assert len(runs(home, "vault")) == 1


def test_a_role_on_keys_from_the_keyring_is_served(home, sts, tmp_path):
    from tests.keys.conftest import keyfile_env

    home.write_config("[profile base]\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
                      "source_profile = base\nregion = eu-west-1\n")
    env = keyfile_env(home)
    stored = home.run("keys", "add", "base", "--stdin", "--no-verify", env=env,
                      input=json.dumps({"AccessKeyId": "AKIAIOSFODNN7STORED9", "SecretAccessKey": "stored/secret"}))
    assert stored.returncode == 0, stored.stderr
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "calls.py", BOTO3_CALLS), env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["method"] == "container-role" and report["key"] in _assumed_keys(sts)
    assert [c.caller for c in sts.calls if c.action == "AssumeRole"] == ["AKIAIOSFODNN7STORED9"]


def test_sso_server_has_the_service_serve_a_signed_in_sso_profile(sso_home, sso, sts, tmp_path):
    """`awsenv sso --server`: the per-user service, started on demand, answers the container-credentials request
    with the role credentials Identity Center gave for the saved sign-in; no keys reach the shell."""
    sso_home.write_token()
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = sso_home.env(XDG_RUNTIME_DIR=str(runtime))
    done = sso_home.home.run("sso", "--server", "dev", "--shell", "bash", env=env)
    try:
        assert done.returncode == 0, done.stderr
        exports = parse_posix_exports(done.stdout)
        assert exports[URI].endswith("/profile/dev") and "AWS_ACCESS_KEY_ID" not in exports
        status, body = _ask(exports[URI], exports[TOKEN])
        assert status == 200 and body["AccessKeyId"] in sso.issued_keys
        assert _ask(exports[URI], exports[TOKEN])[1]["AccessKeyId"] == body["AccessKeyId"]  # served, not asked again
        assert sso.apis() == ["GetRoleCredentials"]
        assert _ask(exports[URI], "not-the-token")[0] == 401
    finally:
        stop_service(runtime)
