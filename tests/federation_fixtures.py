"""The federation sign-in stand-in, trusting the sessions the STS gate issued (registered in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.servers import federation_server


@pytest.fixture
def federation(sts):
    state, server = federation_server.start(sts.sessions.get)
    yield state
    server.shutdown()
