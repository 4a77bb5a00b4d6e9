"""`awsenv credential-process` as the AWS CLI v2 and boto3 run it: accepted, cached, loops caught. (Refreshed rarely:
tests/reliability/test_d_refresh_windows.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from tests.cache_entries import ROLE
from tests.helpers import AWSENV, aws_cli_v2

pytestmark = pytest.mark.process


def _sdk_profile(home) -> None:
    """[profile sdk]: credentials from awsenv for `deploy`, through a wrapper that counts awsenv's runs."""
    wrapper = home.root / "counting-awsenv"
    wrapper.write_text(f"#!/bin/sh\necho run >> {home.root / 'awsenv_runs'}\nexec {AWSENV} \"$@\"\n")
    wrapper.chmod(0o755)
    home.write_config(home.config.read_text() + textwrap.dedent(f"""\
        [profile sdk]
        credential_process = {wrapper} credential-process deploy
        region = us-east-1
        """))


def _runs(home) -> int:
    path = home.root / "awsenv_runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


def _aws_identity(home, sts) -> dict:
    done = subprocess.run([aws_cli_v2(), "sts", "get-caller-identity", "--profile", "sdk", "--endpoint-url", sts.url,
                           "--output", "json"], env=home.env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_aws_cli_v2_uses_awsenv_and_the_second_call_is_served_from_the_cache(role_home, sts):
    home = role_home
    _sdk_profile(home)
    first = _aws_identity(home, sts)
    assert first["Arn"].startswith(f"arn:aws:sts::111111111111:assumed-role/{ROLE.rsplit('/', 1)[1]}/")
    assert sts.actions() == ["AssumeRole"]
    second = _aws_identity(home, sts)
    assert second["Arn"] == first["Arn"] and _runs(home) == 2
    assert sts.actions() == ["AssumeRole"]  # the second awsenv run made no STS call


BOTO3_CALLS = textwrap.dedent("""\
    import json, sys, boto3
    client = boto3.Session(profile_name="sdk").client("sts", endpoint_url=sys.argv[1])
    arns = {client.get_caller_identity()["Arn"] for _ in range(int(sys.argv[2]))}
    print(json.dumps(sorted(arns)))
    """)


def _boto3(home, sts, calls: int) -> list[str]:
    done = subprocess.run([sys.executable, "-c", BOTO3_CALLS, sts.url, str(calls)], env=home.env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_credential_process_loop_fails_fast_instead_of_waiting_on_itself(role_home, sts):
    home = role_home
    # mfa_process runs awsenv for the very profile being served: the inner call would wait on the outer's lock.
    home.write_config(home.config.read_text().replace(
        "region = eu-west-1", f"mfa_serial = arn:aws:iam::111111111111:mfa/alice\n"
                              f"mfa_process = {AWSENV} credential-process deploy\nregion = eu-west-1"))
    started = time.monotonic()
    done = home.run("credential-process", "deploy", env=home.env(AWSENV_LOCK_TIMEOUT="60"))
    assert time.monotonic() - started < 30
    assert done.returncode != 0 and done.stdout == ""
    assert "credential_process loop (deploy -> deploy)" in done.stderr
    assert sts.actions() == []


def test_no_terminal_and_nothing_cached_fails_fast_without_secrets(role_home, sts):
    home = role_home
    home.write_config(home.config.read_text().replace(
        "region = eu-west-1", "mfa_serial = arn:aws:iam::111111111111:mfa/alice\nregion = eu-west-1"))
    started = time.monotonic()
    done = home.run("credential-process", "deploy")
    assert time.monotonic() - started < 10
    assert done.returncode == 1 and done.stdout == ""
    assert "no terminal" in done.stderr and "profile 'base' needs an MFA code" in done.stderr
    assert "base/secret+key" not in done.stderr and sts.calls == []
