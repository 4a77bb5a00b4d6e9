"""The one-click sign-in (authorization code with PKCE) as a subprocess against the SSO stand-in.

The BROWSER script GETs the authorize URL and follows the stand-in's redirect to awsenv's listener on 127.0.0.1,
as a browser with a live IAM Identity Center session does.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pexpect

import pytest

from tests.helpers import AWSENV, parse_posix_exports
from tests.sso_fixtures import START_URL, mode

pytestmark = pytest.mark.in_process

AUTH_CODE_GRANTS = ["authorization_code", "refresh_token"]


def _grants(sso) -> list:
    return [c.params.get("grantType") for c in sso.calls if c.api == "CreateToken"]


def test_first_sign_in_is_one_click_and_lands_in_the_aws_cli_cache(sso_home, sso):
    done = sso_home.run("sso", "dev", "--shell", "bash", browser=True)
    assert done.returncode == 0, done.stderr
    assert "Opening in existing browser session" not in done.stdout
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    assert sso.apis() == ["RegisterClient", "Authorize", "CreateToken", "GetRoleCredentials"]

    register = sso.calls[0].params
    assert register["grantTypes"] == AUTH_CODE_GRANTS
    assert register["redirectUris"] == ["http://127.0.0.1/oauth/callback"]
    assert register["issuerUrl"] == START_URL and register["scopes"] == ["sso:account:access"]

    opened = sso_home.browser_opens()
    assert len(opened) == 1 and opened[0].startswith(sso.url + "/authorize?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(opened[0]).query))
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["scopes"] == "sso:account:access"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/oauth/callback", query["redirect_uri"])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", query["state"])
    exchange = sso.calls[2].params
    assert exchange["grantType"] == "authorization_code" and exchange["redirectUri"] == query["redirect_uri"]

    token = sso_home.token()
    assert set(token) == {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
                          "registrationExpiresAt", "refreshToken"}
    assert token["accessToken"] in sso.tokens and token["startUrl"] == START_URL
    registration = sso_home.registration()
    assert list(registration) == ["clientId", "clientSecret", "expiresAt", "scopes", "grantTypes"]
    assert registration["grantTypes"] == AUTH_CODE_GRANTS and registration["clientId"] == token["clientId"]
    assert registration["expiresAt"] == token["registrationExpiresAt"]
    assert mode(sso_home.registration_path()) == 0o600 and mode(sso_home.token_path()) == 0o600
    for secret in (token["accessToken"], token["refreshToken"], token["clientSecret"]):
        assert secret not in done.stderr


def test_the_next_sign_in_reuses_the_registration(sso_home, sso):
    assert sso_home.run("login", "dev", browser=True).returncode == 0
    first = sso_home.token()
    sso.calls.clear()
    done = sso_home.run("login", "dev", "--force", browser=True)
    assert done.returncode == 0, done.stderr
    assert sso.apis() == ["Authorize", "CreateToken"]
    assert sso_home.token()["clientId"] == first["clientId"]
    assert sso_home.token()["accessToken"] != first["accessToken"]


def test_a_token_from_the_one_click_sign_in_is_refreshed(sso_home, sso):
    sso.token_seconds = 600
    assert sso_home.run("login", "dev", browser=True).returncode == 0
    sso.calls.clear()
    done = sso_home.run("sso", "dev", "--format", "json")  # no browser: a new sign-in would fail
    assert done.returncode == 0, done.stderr
    assert _grants(sso) == ["refresh_token"]


def test_state_that_differs_is_refused_and_nothing_is_saved(sso_home, sso):
    sso.tamper_state = True
    done = sso_home.run("sso", "dev", "--format", "json", browser=True)
    assert done.returncode == 1 and done.stdout == ""
    assert "'dev'" in done.stderr and "state differs" in done.stderr
    assert sso.count("CreateToken") == 0
    assert not sso_home.token_path().exists()


def test_access_denied_in_the_browser_is_exit_1_and_nothing_is_saved(sso_home, sso):
    sso.deny_authorize = True
    done = sso_home.run("login", "dev", browser=True)
    assert done.returncode == 1 and done.stdout == ""
    assert "access was denied in the browser" in done.stderr and "'dev'" in done.stderr
    assert sso.count("CreateToken") == 0
    assert not sso_home.token_path().exists()


def test_the_listener_gives_up_after_the_configured_wait(sso_home, sso):
    sso.approve_page = True  # the BROWSER script never presses Allow
    done = sso_home.run("sso", "dev", "--format", "json", browser=True, AWSENV_SSO_SIGN_IN_TIMEOUT="2")
    assert done.returncode == 1 and done.stdout == ""
    assert "within 2 s" in done.stderr and "AWSENV_SSO_SIGN_IN_TIMEOUT" in done.stderr
    assert "--use-device-code" in done.stderr
    assert sso.count("Authorize") == 1 and sso.count("CreateToken") == 0
    assert not sso_home.token_path().exists()


def test_a_timeout_that_is_not_a_number_is_a_usage_error(sso_home, sso):
    done = sso_home.run("login", "dev", browser=True, AWSENV_SSO_SIGN_IN_TIMEOUT="soon")
    assert done.returncode == 2 and "AWSENV_SSO_SIGN_IN_TIMEOUT" in done.stderr
    assert sso.count("Authorize") == 0


@pytest.mark.process
def test_eight_callers_open_one_browser_tab(sso_home, sso):
    from tests.helpers import run_parallel

    results = run_parallel(sso_home.env(browser=True), 8, "sso", "dev", "--no-cache", "--format", "json",
                           cwd=str(sso_home.root))
    for result in results:
        assert result.returncode == 0, result.stderr
    assert sso.count("RegisterClient") == 1 and sso.count("Authorize") == 1
    assert len(sso_home.browser_opens()) == 1
    assert sso.count("GetRoleCredentials") == 8


def test_debug_trace_shows_neither_the_code_nor_the_verifier(sso_home, sso):
    done = sso_home.run("--debug", "login", "dev", browser=True)
    assert done.returncode == 0, done.stderr
    assert "awsenv[debug]" in done.stderr and "one-click" in done.stderr
    assert len(sso.codes) == 1 and len(sso.verifiers_seen) == 1
    for secret in [*sso.codes, *sso.verifiers_seen, sso_home.token()["accessToken"]]:
        assert secret not in done.stderr


def _spawn(sso_home, command: str, out, **env: str) -> pexpect.spawn:
    return pexpect.spawn("/bin/sh", ["-c", f'exec "{AWSENV}" {command} > "{out}"'], env=sso_home.env(**env),
                         encoding="utf-8", timeout=30, dimensions=(50, 200))


@pytest.mark.process
def test_no_browser_on_a_desktop_terminal_prints_the_url_to_open_here(sso_home, sso):
    out = sso_home.root / "out.sh"
    child = _spawn(sso_home, "sso dev --shell sh --no-browser", out, DISPLAY=":99")
    child.expect(r"(http://127\.0\.0\.1:\d+/authorize\?\S+)")
    url = child.match.group(1)
    child.expect("Waiting for the browser")
    page = urllib.request.urlopen(url, timeout=10).read().decode()  # the user opens it; the redirect comes back
    assert "You may close this tab" in page
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert parse_posix_exports(out.read_text())["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    assert sso_home.browser_opens() == [] and sso.count("StartDeviceAuthorization") == 0


def test_a_one_click_registration_the_aws_cli_saved_is_reused(sso_home, sso):
    """As AWS CLI 2.22+ saves it after `aws sso login`: grantTypes listed, times in its `…Z` format."""
    status, client = sso.register_client({"clientName": "botocore-client-corp", "clientType": "public",
                                          "grantTypes": AUTH_CODE_GRANTS, "scopes": ["sso:account:access"],
                                          "redirectUris": ["http://127.0.0.1/oauth/callback"],
                                          "issuerUrl": START_URL})
    assert status == 200
    path = sso_home.registration_path()
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(json.dumps({"clientId": client["clientId"], "clientSecret": client["clientSecret"],
                                "expiresAt": "2099-01-01T00:00:00Z", "scopes": ["sso:account:access"],
                                "grantTypes": AUTH_CODE_GRANTS}))
    done = sso_home.run("login", "dev", browser=True)
    assert done.returncode == 0, done.stderr
    assert sso.apis() == ["Authorize", "CreateToken"]
    assert sso.calls[0].params["client_id"] == client["clientId"] == sso_home.token()["clientId"]
