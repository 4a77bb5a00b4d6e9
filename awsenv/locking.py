"""A cross-process lock per cache key: a kernel lock (flock) that dies with its holder.

The holder writes its pid into the lock file, and, while it waits on the user (an MFA code, a browser sign-in),
what it waits for: a waiter that gives up names both."""

from __future__ import annotations

import fcntl
import os
import sys
import time
from contextlib import contextmanager
from typing import Iterator, Optional

from awsenv.errors import AwsenvError, UsageError

_held: list[int] = []  # the lock files this process holds, as open descriptors
# How long a waiter stays silent: a lock is usually held for one STS call, well under a second.
_QUIET_WAIT = 1.0


@contextmanager
def held(path: str, what: str, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created 0600). The holder's pid is written in it for waiters to name."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        started = time.monotonic()
        deadline = started + timeout
        delay = 0.01
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    pid, note = _holder(fd)
                    raise AwsenvError(
                        f"timed out after {timeout:.0f}s waiting for {what}: process {pid} holds the lock"
                        + (f" and is {note}" if note else ""),
                        hint="let that process finish (it may be waiting for an MFA code or a browser login), "
                             "or stop it",
                    ) from None
                if not told and time.monotonic() - started >= _QUIET_WAIT:
                    pid, note = _holder(fd)
                    print(f"awsenv: waiting for process {pid}, which holds the lock for {what}"
                          + (f" and is {note}" if note else "") + " (Ctrl-C cancels)", file=sys.stderr)
                    told = True
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        _describe(fd, _note)
        _held.append(fd)
        try:
            yield
        finally:
            _held.remove(fd)
    finally:
        os.close(fd)  # closing releases the flock


_note: Optional[str] = None


@contextmanager
def waiting_on_user(note: str) -> Iterator[None]:
    """While this block runs, processes waiting on a lock this process holds are told `note` if they give up."""
    global _note
    previous, _note = _note, note
    for fd in _held:
        _describe(fd, note)
    try:
        yield
    finally:
        _note = previous
        for fd in _held:
            _describe(fd, previous)


def _describe(fd: int, note: Optional[str]) -> None:
    text = str(os.getpid()) + (f"\n{note}" if note else "")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode(), 0)
    except OSError:
        pass


def _holder(fd: int) -> tuple[str, str]:
    """The holder's pid and what it said it waits for ("" when nothing), as written in the lock file."""
    try:
        pid, _, note = os.pread(fd, 512, 0).decode(errors="replace").strip().partition("\n")
    except OSError:
        return "unknown", ""
    return pid.strip() or "unknown", note.strip()


# Longer than a device code lives (600 s) and than anyone takes to type an MFA code: a waiter outlasts the
# process that is signing in. A killed holder frees its kernel lock at once, so this only bounds a stuck one.
DEFAULT_LOCK_TIMEOUT = 900.0


def lock_timeout(environ=os.environ) -> float:
    """How long to wait for another awsenv process (e.g. one waiting for an MFA code): AWSENV_LOCK_TIMEOUT seconds."""
    raw = environ.get("AWSENV_LOCK_TIMEOUT")
    try:
        return max(float(raw), 0.0) if raw else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        raise UsageError(f"AWSENV_LOCK_TIMEOUT={raw!r} is not a number of seconds") from None
