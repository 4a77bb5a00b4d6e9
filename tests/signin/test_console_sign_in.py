"""`awsenv login PROFILE` with console credentials, as a subprocess against the sign-in stand-in: the browser
sign-in (PKCE SHA-256, loopback redirect, state), the token cache written where the AWS CLI keeps it, the
profile's login_session written in place; Deny, a foreign state, a timeout and Ctrl-C save nothing."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import time
import urllib.parse

import pytest

from tests.helpers import AWSENV
from tests.servers.signin_server import CLIENT_ID, PRINCIPAL

pytestmark = pytest.mark.process

CONFIG = """\
    # my profiles
    [default]
    region = us-east-1

    [profile me]   ; console sign-in
    region = eu-west-1
    output = json

    [profile other]
    aws_access_key_id = AKIAOTHER
    """
FIELDS = {"accessToken", "tokenType", "clientId", "refreshToken", "idToken", "dpopKey", "signInRegion"}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_aws_login_signs_in_saves_the_token_and_writes_login_session_in_place(login_home, signin):
    login_home.home.write_config(CONFIG)
    before = login_home.home.config.read_text()
    done = login_home.run("login", "me", "--aws-login")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert f"signed in as {PRINCIPAL}" in done.stderr

    opened = login_home.browser_opens()
    assert len(opened) == 1 and opened[0].startswith(signin.url + "/v1/authorize?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(opened[0]).query))
    assert query["client_id"] == CLIENT_ID and query["scope"] == "openid" and query["response_type"] == "code"
    assert query["code_challenge_method"] == "SHA-256" and len(query["code_challenge"]) == 43
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/oauth/callback", query["redirect_uri"])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", query["state"])
    assert signin.exchanges == 1 and signin.refused == []

    token = login_home.token(PRINCIPAL)
    assert set(token) == FIELDS
    assert token["accessToken"]["accessKeyId"] == signin.issued[-1]
    assert token["accessToken"]["accountId"] == "123456789012"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", token["accessToken"]["expiresAt"])
    assert token["clientId"] == CLIENT_ID and token["refreshToken"] == signin.refresh_token
    assert token["tokenType"] == "aws_sigv4" and token["signInRegion"] == "eu-west-1"
    assert token["dpopKey"].startswith("-----BEGIN EC PRIVATE KEY-----\n")
    assert mode(login_home.cache_path(PRINCIPAL)) == 0o600 and mode(login_home.cache_dir()) == 0o700
    assert [p.name for p in login_home.cache_dir().iterdir()] == [login_home.cache_path(PRINCIPAL).name]

    after = login_home.home.config.read_text()
    assert after == before.replace("output = json\n", f"output = json\nlogin_session = {PRINCIPAL}\n")
    for secret in (token["refreshToken"], token["accessToken"]["secretAccessKey"], token["dpopKey"].split("\n")[1]):
        assert secret not in done.stderr


def test_a_new_profile_is_created_with_the_region_given(login_home, signin):
    login_home.home.write_config("[profile other]\nregion = us-west-2\n")
    done = login_home.run("login", "fresh", "--aws-login", "--region", "ap-southeast-2")
    assert done.returncode == 0, done.stderr
    assert login_home.home.config.read_text() == (
        "[profile other]\nregion = us-west-2\n\n"
        f"[profile fresh]\nlogin_session = {PRINCIPAL}\nregion = ap-southeast-2\n")
    assert login_home.token(PRINCIPAL)["signInRegion"] == "ap-southeast-2"


def test_without_a_region_or_a_terminal_it_is_a_usage_error(login_home, signin):
    login_home.home.write_config("[profile me]\noutput = json\n")
    done = login_home.run("login", "me", "--aws-login")
    assert done.returncode == 2 and done.stdout == ""
    assert "--region" in done.stderr and signin.authorizations == []


@pytest.mark.parametrize("body, what", [
    ("aws_access_key_id = AKIAX\naws_secret_access_key = s\n", "keys"),
    ("sso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n", "sso_session"),
    ("role_arn = arn:aws:iam::123456789012:role/R\nsource_profile = other\n", "role_arn"),
    ("credential_process = /bin/true\n", "credential_process"),
    ("web_identity_token_file = /tmp/token\nrole_arn = arn:aws:iam::123456789012:role/W\n", "web identity"),
])
def test_aws_login_refuses_a_profile_that_has_another_source(login_home, signin, body, what):
    text = f"[profile me]\nregion = eu-west-1\n{body}"
    login_home.home.write_config(text)
    done = login_home.run("login", "me", "--aws-login")
    assert done.returncode == 2 and done.stdout == ""
    assert "'me'" in done.stderr and what in done.stderr
    assert signin.authorizations == [] and login_home.browser_opens() == []
    assert login_home.home.config.read_text() == text


def test_a_profile_with_neither_sso_nor_login_session_is_told_about_aws_login(login_home, signin):
    login_home.home.write_config("[profile me]\nregion = eu-west-1\n")
    done = login_home.run("login", "me")
    assert done.returncode == 2 and "--aws-login" in done.stderr and signin.authorizations == []


def _login_profile(login_home) -> None:
    login_home.home.write_config(f"[profile me]\nregion = eu-west-1\nlogin_session = {PRINCIPAL}\n")


def test_deny_in_the_browser_saves_nothing(login_home, signin):
    login_home.home.write_config(CONFIG)
    before = login_home.home.config.read_bytes()
    signin.deny = True
    done = login_home.run("login", "me", "--aws-login")
    assert done.returncode == 1 and done.stdout == ""
    assert "access was denied in the browser" in done.stderr and "nothing was saved" in done.stderr
    assert signin.exchanges == 0 and not login_home.cache_dir().exists()
    assert login_home.home.config.read_bytes() == before


def test_an_answer_with_another_state_is_refused_before_any_token_call(login_home, signin):
    _login_profile(login_home)
    signin.tamper_state = True
    done = login_home.run("login", "me")
    assert done.returncode == 1 and "state differs" in done.stderr
    assert signin.exchanges == 0 and signin.refused == [] and not login_home.cache_dir().exists()


def test_the_wait_for_the_browser_ends_and_saves_nothing(login_home, signin):
    _login_profile(login_home)
    signin.hold = True
    done = login_home.run("login", "me", AWSENV_SSO_SIGN_IN_TIMEOUT="2")
    assert done.returncode == 1 and "within 2 s" in done.stderr and "--remote" in done.stderr
    assert len(signin.authorizations) == 1 and signin.exchanges == 0
    assert not login_home.cache_dir().exists()


def test_ctrl_c_while_waiting_saves_nothing_and_exits_130(login_home, signin):
    login_home.home.write_config(CONFIG)
    before = login_home.home.config.read_bytes()
    signin.hold = True
    proc = subprocess.Popen([AWSENV, "login", "me", "--aws-login"], env=login_home.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    for _ in range(300):  # until the browser has been to the authorize page
        if signin.authorizations or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert signin.authorizations, proc.communicate(timeout=10)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and out == ""
    assert "interrupted" in err and "nothing was saved" in err
    assert signin.exchanges == 0 and not login_home.cache_dir().exists()
    assert login_home.home.config.read_bytes() == before


@pytest.mark.parametrize("profile", ["me", "brand-new"])
def test_eight_parallel_callers_sign_in_once(login_home, signin, profile):
    from tests.helpers import run_parallel

    login_home.home.write_config(CONFIG)
    results = run_parallel(login_home.env(), 8, "login", profile, "--aws-login", "--region", "eu-west-1",
                           cwd=str(login_home.root))
    for result in results:
        assert result.returncode == 0, result.stderr
    assert len(signin.authorizations) == 1 and signin.exchanges == 1 and signin.refused == []
    assert len(login_home.browser_opens()) == 1
    assert login_home.home.config.read_text().count("login_session") == 1


def test_a_valid_sign_in_is_kept_a_due_one_refreshed_and_an_ended_one_signed_in_again(login_home, signin):
    import json

    _login_profile(login_home)
    assert login_home.run("login", "me").returncode == 0
    first = login_home.token(PRINCIPAL)

    kept = login_home.run("login", "me", browser=False)  # no browser: a sign-in would not happen
    assert kept.returncode == 0 and "(the saved sign-in)" in kept.stderr
    assert len(signin.issued) == 1

    path = login_home.cache_path(PRINCIPAL)
    due = dict(first, accessToken={**first["accessToken"], "expiresAt": "2020-01-01T00:00:00Z"})
    path.write_text(json.dumps(due))
    refreshed = login_home.run("login", "me", browser=False)
    assert refreshed.returncode == 0, refreshed.stderr
    assert "(refreshed)" in refreshed.stderr and signin.refused == [] and len(signin.authorizations) == 1
    saved = login_home.token(PRINCIPAL)
    assert saved["accessToken"]["accessKeyId"] == signin.issued[-1] and saved["refreshToken"] == signin.refresh_token
    assert saved["dpopKey"] == first["dpopKey"] and saved["idToken"] == first["idToken"]
    assert mode(path) == 0o600

    signin.refresh_token = "rotated-elsewhere"
    path.write_text(json.dumps(dict(saved, accessToken={**saved["accessToken"], "expiresAt": "2020-01-01T00:00:00Z"})))
    again = login_home.run("login", "me")
    assert again.returncode == 0, again.stderr
    assert "(a new sign-in)" in again.stderr and len(signin.authorizations) == 2
    assert login_home.token(PRINCIPAL)["dpopKey"] != first["dpopKey"]  # a new key for every sign-in


def test_force_signs_in_again_with_a_new_key(login_home, signin):
    _login_profile(login_home)
    assert login_home.run("login", "me").returncode == 0
    first = login_home.token(PRINCIPAL)
    done = login_home.run("login", "me", "--force")
    assert done.returncode == 0, done.stderr
    assert len(signin.authorizations) == 2 and signin.exchanges == 2
    assert login_home.token(PRINCIPAL)["dpopKey"] != first["dpopKey"]


def test_aws_login_cache_directory_is_honoured(login_home, signin, tmp_path):
    _login_profile(login_home)
    elsewhere = tmp_path / "login-cache"
    done = login_home.run("login", "me", AWS_LOGIN_CACHE_DIRECTORY=str(elsewhere))
    assert done.returncode == 0, done.stderr
    assert not login_home.cache_dir().exists()
    assert mode(elsewhere) == 0o700 and len(list(elsewhere.iterdir())) == 1


def test_the_debug_trace_shows_no_code_proof_or_token(login_home, signin):
    login_home.home.write_config(CONFIG)
    done = login_home.run("--debug", "login", "me", "--aws-login")
    assert done.returncode == 0, done.stderr
    assert "awsenv[debug]" in done.stderr
    token = login_home.token(PRINCIPAL)
    secrets = [*signin.codes, token["refreshToken"], token["accessToken"]["secretAccessKey"],
               token["accessToken"]["sessionToken"], token["idToken"], *signin.jtis]
    for secret in secrets:
        assert secret not in done.stderr


def test_signing_in_as_another_principal_never_switches_the_profile_unasked(login_home, signin):
    _login_profile(login_home)
    before = login_home.home.config.read_bytes()
    signin.principal = "arn:aws:iam::123456789012:user/bob"
    done = login_home.run("login", "me")  # no terminal to ask on
    assert done.returncode == 1 and done.stdout == ""
    assert "user/bob" in done.stderr and "nothing was saved" in done.stderr
    assert login_home.home.config.read_bytes() == before and not login_home.cache_dir().exists()


def test_on_a_terminal_a_missing_region_is_asked_for_and_written(login_home, signin):
    import pexpect

    login_home.home.write_config("[profile me]\noutput = json\n")
    child = pexpect.spawn(AWSENV, ["login", "me", "--aws-login"], env=login_home.env(), encoding="utf-8",
                          timeout=30, dimensions=(50, 300))
    child.expect(r"AWS region to sign in to \[us-east-1\]: ")
    child.sendline("eu-central-1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert login_home.home.config.read_text() == (
        f"[profile me]\noutput = json\nlogin_session = {PRINCIPAL}\nregion = eu-central-1\n")
    assert login_home.token(PRINCIPAL)["signInRegion"] == "eu-central-1"
