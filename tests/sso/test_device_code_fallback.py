"""When awsenv signs in with the device code instead of the one-click sign-in: the flag, SSH, CI, no desktop,
a legacy profile, and a saved registration that lacks the authorization_code grant."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pexpect

import pytest

from tests.helpers import AWSENV
from tests.sso_fixtures import iso

pytestmark = pytest.mark.in_process

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _device_sign_in(sso) -> bool:
    return sso.count("StartDeviceAuthorization") == 1 and sso.count("Authorize") == 0


def test_use_device_code_forces_the_device_flow(sso_home, sso):
    done = sso_home.run("sso", "dev", "--format", "json", "--use-device-code", browser=True)
    assert done.returncode == 0, done.stderr
    assert _device_sign_in(sso)
    assert "grantTypes" not in sso.calls[0].params
    assert "user_code=" in sso_home.browser_opens()[0]
    registration = sso_home.registration()
    assert "grantTypes" not in registration and registration["clientId"] == sso_home.token()["clientId"]


def test_login_takes_use_device_code_too(sso_home, sso):
    done = sso_home.run("login", "dev", "--use-device-code", browser=True)
    assert done.returncode == 0, done.stderr
    assert _device_sign_in(sso)


def test_an_ssh_session_signs_in_with_the_device_code_and_says_why(sso_home, sso):
    done = sso_home.run("sso", "dev", "--format", "json", browser=True, SSH_CONNECTION="10.0.0.1 50000 10.0.0.2 22")
    assert done.returncode == 0, done.stderr
    assert _device_sign_in(sso)
    assert "SSH" in done.stderr and "device code" in done.stderr


def test_ci_signs_in_with_the_device_code(sso_home, sso):
    done = sso_home.run("login", "dev", browser=True, CI="true")
    assert done.returncode == 0, done.stderr
    assert _device_sign_in(sso)
    assert "CI" in done.stderr


def test_legacy_start_url_profiles_keep_the_device_code(sso_home, sso):
    done = sso_home.run("sso", "legacy", "--format", "json", browser=True)
    assert done.returncode == 0, done.stderr
    assert _device_sign_in(sso)
    assert "device code" not in done.stderr  # nothing to explain: that is the only flow it has


@pytest.mark.process
def test_without_a_desktop_the_terminal_shows_a_device_code(sso_home, sso):
    sso.approve_on_verify = True
    out = sso_home.root / "out.sh"
    child = pexpect.spawn("/bin/sh", ["-c", f'exec "{AWSENV}" sso dev --shell sh > "{out}"'], env=sso_home.env(),
                          encoding="utf-8", timeout=30, dimensions=(50, 200))
    child.expect(r"http://127\.0\.0\.1:\d+/verify\?user_code=[A-Z0-9-]+")
    url = child.match.group(0)
    assert "no browser can open here" in child.before
    urllib.request.urlopen(url, timeout=10).read()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert _device_sign_in(sso)
    assert "AWS_ACCESS_KEY_ID" in out.read_text()


def _device_registration_from_the_aws_cli(sso_home, sso) -> str:
    """A registration saved as `aws sso login` of an AWS CLI before 2.22 saves it: no grantTypes."""
    _, _, client_id, client_secret = sso.mint_token()
    expires = datetime.now(timezone.utc) + timedelta(days=80)
    path = sso_home.registration_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps({"clientId": client_id, "clientSecret": client_secret, "expiresAt": iso(expires),
                                "scopes": ["sso:account:access"]}))
    return client_id


def test_a_saved_registration_without_the_authorization_code_grant_is_used_with_the_device_code(sso_home, sso):
    client_id = _device_registration_from_the_aws_cli(sso_home, sso)
    done = sso_home.run("login", "dev", browser=True)
    assert done.returncode == 0, done.stderr
    assert _device_sign_in(sso) and sso.count("RegisterClient") == 0
    assert "lacks the authorization_code grant" in done.stderr and "awsenv login dev --force" in done.stderr
    assert sso_home.token()["clientId"] == client_id
    assert sso_home.registration()["clientId"] == client_id  # left for that CLI


def test_login_force_registers_anew_for_the_one_click_sign_in(sso_home, sso):
    old = _device_registration_from_the_aws_cli(sso_home, sso)
    done = sso_home.run("login", "dev", "--force", browser=True)
    assert done.returncode == 0, done.stderr
    assert sso.apis() == ["RegisterClient", "Authorize", "CreateToken"]
    assert [g for g in [c.params.get("grantType") for c in sso.calls] if g] == ["authorization_code"]
    saved = sso_home.registration()
    assert saved["clientId"] != old and saved["grantTypes"] == ["authorization_code", "refresh_token"]


def test_a_device_registration_is_not_used_for_the_one_click_sign_in_by_the_server_either(sso_home, sso):
    """The stand-in refuses /authorize for a client without the grant, as IAM Identity Center does."""
    client_id = _device_registration_from_the_aws_cli(sso_home, sso)
    query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "state": "s",
                                    "redirect_uri": "http://127.0.0.1:1234/oauth/callback",
                                    "code_challenge_method": "S256", "code_challenge": "x" * 43})
    try:
        urllib.request.urlopen(f"{sso.url}/authorize?{query}", timeout=10)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 400
