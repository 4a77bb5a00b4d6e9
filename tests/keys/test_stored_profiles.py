"""Profiles whose keys are stored: `list` and `explain` answer from awsenv's index without asking the keyring, a
profile known only to the index works in every flow, and the console flow reads stored keys too."""

from __future__ import annotations

import json

import pytest

from tests.keys.conftest import keyfile_env
from tests.servers import federation_server

pytestmark = pytest.mark.in_process


def _add(home, env, profile: str, key_id: str) -> None:
    done = home.run("keys", "add", profile, "--stdin", "--no-verify", env=env,
                    input=json.dumps({"AccessKeyId": key_id, "SecretAccessKey": f"{profile}/secret"}))
    assert done.returncode == 0, done.stderr


def test_list_and_explain_of_many_profiles_never_ask_the_keyring(home, sts):
    roles = "".join(f"[profile role{n}]\nrole_arn = arn:aws:iam::123456789012:role/r{n}\nsource_profile = base\n"
                    for n in range(2000))
    home.write_config("[profile base]\nregion = eu-west-1\n" + roles)
    _add(home, keyfile_env(home), "base", "AKIAIOSFODNN7BASEKEY")
    never = keyfile_env(home, PYTHON_KEYRING_BACKEND="tests.keyring_backends.NeverAsked")
    listed = home.run("list", "--json", env=never)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 2001 and not [row for row in rows if row["problem"]]
    assert {row["source"] for row in rows} == {"keys from the keyring", "keys of base from the keyring"}
    explained = home.run("explain", "role7", "--json", env=never)
    assert explained.returncode == 0, explained.stderr
    assert json.loads(explained.stdout)["steps"][0] == {
        "step": "StoredKeys", "profile": "base", "api": None, "keys": "long-lived", "from": "keyring",
        "access_key_id": "AKIA…EKEY", "cached_until": None, "will_call": False}
    assert home.run("keys", "list", env=never).returncode == 0
    assert sts.calls == []


def test_a_profile_only_in_the_index_works_in_every_flow(home, sts):
    home.write_config("[profile other]\nregion = us-west-2\n")
    env = keyfile_env(home)
    _add(home, env, "solo", "AKIAIOSFODNN7SOLOKEY")
    for args in (("user", "solo", "--format", "json"), ("credential-process", "solo")):
        done = home.run(*args, "--no-cache", env=env)
        assert done.returncode == 0, done.stderr
        assert sts.calls[-1].caller == "AKIAIOSFODNN7SOLOKEY"


def test_console_signs_in_with_stored_keys(home, sts):
    state, server = federation_server.start()
    try:
        home.write_config("[profile dev]\nregion = eu-west-1\n")
        env = keyfile_env(home, AWSENV_SIGNIN_URL=state.url)
        _add(home, env, "dev", "AKIAIOSFODNN7DEVKEY1")
        done = home.run("console", "dev", "--print", env=env)
        assert done.returncode == 0, done.stderr
        assert [(c.action, c.caller) for c in sts.calls] == [("GetFederationToken", "AKIAIOSFODNN7DEVKEY1")]
    finally:
        server.shutdown()
