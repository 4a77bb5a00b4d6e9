"""A container's view of the credential service: a network namespace joined to another by a veth pair, the service
listening on 169.254.170.2 in the first, boto3 and the AWS CLI in the second given only the `container-env` lines.
Both namespaces are made here (root and a working `ip netns` needed); no other address is touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import AWSENV, aws_cli_v2
from tests.server.children import role_profile, stop_service

ADDRESS, PEER = "169.254.170.2", "169.254.170.3"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@pytest.fixture
def namespaces():
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    tag = f"{os.getpid() % 100000}"
    host, container = f"awsenv-h{tag}", f"awsenv-c{tag}"
    try:
        _ip("netns", "add", host)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("`ip netns` does not work here")
    try:
        _ip("netns", "add", container)
        _ip("link", "add", f"avh{tag}", "type", "veth", "peer", "name", f"avc{tag}")
        _ip("link", "set", f"avh{tag}", "netns", host)
        _ip("link", "set", f"avc{tag}", "netns", container)
        for ns, link, address in ((host, f"avh{tag}", ADDRESS), (container, f"avc{tag}", PEER)):
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", f"{address}/24", "dev", link)
            _ip("-n", ns, "link", "set", link, "up")
        yield host, container
    finally:
        for ns in (host, container):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)


pytestmark = pytest.mark.process

PROBE = r'''
import http.client, json, os, sys, urllib.parse, boto3

url, token = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
parts = urllib.parse.urlsplit(url)
def ask(token=None, host=None):
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.putrequest("GET", parts.path, skip_host=True)
    conn.putheader("Host", host or parts.netloc)
    if token:
        conn.putheader("Authorization", token)
    conn.endheaders()
    return conn.getresponse().status
creds = boto3.Session().get_credentials()
print(json.dumps({"method": creds.method, "key": creds.get_frozen_credentials().access_key,
                  "no token": ask(), "other host": ask(token, f"{sys.argv[1]}:{parts.port}"),
                  "good": ask(token)}))
'''


def test_a_container_in_its_own_namespace_gets_credentials_through_the_gateway_address(home, tmp_path, namespaces):
    host, container = namespaces
    role_profile(home)
    run = tmp_path / "xdg"
    run.mkdir(mode=0o700)
    env = home.env(XDG_RUNTIME_DIR=str(run))
    cached = home.run("export", "dev", "--format", "json", env=env)  # STS is reached from this namespace only
    assert cached.returncode == 0, cached.stderr
    key = json.loads(cached.stdout)["AWS_ACCESS_KEY_ID"]
    try:
        done = subprocess.run(["ip", "netns", "exec", host, AWSENV, "container-env", "dev", "--listen", ADDRESS],
                              env=env, capture_output=True, text=True, timeout=60, start_new_session=True)
        assert done.returncode == 0, done.stderr
        lines = dict(line.split("=", 1) for line in done.stdout.splitlines())
        assert lines["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith(f"http://{ADDRESS}:")
        log = (run / "awsenv" / "serve.log").read_text()
        assert f"listening on {ADDRESS}:" in log and "beyond loopback" in log
        probe = tmp_path / "probe.py"
        probe.write_text(PROBE)
        child = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_CONFIG_FILE": "/nonexistent",
                 "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", **lines}
        seen = subprocess.run(["ip", "netns", "exec", container, sys.executable, str(probe), PEER], env=child,
                              capture_output=True, text=True, timeout=60)
        assert seen.returncode == 0, seen.stderr
        report = json.loads(seen.stdout)
        assert report == {"method": "container-role", "key": key, "no token": 401, "other host": 403, "good": 200}
        cli = subprocess.run(["ip", "netns", "exec", container, aws_cli_v2(), "configure", "export-credentials",
                              "--format", "process"], env=child, capture_output=True, text=True, timeout=60)
        assert cli.returncode == 0, cli.stderr
        assert json.loads(cli.stdout)["AccessKeyId"] == key
    finally:
        stop_service(run)
