"""The device sign-in on a real terminal (a pty): code and URL shown, approval awaited."""

from __future__ import annotations

import re
import urllib.request

import pexpect

import pytest

from tests.helpers import AWSENV, parse_posix_exports

pytestmark = pytest.mark.process

URL = re.compile(r"http://127\.0\.0\.1:\d+/verify\?user_code=([A-Z0-9-]+)")


def _spawn(sso_home, command: str, out) -> pexpect.spawn:
    return pexpect.spawn("/bin/sh", ["-c", f'exec "{AWSENV}" {command} > "{out}"'], env=sso_home.env(),
                         encoding="utf-8", timeout=30, dimensions=(50, 200))


def test_failed_refresh_on_a_terminal_signs_in_with_the_code_shown(sso_home, sso):
    sso.fail_refresh = True
    sso.approve_on_verify = True
    sso_home.write_token(seconds=-60)
    out = sso_home.root / "out.sh"
    child = _spawn(sso_home, "sso dev --shell sh --no-browser", out)
    child.expect(URL)
    url, code = child.match.group(0), child.match.group(1)
    assert code in child.before  # "check that it shows the code …" comes before the URL
    child.expect("Waiting for approval")
    urllib.request.urlopen(url, timeout=10).read()  # the user approves in a browser
    child.expect("signed in to")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert parse_posix_exports(out.read_text())["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    grants = [c.params.get("grantType") for c in sso.calls if c.api == "CreateToken"]
    assert grants[0] == "refresh_token" and set(grants[1:]) == {"urn:ietf:params:oauth:grant-type:device_code"}
    assert sso_home.token()["accessToken"] in sso.tokens
