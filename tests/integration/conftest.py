"""Fixtures the console tests share: the federation sign-in stand-in, trusting the sessions the STS gate issued."""

from __future__ import annotations

import pytest

from tests.servers import federation_server


@pytest.fixture
def federation(sts):
    state, server = federation_server.start(sts.sessions.get)
    yield state
    server.shutdown()
