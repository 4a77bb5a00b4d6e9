"""`awsenv cache list` shows what is cached and until when, never a secret; `cache clear [PROFILE]` forgets it."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.helpers import parse_posix_exports

pytestmark = pytest.mark.in_process


def _two_roles(home) -> None:
    home.write_config(home.config.read_text() + "[profile other]\nrole_arn = arn:aws:iam::222222222222:role/other\n"
                                                "source_profile = base\n")


def _listed(home) -> list[dict]:
    done = home.run("cache", "list", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["entries"]


def test_list_shows_profiles_and_expiry_without_secrets_and_clear_forgets_one_profile(role_home, sts):
    home = role_home
    _two_roles(home)
    exported = {}
    for name in ("deploy", "other"):
        done = home.run("role", name, "--shell", "sh")
        assert done.returncode == 0, done.stderr
        exported[name] = parse_posix_exports(done.stdout)
    listed = _listed(home)
    assert sorted((e["profile"], e["kind"]) for e in listed) == [("deploy", "AssumeRole"), ("other", "AssumeRole")]
    for entry in listed:
        expires = datetime.strptime(entry["expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        assert expires == datetime.strptime(exported[entry["profile"]]["AWS_CREDENTIAL_EXPIRATION"],
                                            "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        assert 0 < entry["seconds_left"] <= 3600
    table = home.run("cache", "list")
    assert table.returncode == 0 and "deploy" in table.stdout and "AssumeRole" in table.stdout
    for env in exported.values():
        for secret in (env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]):
            assert secret not in table.stdout + table.stderr and secret not in json.dumps(listed)

    cleared = home.run("cache", "clear", "deploy")
    assert cleared.returncode == 0 and cleared.stdout == "" and "removed 1" in cleared.stderr
    assert [e["profile"] for e in _listed(home)] == ["other"]
    again = home.run("role", "deploy", "--shell", "sh")  # the fast path's index must not outlive the entry
    assert parse_posix_exports(again.stdout)["AWS_ACCESS_KEY_ID"] != exported["deploy"]["AWS_ACCESS_KEY_ID"]
    assert sts.actions() == ["AssumeRole"] * 3
    assert home.run("role", "other", "--shell", "sh").returncode == 0 and len(sts.actions()) == 3

    everything = home.run("cache", "clear")
    assert everything.returncode == 0 and "removed 2" in everything.stderr
    assert _listed(home) == [] and not list((home.cache / "fast").iterdir())
