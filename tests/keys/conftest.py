"""Fixtures for `awsenv keys`: the encrypted file backend, a real Secret Service (gnome-keyring on its own D-Bus
session bus), and an IAM user in moto with one access key."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import need_binary

REPO = str(Path(__file__).resolve().parents[2])
PASSPHRASE = "correct horse battery staple"
KEYFILE = "awsenv.keyfile.EncryptedFile"


def keyfile_env(home, **extra: str) -> dict[str, str]:
    """The environment for awsenv with the encrypted file backend, IAM sent to the gate, tests/ importable."""
    values = dict(PYTHON_KEYRING_BACKEND=KEYFILE, AWSENV_KEYFILE_PASSPHRASE=PASSPHRASE, PYTHONPATH=REPO,
                  AWS_ENDPOINT_URL_IAM=home.sts_url)
    values.update(extra)
    return home.env(**values)


def keyfile_path(home) -> Path:
    return home.root / ".local" / "share" / "awsenv" / "keyring.enc"


def index_path(home) -> Path:
    return home.root / ".local" / "share" / "awsenv" / "keys.json"


@pytest.fixture
def iam_user(moto_url, sts):
    """IAM user alice in moto with one access key, registered with the gate so a deleted key stops working."""
    import boto3

    client = boto3.client("iam", endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id="AKIAADMIN0000000",
                          aws_secret_access_key="admin")
    client.create_user(UserName="alice")
    key = client.create_access_key(UserName="alice")["AccessKey"]
    sts.iam_keys[key["AccessKeyId"]] = True

    def keys() -> list[str]:
        return sorted(k["AccessKeyId"] for k in client.list_access_keys(UserName="alice")["AccessKeyMetadata"])

    return {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"], "client": client, "keys": keys}


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory):
    """gnome-keyring-daemon (secrets component, unlocked) on a private D-Bus session bus; its variables."""
    dbus = need_binary("dbus-daemon")
    daemon = need_binary("gnome-keyring-daemon")
    root = tmp_path_factory.mktemp("secret-service")
    os.chmod(root, 0o700)
    bus = subprocess.Popen([dbus, "--session", "--nofork", "--nopidfile", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    address = bus.stdout.readline().strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS", "GNOME_KEYRING"))}
    env.update(HOME=str(root), XDG_RUNTIME_DIR=str(root), DBUS_SESSION_BUS_ADDRESS=address)
    keyring_daemon = subprocess.Popen([daemon, "--foreground", "--unlock", "--components=secrets"],
                                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env=env, start_new_session=True)
    keyring_daemon.stdin.write(b"login password")
    keyring_daemon.stdin.close()
    variables = {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(root)}
    deadline = time.monotonic() + 20
    while subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
                          "org.freedesktop.DBus.GetNameOwner", "string:org.freedesktop.secrets"],
                         env=env, capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            pytest.fail("gnome-keyring-daemon did not register the Secret Service")
        time.sleep(0.1)
    yield variables
    for process in (keyring_daemon, bus):
        process.kill()
        process.wait()
