"""The server answers its own token on loopback and nothing else: every other request gets a 4xx and no
credentials; it listens on 127.0.0.1 only (read from the kernel's socket table); the token is fresh each run."""

from __future__ import annotations

import json

import pytest

from tests.server.children import PROBE, python, role_profile

pytestmark = pytest.mark.process

REFUSED = {"no token": 401, "wrong token": 401, "token prefix": 401, "bearer": 401, "two tokens": 401,
           "foreign host": 403, "host without port": 403, "other port": 403, "no host": 403, "origin": 403,
           "post": 405, "put": 405, "brew": 405, "other path": 404, "query": 404}


@pytest.fixture
def probe(home, sts, tmp_path):
    role_profile(home)
    argv = python(tmp_path, "probe.py", PROBE)

    def run() -> dict:
        done = home.run("exec", "--server", "dev", "--", *argv)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def test_only_the_token_on_a_loopback_host_gets_credentials_and_only_127_0_0_1_listens(probe, sts):
    report = probe()
    issued = [c.issued for c in sts.calls if c.action == "AssumeRole"]
    for name in ("good", "localhost"):
        status, body = report[name]
        assert status == 200, (name, body)
        served = json.loads(body)
        assert served["AccessKeyId"] in issued
        assert served["SecretAccessKey"] and served["Token"] and served["Expiration"].endswith("Z")
    secret = json.loads(report["good"][1])["SecretAccessKey"]
    for name, expected in REFUSED.items():
        status, body = report[name]
        assert status == expected, (name, status, body)
        assert issued[0] not in body and secret not in body, name
    # The listener, as the kernel's socket table shows it: 127.0.0.1 only, nothing on IPv6.
    assert report["url"].startswith("http://127.0.0.1:")
    assert report["listening"] == [f"0100007F:{int(report['url'].rsplit(':', 1)[1].rstrip('/')):04X}"]
    assert report["listening6"] == []


def test_each_run_has_a_fresh_token_of_at_least_128_bits(probe):
    first, second = probe(), probe()
    assert first["token"] != second["token"]
    assert len(first["token"]) >= 22  # url-safe base64: 6 bits a character
    assert first["env"]["AWS_CONTAINER_AUTHORIZATION_TOKEN"] == first["token"]
