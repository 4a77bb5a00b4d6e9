"""End to end with a real browser: Debian's headless Chromium as BROWSER loads the stand-in's Allow page, submits
it, follows the redirect to awsenv's listener and shows awsenv's closing page."""

from __future__ import annotations

import pytest

from tests.helpers import need_binary, parse_posix_exports

pytestmark = pytest.mark.process


def test_headless_chromium_completes_the_one_click_sign_in(sso_home, sso):
    chromium = need_binary("chromium")
    sso.approve_page = True
    sso.approve_by_script = True  # the "click" on Allow
    done = sso_home.run("sso", "dev", "--shell", "bash", timeout=150, BROWSER=sso_home.chromium_script(chromium),
                        AWSENV_SSO_SIGN_IN_TIMEOUT="120")
    assert done.returncode == 0, done.stderr + (sso_home.root / "chromium.err").read_text(errors="replace")[-2000:]
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    assert sso.apis() == ["RegisterClient", "Authorize", "Approve", "CreateToken", "GetRoleCredentials"]
    assert sso_home.token()["accessToken"] in sso.tokens
    page = (sso_home.root / "chromium.html").read_text()
    assert "You may close this tab" in page
