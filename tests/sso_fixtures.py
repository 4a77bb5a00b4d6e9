"""Fixtures and helpers for the IAM Identity Center stand-in (registered for every test in tests/conftest.py)."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import stat
import sys
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

import pytest

from tests.helpers import AwsHome, Completed
from tests.servers import sso_server
from tests.servers.sts_gate import Session

START_URL = "https://example.awsapps.com/start"
# what makes awsenv choose the device code over the browser sign-in (SSH, CI): never inherited by a test
NO_BROWSER_MARKERS = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE",
                      "JENKINS_URL", "TF_BUILD", "CODEBUILD_BUILD_ID", "CODESPACES", "CLOUD_SHELL",
                      "AWSENV_SSO_SIGN_IN_TIMEOUT")
SSO_CONFIG = f"""\
    [profile dev]
    sso_session = corp
    sso_account_id = 111111111111
    sso_role_name = Admin
    region = eu-west-1

    [profile legacy]
    sso_start_url = {START_URL}
    sso_region = us-east-1
    sso_account_id = 111111111111
    sso_role_name = ReadOnly

    [sso-session corp]
    sso_start_url = {START_URL}
    sso_region = us-east-1
    sso_registration_scopes = sso:account:access
    """


@pytest.fixture(scope="session")
def _sso_server():
    state, server = sso_server.start()
    yield state
    server.shutdown()


@pytest.fixture
def sso(_sso_server, sts):
    """The SSO/OIDC stand-in, reset for this test. Role keys it hands out count as temporary sessions for STS."""
    _sso_server.reset()
    _sso_server.on_issue = lambda key: sts.sessions.__setitem__(key, Session("GetRoleCredentials", mfa=False))
    return _sso_server


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class BrowsingHome:
    """A HOME whose awsenv runs reach one sign-in stand-in (`endpoints`), and, when asked, a stand-in browser."""

    home: AwsHome
    BROWSER_BY_DEFAULT = False

    @property
    def root(self) -> Path:
        return self.home.root

    def endpoints(self) -> dict[str, str]:
        raise NotImplementedError

    def env(self, browser: Optional[bool] = None, **extra: str) -> dict:
        env = self.home.env(**self.endpoints())
        for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY", *NO_BROWSER_MARKERS):
            env.pop(name, None)
        if self.BROWSER_BY_DEFAULT if browser is None else browser:
            env["BROWSER"] = self.browser_script()
        env.update(extra)
        return env

    def run(self, *args: str, browser: Optional[bool] = None, timeout: float = 60, **extra: str) -> Completed:
        return self.home.run(*args, env=self.env(browser, **extra), timeout=timeout)

    def browser_script(self) -> str:
        """A BROWSER command that opens the URL, logs it, and chatters on stdout.

        Opening a device verification URL approves the device; opening an authorize URL follows the stand-in's
        redirect to awsenv's listener, as a browser with a live session does.
        """
        script = self.root / "browser.py"
        if not script.exists():
            script.write_text(textwrap.dedent(f"""\
                #!{sys.executable}
                import sys, urllib.request
                with open({str(self.root / 'browser.log')!r}, "a") as log:
                    log.write(sys.argv[1] + "\\n")
                urllib.request.urlopen(sys.argv[1], timeout=10).read()
                print("Opening in existing browser session.")
                """))
            script.chmod(0o755)
        return str(script)

    def browser_opens(self) -> list[str]:
        log = self.root / "browser.log"
        return log.read_text().splitlines() if log.exists() else []


@dataclass
class SsoHome(BrowsingHome):
    server: sso_server.SsoServer = None  # type: ignore[assignment]

    def endpoints(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL_SSO": self.server.url, "AWS_ENDPOINT_URL_SSO_OIDC": self.server.url}

    def write_config(self, text: str = SSO_CONFIG) -> None:
        self.home.write_config(text)

    def chromium_script(self, chromium: str) -> str:
        """A BROWSER command running Debian's Chromium headless on the URL, bounded in time; the page it ends on
        is saved in chromium.html. The script (not exec'd) keeps awsenv's stderr open until Chromium is done, so
        the test's run returns after the page has been written."""
        script = self.root / "chromium-browser.sh"
        profile = self.root / "chromium-profile"
        script.write_text(textwrap.dedent(f"""\
            #!/bin/sh
            echo "$1" >> {shlex.quote(str(self.root / 'browser.log'))}
            timeout 90 {shlex.quote(chromium)} --headless --no-sandbox --disable-gpu --disable-quic \\
                --no-first-run --disable-background-networking --disable-component-update --disable-sync \\
                --disable-dev-shm-usage --user-data-dir={shlex.quote(str(profile))} --dump-dom "$1" \\
                > {shlex.quote(str(self.root / 'chromium.html'))} 2> {shlex.quote(str(self.root / 'chromium.err'))}
            """))
        script.chmod(0o755)
        return str(script)

    def token_path(self, key: str = "corp") -> Path:
        return self.root / ".aws" / "sso" / "cache" / (hashlib.sha1(key.encode()).hexdigest() + ".json")

    def registration_path(self, session: str = "corp", scopes: Optional[list] = ["sso:account:access"]) -> Path:
        """Where the AWS CLI keeps the session's client registration (its own key, shared with awsenv)."""
        identity = {"tool": "botocore", "startUrl": START_URL, "region": "us-east-1", "scopes": scopes,
                    "session_name": session}
        name = hashlib.sha1(json.dumps(identity, sort_keys=True).encode()).hexdigest() + ".json"
        return self.root / ".aws" / "sso" / "cache" / name

    def registration(self) -> dict:
        return json.loads(self.registration_path().read_text())

    def token(self, key: str = "corp") -> dict:
        return json.loads(self.token_path(key).read_text())

    def write_token(self, key: str = "corp", seconds: int = 8 * 3600, refresh: bool = True,
                    access: Optional[str] = None, **fields) -> dict:
        """A token file as the AWS CLI writes it, for a login the server knows about."""
        minted, refresh_token, client_id, client_secret = self.server.mint_token(seconds)
        now = datetime.now(timezone.utc)
        data = {"startUrl": START_URL, "region": "us-east-1", "accessToken": access or minted,
                "expiresAt": iso(now + timedelta(seconds=seconds))}
        if refresh:
            data.update(clientId=client_id, clientSecret=client_secret, refreshToken=refresh_token,
                        registrationExpiresAt=iso(now + timedelta(days=90)))
        data.update(fields)
        path = self.token_path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(json.dumps(data))
        path.chmod(0o600)
        return data


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def sso_home(home, sso) -> SsoHome:
    setup = SsoHome(home, sso)
    setup.write_config()
    return setup


@pytest.fixture
def aws_cli_env(sso_home, sso, tmp_path):
    """The environment for the Debian AWS CLI 2.9 pointed at the SSO stand-in (and nothing else of ours)."""
    from tests.aws_data_path import aws_data_path

    data = aws_data_path(tmp_path / "aws-data", {"sso": sso.url, "sso-oidc": sso.url})
    return sso_home.env(AWS_DATA_PATH=data)
