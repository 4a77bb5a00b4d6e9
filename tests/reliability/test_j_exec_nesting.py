"""exec and nesting: a session started inside another one, and `awsenv exec` as faithful as running the command
itself (arguments, streams, the terminal, exit statuses, signals). The installed CLI against the STS stand-in."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pexpect
import pytest

from tests.cli.test_exec import _dev, _run_child
from tests.helpers import AWSENV, parse_posix_exports
from tests.shells.harness import DUMP_ENV

pytestmark = pytest.mark.process

# --- J46 -------------------------------------------------------------------------------------------------------------


def _dev_and_prod(home) -> None:
    """dev has a region, prod none: whatever region is left after switching to prod came from dev."""
    home.write_config("[profile dev]\nregion = eu-west-1\n[profile prod]\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n"
                           "[prod]\naws_access_key_id = AKIAIOSFODNN7PRODKEY\naws_secret_access_key = prod/secret\n")


def _inside_dev(home) -> dict[str, str]:
    """The environment of a shell that loaded dev's credentials, with a credential server and an old AWS_PROFILE."""
    done = home.run("user", "dev", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    held = {k: v for k, v in parse_posix_exports(done.stdout).items() if k.startswith(("AWS_", "AWSENV_"))}
    assert held["AWSENV_PROFILE"] == "dev" and held["AWS_REGION"] == "eu-west-1"
    return home.env(**held, AWS_PROFILE="old", AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:9/dev",
                    AWS_CONTAINER_AUTHORIZATION_TOKEN="dev-server-token")


def _check_prod_only(env: dict, dev_env: dict, sts) -> None:
    assert env["AWSENV_PROFILE"] == "prod"
    assert env["AWS_ACCESS_KEY_ID"] == sts.calls[-1].issued != dev_env["AWS_ACCESS_KEY_ID"]
    assert env["AWS_SESSION_TOKEN"] != dev_env["AWS_SESSION_TOKEN"]
    assert env["AWS_CREDENTIAL_EXPIRATION"].endswith("Z")
    for stale in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                  "AWS_CONTAINER_AUTHORIZATION_TOKEN"):
        assert stale not in env, stale
    assert env["AWS_CONFIG_FILE"] == dev_env["AWS_CONFIG_FILE"]  # not awsenv's: kept


def test_j46_nested_sessions(home, sts, tmp_path):
    """Inside an awsenv session for dev: `awsenv shell prod` is refused (exit 2, nothing asked of AWS) unless
    --force; `exec` and `eval` switch, which is what they are for (aws-vault refuses a nested exec; here a nested
    exec gets nothing of dev, and scripts run under `awsenv exec` may start another one). Every way in leaves
    prod's credentials alone: dev's region and credential server are gone, files named by the user are kept."""
    _dev_and_prod(home)
    dev_env = _inside_dev(home)
    calls = len(sts.calls)
    dump = tmp_path / "dump_env.py"
    dump.write_text(DUMP_ENV)

    def seen(name: str) -> dict:
        return {k: bytes.fromhex(v).decode() for k, v in json.loads((tmp_path / name).read_text()).items()}

    refused = home.run("shell", "prod", "--shell", "bash", env=dev_env)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert "already in an awsenv session for 'dev'; exit it first, or pass --force" in refused.stderr
    assert len(sts.calls) == calls

    forced = home.run("shell", "prod", "--force", "--shell", "bash", env=dev_env,
                      input=f"{sys.executable} {dump} {tmp_path / 'shell.json'}\nexit 5\n")
    assert forced.returncode == 5, forced.stderr
    _check_prod_only(seen("shell.json"), dev_env, sts)

    ran = home.run("exec", "prod", "--", sys.executable, str(dump), str(tmp_path / "exec.json"), env=dev_env)
    assert ran.returncode == 0, ran.stderr
    assert "replacing the credentials of profile 'dev' with 'prod'" in ran.stderr
    _check_prod_only(seen("exec.json"), dev_env, sts)

    evaled = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                             f'eval "$("{AWSENV}" user prod)" && "{sys.executable}" {dump} {tmp_path / "eval.json"}'],
                            env=dev_env, cwd=str(home.root), capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert evaled.returncode == 0, evaled.stderr
    _check_prod_only(seen("eval.json"), dev_env, sts)


# --- J47 -------------------------------------------------------------------------------------------------------------

def test_j47_arguments_verbatim_and_stdin_with_no_shell_and_no_secret_in_argv(home, sts):
    _dev(home)
    args = ["two words", "it's", '"double"', "$HOME", "`id`", "$(id)", "*", "--", "-h", "--help", "", "a\nb", "é😀"]
    done = _run_child(home, *args, stdin="line one\nline two\n")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["argv"] == args
    assert report["stdin"] == "line one\nline two\n"
    for secret in (report["env"]["AWS_SECRET_ACCESS_KEY"], report["env"]["AWS_SESSION_TOKEN"]):
        assert secret not in report["cmdline"] and secret not in done.stderr


# The status a shell sees for each way a command can end.
# (0 is the status of every other test here.)
STATUSES = [("exit 1", 1), ("exit 2", 2), ("not executable", 126), ("not found", 127),
            ("killed by SIGTERM", 128 + signal.SIGTERM)]


def test_j47_exit_statuses_pass_through(home, sts, tmp_path):
    """Each run from a real shell, as a user would see `$?`; 126 and 127 come with a message naming the command.
    A command killed by a signal is seen as 128+N: awsenv became the command (execve), so the signal kills it."""
    _dev(home)
    plain = tmp_path / "plain-file"
    plain.write_text("#!/bin/sh\necho never\n")
    plain.chmod(0o644)
    commands = {
        "exit 1": f"{sys.executable} -c 'import sys; sys.exit(1)'",
        "exit 2": f"{sys.executable} -c 'import sys; sys.exit(2)'",
        "not executable": str(plain),
        "not found": "awsenv-no-such-command-here x",
        "killed by SIGTERM": f"{sys.executable} -c 'import os; os.kill(os.getpid(), 15)'",
    }
    script = "".join(f'"{AWSENV}" exec dev -- {command} 2>>{tmp_path / "err"}; echo "{name}=$?"\n'
                     for name, command in commands.items())
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], env=home.env(), cwd=str(home.root),
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    seen = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert {name: int(seen[name]) for name in commands} == dict(STATUSES), done.stdout
    errors = (tmp_path / "err").read_text()
    assert f"cannot run {plain}: permission denied" in errors
    assert "command not found: awsenv-no-such-command-here" in errors
    assert "Traceback" not in errors


# Handles SIGINT and SIGTERM; says it is ready on the file it is given; exits with 100 + the signal it got.
SIGNALLED = """
import os, signal, sys, time
got = []
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda signum, frame: got.append(signum))
open(sys.argv[1], "w").write(str(os.getpid()))
deadline = time.monotonic() + 30
while not got and time.monotonic() < deadline:
    time.sleep(0.02)
sys.exit(100 + got[0] if got else 99)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_j47_signals_sent_to_awsenv_reach_the_command(home, sts, tmp_path, signum):
    """A supervisor's SIGTERM or a `kill -INT` aimed at the pid it started reaches the command and nothing else."""
    _dev(home)
    ready = tmp_path / "ready"
    proc = subprocess.Popen([AWSENV, "exec", "dev", "--", sys.executable, "-c", SIGNALLED, str(ready)],
                            env=home.env(), cwd=str(home.root), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (ready.exists() and ready.read_text()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 100 + signum, err


def test_j47_the_terminal_is_inherited(home, sts):
    """An interactive command (terraform apply asking "yes") reads and writes the user's terminal."""
    _dev(home)
    asks = ("import os, sys; print('ttys', os.isatty(0), os.isatty(1), os.isatty(2)); "
            "answer = input('Enter a value: '); print('you said', answer); sys.exit(3 if answer == 'yes' else 4)")
    child = pexpect.spawn(AWSENV, ["exec", "dev", "--", sys.executable, "-c", asks], env=home.env(),
                          cwd=str(home.root), encoding="utf-8", timeout=30)
    try:
        child.expect_exact("ttys True True True")
        child.expect_exact("Enter a value: ")
        child.sendline("yes")
        child.expect_exact("you said yes")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 3

