"""On a terminal: `keys add` asks for the key id and the secret (not echoed), the encrypted file asks for a new
passphrase twice, and later for the passphrase once; nothing secret reaches the screen or stdout."""

from __future__ import annotations

import io
import json

import pexpect

import pytest

from tests.helpers import AWSENV
from tests.keys.conftest import keyfile_env

pytestmark = pytest.mark.process

SECRET = "typed/Secret+Key/not-echoed"
PASSPHRASE = "a terminal passphrase"


def _spawn(home, env, *args: str, stdout: str = "") -> pexpect.spawn:
    """awsenv on a pseudo-terminal; everything the terminal shows is kept in `child.logfile_read`."""
    command = 'exec "$0" "$@"' + (f" > {stdout}" if stdout else "")
    child = pexpect.spawn("bash", ["-c", command, AWSENV, *args], env=env, cwd=str(home.root), encoding="utf-8",
                          timeout=60)
    child.logfile_read = io.StringIO()
    return child


def test_keys_and_passphrase_are_asked_on_the_terminal_without_echo(home, sts):
    home.write_config("[profile dev]\n")
    env = keyfile_env(home)
    del env["AWSENV_KEYFILE_PASSPHRASE"]
    child = _spawn(home, env, "keys", "add", "dev", "--no-verify")
    child.expect("Access key id for dev: ")
    child.sendline("AKIAIOSFODNN7TYPED01")
    child.expect(r"Secret access key for dev \(not shown\): ")
    child.sendline(SECRET)
    child.expect("new passphrase for .*keyring.enc: ")
    child.sendline(PASSPHRASE)
    child.expect("the same passphrase again: ")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    screen = child.logfile_read.getvalue()
    assert child.exitstatus == 0, screen
    assert "AKIAIOSFODNN7TYPED01" in screen  # the key id is echoed; the secret and the passphrase are not
    assert SECRET not in screen and PASSPHRASE not in screen

    child = _spawn(home, env, "user", "dev", "--format", "json")
    child.expect("passphrase for .*keyring.enc: ")
    child.sendline("wrong " + PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "wrong passphrase" in child.before
    assert sts.calls == []

    out = home.root / "out.json"
    child = _spawn(home, env, "user", "dev", "--format", "json", stdout=str(out))
    child.expect("passphrase for .*keyring.enc: ")
    child.sendline(PASSPHRASE)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.logfile_read.getvalue()
    assert json.loads(out.read_text())["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert PASSPHRASE not in child.logfile_read.getvalue()
    assert [c.caller for c in sts.calls] == ["AKIAIOSFODNN7TYPED01"]
