"""A cross-process lock per cache key: a kernel lock (flock) that dies with its holder."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from typing import Iterator

from awsenv.errors import AwsenvError

@contextmanager
def held(path: str, what: str, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created 0600). The holder's pid is written in it for waiters to name."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise AwsenvError(
                        f"timed out after {timeout:.0f}s waiting for {what}: process {_holder(fd)} holds the lock",
                        hint="let that process finish (it may be waiting for an MFA code or a browser login), "
                             "or stop it",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError:
            pass  # e.g. a full disk: the pid only helps a waiter's message; the kernel lock is held all the same
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip() or "unknown"
    except OSError:
        return "unknown"
