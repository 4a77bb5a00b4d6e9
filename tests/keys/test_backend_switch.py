"""The key index records which keyring backend holds each stored key: after PYTHON_KEYRING_BACKEND changes, awsenv
says where the key is and what to set, instead of advising to remove a key that is fine. Index entries written
before the backend was recorded keep working."""

from __future__ import annotations

import pytest

import json

from tests.keys.conftest import KEYFILE, index_path, keyfile_env

pytestmark = pytest.mark.in_process

OTHER = "tests.keyring_backends.PlaintextStore"  # an empty keyring of its own in every process


def _add(home, iam_user, env):
    home.write_config("[profile dev]\nregion = us-east-1\n")
    added = home.run("keys", "add", "dev", "--stdin", env=env,
                     input=json.dumps({"AccessKeyId": iam_user["id"], "SecretAccessKey": iam_user["secret"]}))
    assert added.returncode == 0, added.stderr


def test_another_backend_is_told_where_the_key_is(home, sts, iam_user):
    env = keyfile_env(home)
    _add(home, iam_user, env)
    recorded = json.loads(index_path(home).read_text())["profiles"]["dev"]
    assert recorded["backend"] == KEYFILE and iam_user["secret"] not in index_path(home).read_text()
    sts.calls.clear()  # keys add asked who the key belongs to

    switched = home.run("user", "dev", "--format", "json", env=keyfile_env(home, PYTHON_KEYRING_BACKEND=OTHER))
    assert switched.returncode == 2 and switched.stdout == ""
    assert f"profile 'dev''s key is stored in {recorded['backend_name']}; set PYTHON_KEYRING_BACKEND={KEYFILE} " \
           "to use it" in switched.stderr
    assert "keys remove" not in switched.stderr
    assert sts.calls == []

    back = home.run("user", "dev", "--format", "json", env=env)  # the key was fine all along
    assert back.returncode == 0, back.stderr
    assert sts.calls[-1].caller == iam_user["id"]


def test_an_index_entry_without_the_backend_keeps_working(home, sts, iam_user):
    env = keyfile_env(home)
    _add(home, iam_user, env)
    doc = json.loads(index_path(home).read_text())
    for field in ("backend", "backend_name"):
        del doc["profiles"]["dev"][field]
    index_path(home).write_text(json.dumps(doc))
    done = home.run("user", "dev", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    listed = home.run("keys", "list", "--json", env=env)
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["profile"] == "dev"
    elsewhere = home.run("user", "dev", "--format", "json", "--no-cache",
                         env=keyfile_env(home, PYTHON_KEYRING_BACKEND=OTHER))
    assert elsewhere.returncode == 2 and "has none" in elsewhere.stderr  # nothing recorded: nothing claimed


def test_remove_with_another_backend_removes_nothing_and_says_where(home, sts, iam_user):
    env = keyfile_env(home)
    _add(home, iam_user, env)
    before = index_path(home).read_text()
    refused = home.run("keys", "remove", "dev", env=keyfile_env(home, PYTHON_KEYRING_BACKEND=OTHER))
    assert refused.returncode == 2 and "removed" not in refused.stderr.replace("nothing was removed", "")
    assert f"set PYTHON_KEYRING_BACKEND={KEYFILE} to remove it" in refused.stderr
    assert index_path(home).read_text() == before
    removed = home.run("keys", "remove", "dev", env=env)
    assert removed.returncode == 0 and "removed the stored keys of profile 'dev'" in removed.stderr
