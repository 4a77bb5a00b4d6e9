"""The encrypted file backend: the secret never in its bytes, a wrong passphrase changes nothing (private modes
whatever the umask: tests/reliability/test_b_file_writes.py); the stored key then serves `awsenv user` through the strict STS gate, and a cache hit does not
load keyring."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.helpers import AWSENV, parse_posix_exports
from tests.keys.conftest import PASSPHRASE, index_path, keyfile_env, keyfile_path

pytestmark = pytest.mark.in_process

KEY_ID = "AKIAIOSFODNN7STORED1"
SECRET = "stored/Secret+Key/that-must-not-leak"


def _add(home, env, profile="dev"):
    return home.run("keys", "add", profile, "--stdin", "--no-verify", env=env,
                    input=json.dumps({"AccessKeyId": KEY_ID, "SecretAccessKey": SECRET}))


def test_the_file_holds_no_secret_and_the_stored_key_serves_the_user_flow(home, sts):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    env = keyfile_env(home)
    added = _add(home, env)
    assert added.returncode == 0, added.stderr
    data = keyfile_path(home).read_bytes()
    for secret in (SECRET, KEY_ID, PASSPHRASE):
        assert secret.encode() not in data
        assert secret.encode() not in index_path(home).read_bytes()
    assert json.loads(index_path(home).read_text())["profiles"]["dev"]["key_id"] == "AKIA…RED1"

    listed = home.run("keys", "list", "--json", env=env)
    assert json.loads(listed.stdout)[0]["profile"] == "dev"
    explained = home.run("explain", "dev", env=env)
    assert "long-lived keys from the keyring AKIA…RED1" in explained.stdout, explained.stdout
    assert "keys from the keyring" in home.run("list", env=env).stdout

    done = home.run("--debug", "user", "dev", "--shell", "sh", env=env)
    assert done.returncode == 0, done.stderr
    assert [(c.action, c.caller) for c in sts.calls] == [("GetSessionToken", KEY_ID)]
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    for output in (added.stderr, listed.stdout, explained.stdout, done.stderr):
        assert SECRET not in output and PASSPHRASE not in output


def test_a_wrong_passphrase_is_exit_2_and_changes_nothing(home, sts):
    home.write_config("[profile dev]\n")
    env = keyfile_env(home)
    assert _add(home, env).returncode == 0
    before = (keyfile_path(home).read_bytes(), index_path(home).read_bytes())
    wrong = keyfile_env(home, AWSENV_KEYFILE_PASSPHRASE="not the passphrase")
    for args in (("keys", "remove", "dev"), ("user", "dev"),
                 ("keys", "add", "other", "--stdin", "--no-verify")):
        done = home.run(*args, env=wrong, input=json.dumps({"AccessKeyId": KEY_ID, "SecretAccessKey": SECRET}))
        assert done.returncode == 2, (args, done.stderr)
        assert "wrong passphrase" in done.stderr and done.stdout == ""
        assert SECRET not in done.stderr
    assert (keyfile_path(home).read_bytes(), index_path(home).read_bytes()) == before
    assert sts.calls == []


def test_no_passphrase_and_no_terminal_is_exit_2(home):
    home.write_config("[profile dev]\n")
    env = keyfile_env(home)
    del env["AWSENV_KEYFILE_PASSPHRASE"]
    done = _add(home, env)
    assert done.returncode == 2
    assert "AWSENV_KEYFILE_PASSPHRASE" in done.stderr
    assert not keyfile_path(home).exists()


def test_no_usable_keyring_says_what_to_install(home):
    home.write_config("[profile dev]\n")
    env = home.env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = _add(home, env)
    assert done.returncode == 2
    assert "PYTHON_KEYRING_BACKEND=awsenv.keyfile.EncryptedFile" in done.stderr
    assert "gnome-keyring" in done.stderr
    assert not index_path(home).exists()


@pytest.mark.process
def test_a_cache_hit_loads_no_keyring(home, sts):
    home.write_config("[profile dev]\n")
    env = keyfile_env(home)
    assert _add(home, env).returncode == 0

    def modules(*args):
        done = subprocess.run([sys.executable, "-X", "importtime", AWSENV, *args], env=env, capture_output=True,
                              text=True, timeout=60, start_new_session=True)
        assert done.returncode == 0, done.stderr
        return set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", done.stderr, re.M))

    cold = modules("user", "dev", "--shell", "sh")
    assert {"keyring", "awsenv.keys.keyfile"} <= cold  # the detector sees them when they load
    warm = modules("user", "dev", "--shell", "sh")  # the fast path
    assert not {name for name in warm if name.split(".")[0] == "keyring" or name == "awsenv.keys.keyfile"}
    full = modules("--debug", "user", "dev", "--shell", "sh")  # full path, cache hit in the engine
    assert "keyring" not in full
    assert sts.actions() == ["GetSessionToken"]


def test_keys_stored_anew_are_used_at_once_even_on_the_fast_path(home, sts):
    home.write_config("[profile dev]\n")
    env = keyfile_env(home)
    assert _add(home, env).returncode == 0
    # Two guards keep the old session from being served: `keys add` drops it, and the fast path sees the key index
    # change. The test fails only when both are gone (checked by hand: each alone suffices).
    for _ in range(2):  # the second run is a cache hit served before the config is parsed
        assert home.run("user", "dev", "--shell", "sh", env=env).returncode == 0
    replaced = home.run("keys", "add", "dev", "--stdin", "--no-verify", env=env,
                        input=json.dumps({"AccessKeyId": "AKIAIOSFODNN7STORED2", "SecretAccessKey": "new/secret"}))
    assert replaced.returncode == 0, replaced.stderr
    done = home.run("user", "dev", "--shell", "sh", env=env)
    assert done.returncode == 0, done.stderr
    assert [c.caller for c in sts.calls if c.action == "GetSessionToken"] == [KEY_ID, "AKIAIOSFODNN7STORED2"]
