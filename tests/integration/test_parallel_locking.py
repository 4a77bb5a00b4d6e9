"""The cross-process lock: a killed holder frees it at once; a waiter that gives up names the holder."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from tests.helpers import AWSENV, TOTP_SEED
from tests.integration.test_parallel_credential_process import mfa_role


def _stalling_mfa_process(home) -> None:
    """mfa_process that, while the file `stall` exists, says it started and then hangs (a user not answering)."""
    script = home.root / "mfa_stall.py"
    script.write_text(textwrap.dedent(f"""\
        import os, time, pyotp
        if os.path.exists({str(home.root / 'stall')!r}):
            open({str(home.root / 'stalled')!r}, "w").close()
            time.sleep(120)
        print(pyotp.TOTP({TOTP_SEED!r}).now())
        """))
    home.write_config(home.config.read_text().replace(home.mfa_process(), f"{sys.executable} {script}"))


def _wait_for(path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_holder_killed_mid_call_frees_the_lock_at_once(home, sts):
    mfa_role(home, sts)
    _stalling_mfa_process(home)
    (home.root / "stall").touch()
    holder = subprocess.Popen([AWSENV, "credential-process", "prod"], env=home.env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    _wait_for(home.root / "stalled")  # the holder has the lock and waits for its MFA code
    waiter = subprocess.Popen([AWSENV, "credential-process", "prod"], env=home.env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.0)
    assert waiter.poll() is None  # waiting on the lock, not racing the holder
    (home.root / "stall").unlink()
    os.kill(holder.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    holder.wait()
    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode == 0, err
    assert time.monotonic() - killed_at < 15  # no stale-lock timeout: the kernel released the lock
    assert json.loads(out)["Version"] == 1
    assert sts.actions() == ["GetSessionToken", "AssumeRole"]
    assert not list(home.cache.glob("*.tmp")) and not list(home.cache.glob(".awsenv-*"))
    try:
        os.killpg(holder.pid, signal.SIGKILL)  # the stalled mfa_process, left in the holder's session
    except ProcessLookupError:
        pass


def test_a_waiter_that_times_out_names_the_pid_holding_the_lock(home, sts):
    mfa_role(home, sts)
    assert home.run("credential-process", "prod").returncode == 0
    entry = next(p for p in home.cache.glob("*.json") if json.loads(p.read_text())["kind"] == "AssumeRole")
    entry.unlink()  # a miss, so the next caller needs the lock this test holds
    with open(entry.with_suffix(".lock"), "r+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        started = time.monotonic()
        done = home.run("credential-process", "prod", env=home.env(AWSENV_LOCK_TIMEOUT="1"))
    assert done.returncode == 1 and done.stdout == ""
    assert time.monotonic() - started < 20
    assert f"process {os.getpid()} holds the lock" in done.stderr and "'prod'" in done.stderr
    assert sts.actions() == ["GetSessionToken", "AssumeRole"]
