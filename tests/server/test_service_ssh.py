"""The ssh -R recipe of docs/credential-service.md, end to end: the service and the ssh client in one network
namespace, sshd in another (both made here, joined by a veth pair), and boto3 on the "remote host" reaching the
service through the reverse tunnel with only the `container-env --listen 127.0.0.1` lines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.helpers import AWSENV
from tests.server.children import role_profile, stop_service
from tests.server.test_service_netns import PEER, namespaces  # noqa: F401  (the fixture)

pytestmark = pytest.mark.process

PROBE = r'''
import json, boto3

creds = boto3.Session().get_credentials()
print(json.dumps({"method": creds.method, "key": creds.get_frozen_credentials().access_key}))
'''


def _sshd(tmp_path, container):
    sshd = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
    if sshd is None:
        pytest.skip("no sshd here")
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    keys = tmp_path / "ssh"
    keys.mkdir(mode=0o700)
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True)
    (keys / "authorized").write_text((keys / "client.pub").read_text())
    config = keys / "sshd_config"
    config.write_text(f"ListenAddress {PEER}:2222\nHostKey {keys / 'host'}\nAuthorizedKeysFile {keys / 'authorized'}\n"
                      "PermitRootLogin yes\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                      "AllowTcpForwarding yes\nPidFile none\n")
    server = subprocess.Popen(["ip", "netns", "exec", container, sshd, "-D", "-e", "-f", str(config)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return server, keys / "client"


def test_an_sdk_on_the_far_side_of_ssh_r_gets_the_profile(home, tmp_path, namespaces):  # noqa: F811
    host, container = namespaces
    role_profile(home)
    run = tmp_path / "xdg"
    run.mkdir(mode=0o700)
    env = home.env(XDG_RUNTIME_DIR=str(run))
    cached = home.run("export", "dev", "--format", "json", env=env)
    assert cached.returncode == 0, cached.stderr
    key = json.loads(cached.stdout)["AWS_ACCESS_KEY_ID"]
    server, identity = _sshd(tmp_path, container)
    try:
        done = subprocess.run(["ip", "netns", "exec", host, AWSENV, "container-env", "dev", "--listen", "127.0.0.1"],
                              env=env, capture_output=True, text=True, timeout=60, start_new_session=True)
        assert done.returncode == 0, done.stderr
        env_file = tmp_path / "prod.env"
        env_file.write_text(done.stdout)  # what scp would copy to the remote host
        port = done.stdout.split("http://127.0.0.1:", 1)[1].split("/", 1)[0]
        probe = tmp_path / "probe.py"
        probe.write_text(PROBE)
        remote = (f"set -a; . {env_file}; set +a; AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent "
                  f"AWS_EC2_METADATA_DISABLED=true {sys.executable} {probe}")
        ssh = ["ip", "netns", "exec", host, "ssh", "-F", "/dev/null", "-i", str(identity), "-p", "2222",
               "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
               "-o", "ExitOnForwardFailure=yes", "-R", f"127.0.0.1:{port}:127.0.0.1:{port}", f"root@{PEER}", remote]
        for _ in range(50):  # sshd may still be starting
            seen = subprocess.run(ssh, capture_output=True, text=True, timeout=60,
                                  env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
            if seen.returncode != 255:
                break
            time.sleep(0.2)
        assert seen.returncode == 0, seen.stderr
        assert json.loads(seen.stdout.strip().splitlines()[-1]) == {"method": "container-role", "key": key}
    finally:
        server.terminate()
        server.wait(timeout=10)
        stop_service(run)
