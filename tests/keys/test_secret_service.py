"""A real Secret Service (gnome-keyring on a private D-Bus session bus): add, import, list, remove, and every flow
reading the stored keys, through the strict STS gate."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.helpers import need_binary, parse_posix_exports
from tests.keys.conftest import REPO

pytestmark = pytest.mark.process  # gnome-keyring through D-Bus: awsenv started as a process

SECRET = "ss/Secret+Key/never-shown"


def _env(home, secret_service, **extra):
    values = dict(secret_service, PYTHONPATH=REPO)
    values.update(extra)
    return home.env(**values)


def _lookup(secret_service, home, profile: str) -> str:
    tool = need_binary("secret-tool")
    done = subprocess.run([tool, "lookup", "service", "awsenv", "username", profile], capture_output=True, text=True,
                          env=_env(home, secret_service), timeout=30)
    return done.stdout


def test_add_list_flows_and_remove_with_gnome_keyring(home, sts, secret_service):
    home.write_config("[profile dev]\nregion = eu-west-1\n"
                      "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = dev\n")
    env = _env(home, secret_service)
    added = home.run("keys", "add", "dev", "--stdin", env=env,
                     input=json.dumps({"AccessKeyId": "AKIAIOSFODNN7SECSVC1", "SecretAccessKey": SECRET}))
    assert added.returncode == 0, added.stderr
    assert "in SecretService Keyring" in added.stderr
    assert [(c.action, c.caller) for c in sts.calls] == [("GetCallerIdentity", "AKIAIOSFODNN7SECSVC1")]
    assert json.loads(_lookup(secret_service, home, "dev"))["SecretAccessKey"] == SECRET  # in the Secret Service

    listed = home.run("keys", "list", "--json", env=env)
    assert [row["profile"] for row in json.loads(listed.stdout)] == ["dev"]
    assert SECRET not in listed.stdout

    user = home.run("--debug", "user", "dev", "--shell", "sh", env=env)
    assert user.returncode == 0, user.stderr
    assert parse_posix_exports(user.stdout)["AWS_REGION"] == "eu-west-1"
    role = home.run("--debug", "role", "deploy", "--format", "json", env=env)
    assert role.returncode == 0, role.stderr
    assert [(c.action, c.caller) for c in sts.calls[1:]] == [("GetSessionToken", "AKIAIOSFODNN7SECSVC1"),
                                                             ("AssumeRole", "AKIAIOSFODNN7SECSVC1")]
    for output in (added.stderr, user.stderr, role.stderr):
        assert SECRET not in output

    removed = home.run("keys", "remove", "dev", env=env)
    assert removed.returncode == 0, removed.stderr
    assert _lookup(secret_service, home, "dev") == ""
    gone = home.run("role", "deploy", env=env)
    assert gone.returncode == 2  # the cached sessions went with the keys, and so did the source of the chain
    assert "no credentials" in gone.stderr
    assert home.run("keys", "remove", "dev", env=env).returncode == 2


def test_import_into_gnome_keyring(home, sts, secret_service):
    home.write_config("[profile ci]\n")
    home.write_credentials("[ci]\naws_access_key_id = AKIAIOSFODNN7CIKEY01\naws_secret_access_key = ci/secret\n"
                           "[keep]\nregion = us-west-2\n")
    env = _env(home, secret_service)
    done = home.run("keys", "import", "ci", env=env)
    assert done.returncode == 0, done.stderr
    assert home.credentials.read_text() == "[keep]\nregion = us-west-2\n"
    assert json.loads(_lookup(secret_service, home, "ci"))["AccessKeyId"] == "AKIAIOSFODNN7CIKEY01"
    explained = home.run("explain", "ci", env=env)
    assert "ci: long-lived keys from the keyring AKIA…EY01" in explained.stdout
    exported = home.run("export", "ci", "--format", "json", env=env)
    assert exported.returncode == 0, exported.stderr
    assert sts.calls[-1].caller == "AKIAIOSFODNN7CIKEY01"
