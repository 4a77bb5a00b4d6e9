"""After `awsenv login`: botocore's own LoginProvider reads the session awsenv saved and refreshes it against the
stand-in (so the AWS CLI v2 and every botocore-based SDK would), and every awsenv command works on the profile:
its own credentials and a role chained from it, through the STS gate."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pexpect

from tests.helpers import AWSENV, parse_posix_exports
from tests.servers.signin_server import CROSS_DEVICE, PRINCIPAL
import pytest

pytestmark = pytest.mark.process

OPS = "arn:aws:iam::123456789012:role/Ops"
CONFIG = f"""\
    [profile me]
    region = eu-west-1

    [profile ops]
    source_profile = me
    role_arn = {OPS}
    region = eu-west-1
    """


WITH_SESSION = CONFIG.replace("region = eu-west-1", f"region = eu-west-1\n    login_session = {PRINCIPAL}", 1)


def _signed_in(login_home) -> dict:
    login_home.home.write_config(CONFIG)
    done = login_home.run("login", "me", "--aws-login")
    assert done.returncode == 0, done.stderr
    return login_home.token(PRINCIPAL)


def test_botocore_login_provider_reads_and_refreshes_the_session_awsenv_saved(login_home, signin, monkeypatch):
    import botocore.session
    from botocore.credentials import LoginProvider

    saved = _signed_in(login_home)
    for name, value in login_home.env(browser=False).items():
        if name.startswith("AWS") or name == "HOME":
            monkeypatch.setenv(name, value)
    session = botocore.session.Session()
    provider = LoginProvider(load_config=lambda: session.full_config, client_creator=session.create_client,
                             profile_name="me")
    loaded = provider.load()
    assert loaded.access_key == saved["accessToken"]["accessKeyId"] == signin.issued[-1]
    assert loaded.secret_key == saved["accessToken"]["secretAccessKey"]

    # Time passes: the credentials are due. botocore refreshes with awsenv's DPoP key and client id.
    path = login_home.cache_path(PRINCIPAL)
    soon = (datetime.now(timezone.utc) + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(dict(saved, accessToken={**saved["accessToken"], "expiresAt": soon})))
    fresh = loaded._refresh_using()
    assert signin.refused == [] and len(signin.issued) == 2
    assert fresh["access_key"] == signin.issued[-1]
    assert json.loads(path.read_text())["refreshToken"] == signin.refresh_token


def test_export_of_the_login_profile_and_of_a_role_chained_from_it(login_home, signin, sts):
    saved = _signed_in(login_home)
    env = login_home.env(browser=False)
    own = login_home.home.run("export", "me", "--shell", "sh", env=env)
    assert own.returncode == 0, own.stderr
    exported = parse_posix_exports(own.stdout)
    assert exported["AWS_ACCESS_KEY_ID"] == saved["accessToken"]["accessKeyId"]
    assert exported["AWS_SESSION_TOKEN"] == saved["accessToken"]["sessionToken"]

    role = login_home.home.run("export", "ops", "--shell", "sh", env=env)
    assert role.returncode == 0, role.stderr
    assume = [c for c in sts.calls if c.action == "AssumeRole"]
    assert [(c.caller, c.params["RoleArn"], c.status) for c in assume] == [(signin.issued[-1], OPS, 200)]
    assert parse_posix_exports(role.stdout)["AWS_ACCESS_KEY_ID"] == assume[0].issued
    assert len(signin.issued) == 1  # no second sign-in, no refresh: the saved session was used as it is


def test_remote_sign_in_reads_the_pasted_code(login_home, signin):
    import urllib.request

    login_home.home.write_config(CONFIG)
    child = pexpect.spawn(AWSENV, ["login", "me", "--aws-login", "--remote"], env=login_home.env(browser=False),
                          encoding="utf-8", timeout=30, dimensions=(50, 400))
    child.expect(r"(http://127\.0\.0\.1:\d+/v1/authorize\?\S+)")
    url = child.match.group(1)
    child.expect("Paste the code")
    page = urllib.request.urlopen(url, timeout=10).read().decode()  # the browser on another device
    code = re.search(r'<code id="code">([^<]+)</code>', page).group(1)
    child.sendline("not-a-code")
    child.expect("That is not the code")
    child.sendline(code)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    authorize = signin.authorizations[0]
    assert authorize["client_id"] == CROSS_DEVICE
    assert authorize["redirect_uri"] == signin.url + "/v1/sessions/confirmation"
    assert signin.exchanges == 1 and signin.refused == []
    assert login_home.token(PRINCIPAL)["clientId"] == CROSS_DEVICE
    assert login_home.browser_opens() == []
    assert f"login_session = {PRINCIPAL}" in login_home.home.config.read_text()


def test_remote_code_of_another_sign_in_is_refused(login_home, signin):
    import base64

    login_home.home.write_config(CONFIG)
    child = pexpect.spawn(AWSENV, ["login", "me", "--aws-login", "--remote"], env=login_home.env(browser=False),
                          encoding="utf-8", timeout=30, dimensions=(50, 400))
    child.expect("Paste the code")
    child.sendline(base64.b64encode(b"state=someone-else&code=code-x").decode())
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "state differs" in child.before and signin.exchanges == 0 and not login_home.cache_dir().exists()


def test_login_of_a_role_signs_in_the_profile_its_chain_starts_from(login_home, signin, sts):
    login_home.home.write_config(WITH_SESSION)
    done = login_home.run("login", "ops")
    assert done.returncode == 0, done.stderr
    assert "profile 'me' is signed in" in done.stderr and signin.exchanges == 1
    assert [c for c in sts.calls if c.action == "AssumeRole"] == []  # a sign-in, no role credentials
    again = login_home.home.run("export", "ops", "--shell", "sh", env=login_home.env(browser=False))
    assert again.returncode == 0, again.stderr
    assert [c.caller for c in sts.calls if c.action == "AssumeRole"] == [signin.issued[-1]]


def test_exec_server_serves_the_login_profile_and_a_role_chained_from_it(login_home, signin, sts, tmp_path):
    from tests.server.children import BOTO3_CALLS, python

    _signed_in(login_home)
    env = login_home.env(browser=False)
    for profile in ("ops", "me"):
        done = login_home.home.run("exec", "--server", profile, "--", *python(tmp_path, "calls.py", BOTO3_CALLS),
                                   env=env)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["method"] == "container-role"
        if profile == "ops":
            assume = [c for c in sts.calls if c.action == "AssumeRole" and c.status == 200]
            assert [c.caller for c in assume] == [signin.issued[0]] and report["key"] == assume[0].issued
        else:
            assert report["key"] in signin.issued
    assert signin.refused == []


def test_export_signs_in_when_the_session_is_missing_and_parallel_callers_share_one_sign_in(login_home, signin,
                                                                                            sts):
    from tests.helpers import run_parallel

    login_home.home.write_config(WITH_SESSION)
    results = run_parallel(login_home.env(), 6, "export", "ops", "--shell", "sh", cwd=str(login_home.root))
    for result in results:
        assert result.returncode == 0, result.stderr
    assert len(signin.authorizations) == 1 and signin.exchanges == 1 and signin.refused == []
    assert len({parse_posix_exports(r.stdout)["AWS_ACCESS_KEY_ID"] for r in results}) == 1
    assert [c.caller for c in sts.calls if c.action == "AssumeRole"] == [signin.issued[0]]


def test_an_ended_session_is_signed_in_again_by_export_when_a_browser_can_open(login_home, signin):
    saved = _signed_in(login_home)
    path = login_home.cache_path(PRINCIPAL)
    signin.refresh_token = "rotated-elsewhere"
    path.write_text(json.dumps(dict(saved, accessToken={**saved["accessToken"], "expiresAt": "2020-01-01T00:00:00Z"})))
    without = login_home.home.run("export", "me", "--shell", "sh", env=login_home.env(browser=False))
    assert without.returncode == 1 and "awsenv login me" in without.stderr and len(signin.authorizations) == 1
    done = login_home.home.run("export", "me", "--shell", "sh", env=login_home.env())
    assert done.returncode == 0, done.stderr
    assert len(signin.authorizations) == 2 and signin.refused == ["old refresh token"] * 2
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == signin.issued[-1]


def test_on_a_terminal_without_a_browser_export_asks_for_the_pasted_code(login_home, signin):
    import urllib.request

    login_home.home.write_config(WITH_SESSION)
    out = login_home.root / "out.sh"
    child = pexpect.spawn("/bin/sh", ["-c", f'exec "{AWSENV}" export me --shell sh > "{out}"'],
                          env=login_home.env(browser=False), encoding="utf-8", timeout=30, dimensions=(50, 400))
    child.expect(r"(http://127\.0\.0\.1:\d+/v1/authorize\?\S+)")
    page = urllib.request.urlopen(child.match.group(1), timeout=10).read().decode()
    child.expect("Paste the code")
    child.sendline(re.search(r'<code id="code">([^<]+)</code>', page).group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert signin.authorizations[0]["client_id"] == CROSS_DEVICE and signin.exchanges == 1
    assert parse_posix_exports(out.read_text())["AWS_ACCESS_KEY_ID"] == signin.issued[-1]
