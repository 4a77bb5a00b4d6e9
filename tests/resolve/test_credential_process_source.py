"""credential_process as a profile's own source and as the root of a role chain: run without a shell, Version 1
checked, cached until its Expiration (never without one), its stderr passed through but never quoted. (A burst of
parallel callers: tests/reliability/test_c_concurrency.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.aws_data_path import aws_data_path
from tests.helpers import AWSENV, aws_cli_v2, parse_posix_exports

pytestmark = pytest.mark.in_process

OPS = "arn:aws:iam::123456789012:role/Ops"
PROCESS_KEY = "ASIAPROCESSKEY123456"
LEAK = "stderr-SECRET-must-not-be-quoted"


def process_script(home, name: str, *, expiration: str | None = "+1h", version=1, body: str | None = None,
                   exit_status: int = 0, sleep: float = 0, key: str = PROCESS_KEY) -> str:
    """A credential_process program under HOME that logs each run to `<name>.runs` and answers as told; returns
    the command line for the profile (its path has a space, so it only works if split like botocore does)."""
    folder = home.root / "my tools"
    folder.mkdir(exist_ok=True)
    script = folder / f"{name}.py"
    script.write_text(textwrap.dedent(f"""\
        import datetime, json, sys, time
        with open({str(home.root / (name + '.runs'))!r}, "a") as log:
            log.write(" ".join(sys.argv[1:]) + "\\n")
        print({LEAK!r}, file=sys.stderr)
        time.sleep({sleep})
        if {exit_status}:
            sys.exit({exit_status})
        body = {body!r}
        if body is not None:
            print(body)
            sys.exit(0)
        doc = {{"Version": {version!r}, "AccessKeyId": {key!r}, "SecretAccessKey": "process/secret",
               "SessionToken": "process-token"}}
        if {expiration!r}:
            delta = datetime.timedelta(hours=1) if {expiration!r} == "+1h" else datetime.timedelta(minutes=5)
            doc["Expiration"] = (datetime.datetime.now(datetime.timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
        print(json.dumps(doc))
        """))
    return f'{sys.executable} "{script}" --arg "two words"'


def runs(home, name: str) -> list[str]:
    path = home.root / f"{name}.runs"
    return path.read_text().splitlines() if path.exists() else []


def setup(home, **script) -> None:
    home.write_config(f"""\
        [profile vault]
        credential_process = {process_script(home, "vault", **script)}
        region = eu-west-1
        [profile ops]
        source_profile = vault
        role_arn = {OPS}
        """)


def ours(stderr: str) -> str:
    return "\n".join(line for line in stderr.splitlines() if line.startswith("awsenv:"))


def test_a_process_with_an_expiration_is_run_once_and_then_served_from_the_cache(home, sts):
    setup(home)
    first = home.run("export", "vault", "--shell", "sh")
    assert first.returncode == 0, first.stderr
    exported = parse_posix_exports(first.stdout)
    assert exported["AWS_ACCESS_KEY_ID"] == PROCESS_KEY and exported["AWS_SESSION_TOKEN"] == "process-token"
    assert exported["AWS_CREDENTIAL_EXPIRATION"].endswith("Z") and exported["AWS_REGION"] == "eu-west-1"
    assert runs(home, "vault") == ["--arg two words"]  # split as botocore does, no shell in between
    assert first.stderr.count(LEAK) == 1 and LEAK not in ours(first.stderr)  # its stderr reached the user as is
    again = home.run("credential-process", "vault")
    assert json.loads(again.stdout)["AccessKeyId"] == PROCESS_KEY
    assert len(runs(home, "vault")) == 1
    assert sts.calls == []


def test_a_process_without_an_expiration_is_never_cached(home, sts):
    setup(home, expiration=None)
    for _ in range(2):
        done = home.run("export", "vault", "--shell", "sh")
        assert done.returncode == 0, done.stderr
        assert "AWS_CREDENTIAL_EXPIRATION" not in parse_posix_exports(done.stdout)
    assert len(runs(home, "vault")) == 2
    assert not list(home.cache.glob("*.json"))


@pytest.mark.process
def test_a_role_on_a_process_is_signed_by_the_process_key_and_matches_the_aws_cli(home, sts, tmp_path):
    setup(home)
    done = home.run("export", "ops", "--shell", "sh")
    assert done.returncode == 0, done.stderr
    assume = [c for c in sts.calls if c.action == "AssumeRole"]
    assert len(assume) == 1 and assume[0].caller == PROCESS_KEY and assume[0].params["RoleArn"] == OPS
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == assume[0].issued
    # The AWS CLI resolving the same profile makes the same call, signed by the same key.
    start = len(sts.calls)
    cli = subprocess.run([aws_cli_v2(), "sts", "get-caller-identity", "--profile", "ops", "--endpoint-url", sts.url],
                         env=home.env(AWS_DATA_PATH=aws_data_path(tmp_path / "data", {"sts": sts.url}),
                                      AWS_DEFAULT_REGION="us-east-1"), capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    theirs = [(c.action, c.caller, c.params.get("RoleArn")) for c in sts.calls[start:] if c.action == "AssumeRole"]
    assert theirs == [("AssumeRole", PROCESS_KEY, OPS)]


def test_wrong_answers_fail_naming_the_profile_and_never_quote_the_program(home, sts):
    cases = {
        "version": dict(version=2),
        "string-version": dict(version="1"),
        "not-json": dict(body="AKIA-not-json " + LEAK),
        "missing-secret": dict(body=json.dumps({"Version": 1, "AccessKeyId": "AKIAONLYKEY"})),
        "bad-expiration": dict(body=json.dumps({"Version": 1, "AccessKeyId": "AKIAX", "SecretAccessKey": LEAK,
                                                "Expiration": "tomorrow-ish " + LEAK})),
        "exit": dict(exit_status=3),
    }
    said = {}
    for name, script in cases.items():
        home.write_config(f"[profile {name}]\ncredential_process = {process_script(home, name, **script)}\n")
        for command in (("export", name, "--shell", "sh"), ("credential-process", name)):
            done = home.run(*command)
            assert (done.returncode, done.stdout) == (1, ""), (name, done.stderr)
            assert f"profile {name!r}" in ours(done.stderr), (name, done.stderr)
            assert LEAK not in ours(done.stderr), name  # what the program printed is never repeated
            assert "Traceback" not in done.stderr
            said[name] = ours(done.stderr)
    assert "exit status 3" in said["exit"]
    assert "Version 1" in said["version"] and "Version 1" in said["string-version"]


@pytest.mark.process
def test_a_missing_program_is_reported_and_a_loop_through_awsenv_stops(home, sts):
    home.write_config(f"""\
        [profile gone]
        credential_process = /nonexistent/vault-helper export
        [profile loop]
        credential_process = {AWSENV} credential-process loop
        """)
    gone = home.run("export", "gone", "--shell", "sh")
    assert (gone.returncode, gone.stdout) == (1, "") and "vault-helper" in gone.stderr
    loop = home.run("export", "loop", "--shell", "sh", timeout=60)
    assert loop.returncode != 0 and loop.stdout == ""
    assert "credential_process loop" in loop.stderr


@pytest.mark.process
def test_the_aws_cli_reads_a_process_profile_through_awsenv(home, sts, tmp_path):
    setup(home)
    with open(home.config, "a") as config:
        config.write(f"[profile vault-sdk]\ncredential_process = {AWSENV} credential-process vault\n")
    env = home.env(AWS_DATA_PATH=aws_data_path(tmp_path / "data", {"sts": sts.url}), AWS_DEFAULT_REGION="us-east-1",
                   PATH=os.path.dirname(AWSENV) + os.pathsep + os.environ["PATH"])
    cli = subprocess.run([aws_cli_v2(), "sts", "get-caller-identity", "--profile", "vault-sdk", "--endpoint-url",
                          sts.url], env=env, capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    assert [c.caller for c in sts.calls if c.action == "GetCallerIdentity"] == [PROCESS_KEY]
    assert Path(home.root / "vault.runs").exists()


def test_the_console_signs_in_with_a_process_profile_and_a_role_on_it(home, sts):
    from tests.servers import federation_server

    setup(home)
    state, server = federation_server.start()
    try:
        for name in ("vault", "ops"):
            done = home.run("console", name, "--print", env=home.env(AWSENV_SIGNIN_URL=state.url))
            assert done.returncode == 0, done.stderr
            assert done.stdout.startswith(state.url + "/federation?Action=login")
    finally:
        server.shutdown()
    assume = next(c for c in sts.calls if c.action == "AssumeRole")
    assert [s["sessionId"] for s in state.sessions] == [PROCESS_KEY, assume.issued]
