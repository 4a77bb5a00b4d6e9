"""Fixtures: moto's STS server behind the strict gate, and an isolated AWS home per test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import AwsHome, awsenv_for_anyone
from tests.servers import sts_gate

# Fixtures that tests in several folders use: the SSO stand-in and awsenv's cache entries.
pytest_plugins = ["tests.sso_fixtures", "tests.cache_entries", "tests.federation_fixtures"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_url():
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/data.json", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("moto server did not start")
            time.sleep(0.1)
    yield url
    server.kill()
    server.wait()


@pytest.fixture(scope="session")
def _gate_server(moto_url):
    gate, server = sts_gate.start(moto_url)
    yield gate
    server.shutdown()


@pytest.fixture
def sts(_gate_server, moto_url):
    """The strict STS stand-in, reset for this test: `sts.calls` records every request."""
    _gate_server.reset()
    urllib.request.urlopen(urllib.request.Request(moto_url + "/moto-api/reset", method="POST")).read()
    return _gate_server


def in_process(request) -> bool:
    """Whether `home.run` calls awsenv inside the test process: the test (or its module) is marked `in_process`.
    A test marked `process` as well still calls awsenv here; its other processes (the AWS CLI, a shell) are why it
    is in the slow tier. Where awsenv's own process is the point, the test calls `home.spawn`."""
    return request.node.get_closest_marker("in_process") is not None


@pytest.fixture
def home(tmp_path: Path, sts, request) -> AwsHome:
    """An isolated AWS home; its `run` calls awsenv in this process for tests marked `in_process`."""
    root = tmp_path / "home"
    root.mkdir()
    return AwsHome(root, sts.url, in_process=in_process(request))


def pytest_configure(config):
    from tests import helpers

    expression = (config.option.markexpr or "").replace(" ", "")
    helpers.FAST_TIER = "notprocess" in expression


@pytest.fixture(scope="session")
def awsenv_as_anyone():
    """The argv prefix that runs this checkout's awsenv as another user (setpriv to `nobody`), wherever the checkout
    is: a copy of awsenv and its packages in a world-readable temporary directory, and a Python anyone can run."""
    parent = tempfile.gettempdir()  # TMPDIR may be private too
    if not all(os.stat(folder).st_mode & 0o001 for folder in (parent, *Path(parent).parents)):
        parent = "/tmp"
    directory = Path(tempfile.mkdtemp(prefix="awsenv-for-anyone-", dir=parent))
    try:
        yield awsenv_for_anyone(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
