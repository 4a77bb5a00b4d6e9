"""Expiry and refresh windows (cases D21-D23), with cache entries written to expire when the test chooses (no clock
is faked): what is too close to its end is renewed, what is past it is never handed out, and credential_process
keeps the SDKs' own 15-minute window so they do not run it again on every call."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import pytest

from tests.cache_entries import drop_fast_index, entries, set_expiry
from tests.helpers import parse_posix_exports
from tests.e2e.test_credential_process_clients import _boto3, _runs, _sdk_profile

pytestmark = pytest.mark.process


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
def test_d21_window_boundaries(role_home, sts, path, command, minutes_left, env, refreshed):
    """The default window is 5 min (credential-process: 15); AWSENV_MIN_TTL sets it, never below those 15."""
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


UNREACHABLE = "http://127.0.0.1:9"


@pytest.mark.parametrize("command", [
    ("role", "deploy", "--shell", "sh"),
    ("credential-process", "deploy"),
    ("exec", "deploy", "--", sys.executable, "-c", "import os; print(os.environ.get('AWS_ACCESS_KEY_ID'))"),
])
def test_d22_expired_entry_is_never_served_even_when_sts_is_unreachable(role_home, sts, command):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    cached = json.loads(entries(home)["AssumeRole"].read_text())
    set_expiry(entries(home)["AssumeRole"], timedelta(minutes=-1))
    done = home.run(*command, env=home.env(AWS_ENDPOINT_URL_STS=UNREACHABLE, AWS_MAX_ATTEMPTS="1",
                                            AWS_RETRY_MODE="standard"), timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert "'deploy'" in done.stderr
    assert "cached credentials" in done.stderr and "expired" in done.stderr  # why none were served
    for secret in cached["credentials"].values():
        assert not secret or secret not in done.stderr


def test_d23_boto3_runs_awsenv_once_for_many_calls_even_near_its_window(role_home, sts):
    """A real boto3 Session on `credential_process = awsenv credential-process deploy` (through a wrapper that
    counts the runs). botocore renews what has under 15 minutes left (its advisory window) by running the process
    again; were awsenv to serve an entry with 12 minutes left, each of the 100 API calls would run it."""
    home = role_home
    _sdk_profile(home)
    arns = _boto3(home, sts, 25)
    assert len(arns) == 1 and ":assumed-role/deploy/" in arns[0]
    assert _runs(home) == 1 and sts.actions() == ["AssumeRole"]
    assert _boto3(home, sts, 5) == arns and _runs(home) == 2 and sts.actions() == ["AssumeRole"]
    # 12 minutes left is inside botocore's 15-minute advisory window: awsenv refreshes instead of serving it,
    # so the SDK gets credentials it will not ask to refresh again on every call.
    entry = next(p for p in home.cache.glob("*.json") if json.loads(p.read_text())["kind"] == "AssumeRole")
    set_expiry(entry, timedelta(minutes=12))
    planted = json.loads(entry.read_text())["expiration"]
    assert _boto3(home, sts, 100) == arns
    assert _runs(home) == 3 and sts.actions() == ["AssumeRole", "AssumeRole"]
    assert json.loads(entry.read_text())["expiration"] != planted
