"""Interactivity: no terminal, the MFA prompt beside `eval`, Ctrl-C at every wait, and a reader that goes away.

Everything runs the installed CLI: on a pty (pexpect) where a person would be typing, in a new session with no
controlling terminal (setsid) where a program runs it, and against the local STS and SSO stand-ins.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pexpect
import pyotp
import pytest

from tests.helpers import AWSENV, MFA_SERIAL, TOTP_SEED
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.process

PROD = "arn:aws:iam::111111111111:role/prod-admin"
EXPORT_LINE = re.compile(r"(export [A-Z_]+='[^'\n]*'|unset [A-Z_]+);?")


def _prod(home, sts, mfa: bool) -> None:
    """[profile prod]: a role assumed with the [base] keys, with or without an MFA device."""
    home.write_base_keys()
    extra = ""
    if mfa:
        sts.seeds[MFA_SERIAL] = TOTP_SEED
        sts.roles[PROD] = RoleRule(require_mfa=True)
        extra = f"mfa_serial = {MFA_SERIAL}\n"
    home.write_config(f"[profile prod]\nrole_arn = {PROD}\nsource_profile = base\nregion = eu-west-1\n{extra}")


def _spawn(command: str, env: dict, cwd: Path) -> tuple[pexpect.spawn, io.StringIO]:
    """`bash -c COMMAND` on a new pty (the controlling terminal); everything shown on it is kept."""
    child = pexpect.spawn("bash", ["--norc", "--noprofile", "-c", command], env=env, cwd=str(cwd),
                          encoding="utf-8", timeout=30, dimensions=(50, 250))
    transcript = io.StringIO()
    child.logfile_read = transcript
    return child, transcript


# --- F32 -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stdin", ["devnull", "open-pipe"])
def test_f32_no_terminal_fails_at_once_and_dev_tty_is_used_when_there(home, sts, stdin):
    """Without a controlling terminal (setsid) the MFA code cannot be asked for: awsenv fails at once, never reads
    stdin (an open pipe nobody writes to would block it forever), prints nothing on stdout and says what to do."""
    _prod(home, sts, mfa=True)
    # The same start and the same failure path, with a refusal that needs no terminal: what "at once" costs here.
    started = time.monotonic()
    assert home.run("role", "prod", "--mfa-code", "12345").returncode == 2
    baseline = time.monotonic() - started
    out, err = home.root / "stdout", home.root / "stderr"
    with open(out, "w") as out_file, open(err, "w") as err_file:
        started = time.monotonic()
        proc = subprocess.Popen([AWSENV, "role", "prod", "--shell", "bash"], env=home.env(), cwd=str(home.root),
                                stdin=subprocess.DEVNULL if stdin == "devnull" else subprocess.PIPE,
                                stdout=out_file, stderr=err_file, start_new_session=True)
        try:
            status = proc.wait(timeout=10)
        finally:
            proc.kill()
            if proc.stdin:
                proc.stdin.close()
        elapsed = time.monotonic() - started
    message = err.read_text()
    assert status == 1, message
    assert elapsed < baseline + 1.0, f"took {elapsed:.1f}s (a malformed code is refused in {baseline:.1f}s)"
    assert out.read_text() == ""
    assert "needs an MFA code" in message and "no terminal" in message
    assert "--mfa-code" in message and "mfa_process" in message and "from a terminal" in message
    assert "Traceback" not in message
    assert sts.calls == []


def test_f32_with_pipes_around_it_the_prompt_goes_to_the_terminal(home, sts):
    """As under terraform run from a terminal: stdin and stdout are pipes, /dev/tty is the pty; the prompt is shown
    there, the code is read from there, and stdout carries only the exports."""
    _prod(home, sts, mfa=True)
    out = home.root / "out"
    # stdin: a pipe nobody writes to (sleep holds it open); stdout: a file
    stdin = "<(exec sleep 30 2>/dev/null </dev/null)"
    child, transcript = _spawn(f'"{AWSENV}" role prod --shell bash > {out} < {stdin}; echo "status=$?"',
                               home.env(), home.root)
    try:
        child.expect_exact(f"MFA code for {MFA_SERIAL} (")
        child.sendline(pyotp.TOTP(TOTP_SEED).now())
        child.expect(r"status=(\d+)")
        status = int(child.match.group(1))
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert status == 0, transcript.getvalue()
    printed = out.read_text()
    assert all(EXPORT_LINE.fullmatch(line) for line in printed.splitlines()), printed
    assert f"export AWS_ACCESS_KEY_ID='{sts.calls[-1].issued}'" in printed
    assert [c.status for c in sts.calls] == [200, 200] and len(sts.codes_sent()) == 1


# --- F33 -------------------------------------------------------------------------------------------------------------

def test_f33_eval_with_an_mfa_prompt_gets_only_assignments(home, sts):
    """A person at an interactive bash types `eval "$(awsenv role prod)"`: the prompt shows on the terminal, the
    typed code is taken, and the text eval receives (copied by tee on its way) is assignments only."""
    _prod(home, sts, mfa=True)
    env = home.env(PATH=os.path.dirname(AWSENV) + os.pathsep + os.environ["PATH"], PS1="READY> ", TERM="dumb")
    child = pexpect.spawn("bash", ["--norc", "--noprofile", "-i"], env=env, cwd=str(home.root), encoding="utf-8",
                          timeout=30, dimensions=(50, 250))
    transcript = io.StringIO()
    child.logfile_read = transcript
    captured = home.root / "captured"
    try:
        child.expect_exact("READY> ")
        child.sendline(f'eval "$(awsenv role prod | tee {captured})"; echo "loaded=$AWSENV_PROFILE:$AWS_ACCESS_KEY_ID"')
        child.expect_exact(f"MFA code for {MFA_SERIAL} (")
        child.sendline(pyotp.TOTP(TOTP_SEED).now())
        child.expect(r"loaded=(\S*):(\S*)\r?\n")
        profile, key = child.match.group(1), child.match.group(2)
        child.expect_exact("READY> ")
        child.sendline("exit 0")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert (profile, key) == ("prod", sts.calls[-1].issued), transcript.getvalue()
    lines = captured.read_text().splitlines()
    assert lines and all(EXPORT_LINE.fullmatch(line) for line in lines), lines
    assert "MFA" not in captured.read_text()


# --- F34 -------------------------------------------------------------------------------------------------------------

def _held_locks(root: Path) -> list[Path]:
    """Lock files some process still holds (a child that inherited the descriptor would keep one)."""
    held = []
    for path in root.rglob("*.lock"):
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.append(path)
        finally:
            os.close(fd)
    return held


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _wait_for(event, what: str) -> None:
    assert event.wait(30), f"{what} never happened"


STAGES = ["mfa-prompt", "sso-device-poll", "pkce-callback-wait", "lock-wait", "sts-call"]


@pytest.mark.parametrize("stage", STAGES)
def test_f34_ctrl_c_at_every_wait_exits_130_cleanly(request, home, sts, stage):
    """Ctrl-C typed on the terminal (the pty's interrupt character, so the whole foreground group gets SIGINT) at
    each place awsenv waits. Afterwards: status 130, no traceback, the terminal's echo and line mode as before, no
    lock still held, no half-written or temporary file, nothing on stdout for eval to run; and a next run
    proceeds."""
    out = home.root / "out"
    env = home.env()
    command = "role prod --shell bash"
    holder = None
    allowed_new: set[Path] = set()
    if stage in ("sso-device-poll", "pkce-callback-wait"):
        sso_home, sso = request.getfixturevalue("sso_home"), request.getfixturevalue("sso")
        if stage == "sso-device-poll":
            sso.approve_on_verify = True  # never approved: the poll goes on
            env, command, waiting = sso_home.env(), "sso dev --shell bash --no-browser", "Waiting for approval"
        else:
            sso.approve_page = True  # never allowed: no redirect reaches the listener
            env = sso_home.env(BROWSER=sso_home.browser_script())
            command, waiting = "sso dev --shell bash", "Waiting for the browser"
        allowed_new = {sso_home.registration_path(), home.root / "browser.py", home.root / "browser.log"}
    else:
        _prod(home, sts, mfa=stage == "mfa-prompt")
        waiting = f"MFA code for {MFA_SERIAL} (" if stage == "mfa-prompt" else None
        if stage in ("lock-wait", "sts-call"):
            sts.hold_when = lambda action, caller: action == "AssumeRole"
        if stage == "lock-wait":
            # Another awsenv holds the profile's lock while its AssumeRole reply is held back.
            holder = subprocess.Popen([AWSENV, "role", "prod", "--shell", "bash"], env=env, cwd=str(home.root),
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, start_new_session=True)
            _wait_for(sts.held, "the holder's AssumeRole")
            waiting = "waiting for process"
    out.write_text("")
    before = _files(home.root)
    child, transcript = _spawn(f'"{AWSENV}" {command} > {out}; echo "status=$?"; stty -a', env, home.root)
    try:
        if waiting:
            child.expect_exact(waiting)
            if stage == "lock-wait":
                child.expect(rf" {holder.pid}, which holds the lock for ")  # the holder named by its pid
        else:
            _wait_for(sts.held, "the AssumeRole call")
        time.sleep(0.2)  # well inside the wait
        child.sendintr()
        child.expect(r"status=(\d+)")
        status = int(child.match.group(1))
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
        sts.release.set()
    shown = transcript.getvalue()
    assert status == 130, shown
    assert "interrupted" in shown and "Traceback" not in shown
    settings = shown.rsplit("status=", 1)[1]
    assert re.search(r"(?<![-\w])echo(?!\w)", settings) and re.search(r"(?<![-\w])icanon(?!\w)", settings), settings
    assert out.read_text() == ""
    if holder is not None:
        done_out, done_err = holder.communicate(timeout=30)
        assert holder.returncode == 0, done_err  # the holder was never disturbed
        allowed_new |= _files(home.root) - before  # its own complete cache entry
    sts.hold_when = None
    assert _held_locks(home.root) == []
    new = {p for p in _files(home.root) - before if p.suffix != ".lock"} - allowed_new
    assert new == set(), new
    assert not [p for p in _files(home.root) if p.name.endswith(".tmp")]
    for path in allowed_new & _files(home.root):
        if path.suffix == ".json":
            json.loads(path.read_text())  # complete
    if stage == "lock-wait":  # a next run that must call STS (no cached entry lasts 12h) takes the lock at once
        fresh = home.env(AWSENV_LOCK_TIMEOUT="0", AWSENV_MIN_TTL="43200")
        calls = len(sts.calls)
        again = home.run("role", "prod", "--shell", "bash", env=fresh)
        assert again.returncode == 0, again.stderr
        assert len(sts.calls) > calls  # not a cache hit: it took the lock
        assert "export AWS_ACCESS_KEY_ID=" in again.stdout


@pytest.mark.parametrize(("cached", "reader"), [(False, "head -c 10"), (True, "true")],
                         ids=["fresh-head", "cached-gone-before"])
def test_f34_a_reader_that_goes_away_ends_quietly(home, sts, reader, cached):
    """`awsenv role prod | head -c 10`, and a reader gone before the first byte (`| true`): no traceback, no
    "Exception ignored", on the full path and on the cache-hit path."""
    _prod(home, sts, mfa=False)
    if cached:
        assert home.run("role", "prod", "--shell", "bash").returncode == 0
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                           f'"{AWSENV}" role prod --shell bash | {reader}; echo "status=${{PIPESTATUS[0]}}" >&2'],
                          env=home.env(), cwd=str(home.root), capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, start_new_session=True)
    status = int(re.search(r"status=(\d+)", done.stderr).group(1))
    noise = done.stderr.replace(f"status={status}", "").strip()
    assert status in (0, 1) and noise == "", done.stderr
