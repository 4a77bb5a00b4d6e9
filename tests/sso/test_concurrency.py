"""Many processes asking at once (an SDK, terraform, kubectl): one sign-in, one refresh, one browser tab."""

from __future__ import annotations

import json
import subprocess

from tests.helpers import run_parallel


def _parallel(sso_home, count: int, *args: str, browser: bool = False) -> list[subprocess.CompletedProcess]:
    return run_parallel(sso_home.env(browser), count, *args, cwd=str(sso_home.root))


def test_sixteen_callers_cause_one_device_authorization_and_one_browser_tab(sso_home, sso):
    sso.pending_polls = 3
    # --no-cache: no credentials-cache lock in front, so all sixteen race for the sign-in itself
    results = _parallel(sso_home, 16, "sso", "dev", "--no-cache", "--format", "json", "--use-device-code",
                        browser=True)
    for result in results:
        assert result.returncode == 0, result.stderr
    assert sso.count("RegisterClient") == 1
    assert sso.count("StartDeviceAuthorization") == 1
    assert len(sso_home.browser_opens()) == 1
    assert sso.count("GetRoleCredentials") == 16
    assert len({json.loads(r.stdout)["AWS_ACCESS_KEY_ID"] for r in results}) == 16


def test_eight_callers_near_expiry_refresh_the_token_once(sso_home, sso):
    sso_home.write_token(seconds=600)
    results = _parallel(sso_home, 8, "sso", "dev", "--no-cache", "--format", "json")
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    grants = [c.params.get("grantType") for c in sso.calls if c.api == "CreateToken"]
    assert grants == ["refresh_token"]  # the others waited and read the rotated token: no invalid_grant storm
    assert all(c.status == 200 for c in sso.calls)
