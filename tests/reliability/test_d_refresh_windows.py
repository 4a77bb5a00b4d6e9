"""Expiry and refresh windows (cases D21-D23), with cache entries written to expire when the test chooses (no clock
is faked): what is too close to its end is renewed, what is past it is never handed out, and credential_process
keeps the SDKs' own 15-minute window so they do not run it again on every call."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest

from tests.cache_entries import drop_fast_index, entries, set_expiry
from tests.helpers import AWSENV, parse_posix_exports


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
    ("export", "deploy", "--format", "json"),
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


def _counting_credential_process(home) -> str:
    """An executable that logs each run and then is the installed `awsenv credential-process deploy`."""
    script = home.root / "counted-awsenv"
    script.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        echo run >> {home.root / 'process_runs'}
        exec {AWSENV} credential-process deploy
        """))
    script.chmod(0o755)
    return str(script)


_SDK_READS = """\
import json, sys
import botocore.session
session = botocore.session.Session(profile="deploy-sdk")
credentials = session.get_credentials()
keys = set()
for _ in range(100):  # an API call reads the credentials each time, refreshing them when botocore thinks it due
    keys.add(credentials.get_frozen_credentials().access_key)
print(json.dumps(sorted(keys)))
"""


def test_d23_credential_process_with_12_minutes_left_is_renewed_so_botocore_does_not_run_it_again(role_home, sts):
    """A real botocore Session reads the credentials 100 times, as 100 API calls would. botocore renews what has
    under 15 minutes left (its advisory window) by running the process again; were awsenv to serve the 12-minute
    entry, every read would run it."""
    home = role_home
    with open(home.config, "a") as config:
        config.write(f"[profile deploy-sdk]\ncredential_process = {_counting_credential_process(home)}\n")
    assert home.run("credential-process", "deploy").returncode == 0
    planted = set_expiry(entries(home)["AssumeRole"], timedelta(minutes=12))
    sdk = subprocess.run([sys.executable, "-c", _SDK_READS], env=home.env(), capture_output=True, text=True,
                         timeout=60)
    assert sdk.returncode == 0, sdk.stderr
    keys = json.loads(sdk.stdout)
    runs = (home.root / "process_runs").read_text().splitlines()
    assert len(runs) == 1  # botocore's first read; its 100 reads found no reason to run it again
    assert sts.actions() == ["AssumeRole", "AssumeRole"]  # the 12-minute entry was renewed, not served
    assert keys == [sts.calls[-1].issued]
    assert json.loads(entries(home)["AssumeRole"].read_text())["expiration"] != planted

