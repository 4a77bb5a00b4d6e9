"""A HOME wired to the sign-in service stand-in, with a stand-in browser that follows the authorize page's
redirect (as a browser with a live console session does)."""

from __future__ import annotations

import hashlib
import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import AwsHome, Completed
from tests.servers.signin_server import SigninServer
from tests.servers.sts_gate import Session
from tests.sso_fixtures import NO_BROWSER_MARKERS


@pytest.fixture
def signin(sts):
    server = SigninServer().start()
    server.on_issue = lambda key: sts.sessions.__setitem__(key, Session("CreateOAuth2Token", mfa=False))
    yield server
    server.server.shutdown()


@dataclass
class LoginHome:
    home: AwsHome
    server: SigninServer

    @property
    def root(self) -> Path:
        return self.home.root

    def env(self, browser: bool = True, **extra: str) -> dict:
        env = self.home.env(AWS_ENDPOINT_URL_SIGNIN=self.server.url)
        for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY", *NO_BROWSER_MARKERS):
            env.pop(name, None)
        if browser:
            env["BROWSER"] = self.browser_script()
        env.update(extra)
        return env

    def run(self, *args: str, browser: bool = True, timeout: float = 60, **extra: str) -> Completed:
        return self.home.run(*args, env=self.env(browser, **extra), timeout=timeout)

    def browser_script(self) -> str:
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

    def cache_dir(self) -> Path:
        return self.root / ".aws" / "login" / "cache"

    def cache_path(self, session: str) -> Path:
        return self.cache_dir() / (hashlib.sha256(session.encode()).hexdigest() + ".json")

    def token(self, session: str) -> dict:
        return json.loads(self.cache_path(session).read_text())


@pytest.fixture
def login_home(home, signin) -> LoginHome:
    return LoginHome(home, signin)
