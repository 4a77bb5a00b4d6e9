"""Refresh windows, with cache entries written to expire when the test chooses (no clock is faked)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.cache_entries import drop_fast_index, entries, set_expiry
from tests.helpers import parse_posix_exports


def _expiry_served(home, *args: str, **env: str) -> str:
    done = home.run(*args, env=home.env(**env))
    assert done.returncode == 0, done.stderr
    if args[0] == "credential-process":
        return json.loads(done.stdout)["Expiration"]
    return parse_posix_exports(done.stdout)["AWS_CREDENTIAL_EXPIRATION"]


@pytest.mark.parametrize("path", ["fast", "full"])
@pytest.mark.parametrize("command, minutes_left, env, refreshed", [
    (("role", "deploy", "--shell", "sh"), 4, {}, True),
    (("role", "deploy", "--shell", "sh"), 6, {}, False),
    (("export", "deploy", "--shell", "sh"), 8, {"AWSENV_MIN_TTL": "600"}, True),
    (("export", "deploy", "--shell", "sh"), 12, {"AWSENV_MIN_TTL": "600"}, False),
    (("credential-process", "deploy"), 12, {}, True),
    (("credential-process", "deploy"), 16, {}, False),
    (("credential-process", "deploy"), 16, {"AWSENV_MIN_TTL": "1200"}, True),
])
def test_window_boundaries(role_home, sts, path, command, minutes_left, env, refreshed):
    home = role_home
    first = home.run(*command, env=home.env(**env))
    assert first.returncode == 0, first.stderr
    assert sts.actions() == ["AssumeRole"]
    planted = set_expiry(entries(home)["AssumeRole"], timedelta(minutes=minutes_left))
    if path == "full":
        drop_fast_index(home)
    served = _expiry_served(home, *command, **env)
    if refreshed:
        assert sts.actions() == ["AssumeRole", "AssumeRole"]
        assert served != planted
    else:
        assert sts.actions() == ["AssumeRole"]
        assert served == planted


def test_expired_entry_is_never_served_even_when_sts_is_unreachable(role_home, sts):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    set_expiry(entries(home)["AssumeRole"], timedelta(minutes=-1))
    done = home.run("role", "deploy", "--shell", "sh", env=home.env(AWS_ENDPOINT_URL_STS="http://127.0.0.1:9"))
    assert done.returncode == 1 and done.stdout == ""
    assert "deploy" in done.stderr
