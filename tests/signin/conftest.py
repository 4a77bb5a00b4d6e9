"""A HOME wired to the sign-in service stand-in, with a stand-in browser that follows the authorize page's
redirect (as a browser with a live console session does)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers.signin_server import SigninServer
from tests.servers.sts_gate import Session
from tests.sso_fixtures import BrowsingHome


@pytest.fixture
def signin(sts):
    server = SigninServer().start()
    server.on_issue = lambda key: sts.sessions.__setitem__(key, Session("CreateOAuth2Token", mfa=False))
    yield server
    server.server.shutdown()


@dataclass
class LoginHome(BrowsingHome):
    server: SigninServer = None  # type: ignore[assignment]
    BROWSER_BY_DEFAULT = True

    def endpoints(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL_SIGNIN": self.server.url}

    def cache_dir(self) -> Path:
        return self.root / ".aws" / "login" / "cache"

    def cache_path(self, session: str) -> Path:
        return self.cache_dir() / (hashlib.sha256(session.encode()).hexdigest() + ".json")

    def token(self, session: str) -> dict:
        return json.loads(self.cache_path(session).read_text())


@pytest.fixture
def login_home(home, signin) -> LoginHome:
    return LoginHome(home, signin)
