"""Run a command while awsenv stays its parent (the credential server must live exactly as long as the command).

The signals that would stop awsenv are blocked in its threads and taken one at a time with sigtimedwait, so none
interrupts the wait and none reaches the server's threads:
- a signal another process sent to awsenv (`kill`, a supervisor's SIGTERM, SIGHUP from a closing terminal's shell) is
  passed on to the command;
- a signal the kernel sent (Ctrl-C, Ctrl-\\, a window resize, a terminal hangup) went to the whole foreground process
  group, the command included, so it is not sent a second time.
awsenv waits for the command itself, not for processes it leaves behind: a daemon the command started outlives the
run, without the server.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
from contextlib import contextmanager
from typing import Iterator, Mapping, Sequence

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGWINCH, signal.SIGUSR1,
             signal.SIGUSR2)
_WAITED = set(FORWARDED) | {signal.SIGCHLD}
# Python ignores these; a command started by exec gets them back at their defaults.
_RESTORED = (signal.SIGPIPE, signal.SIGXFSZ)


@contextmanager
def signals_held() -> Iterator[None]:
    """Block the waited-for signals in this thread, and in every thread started inside (they inherit the mask)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _WAITED)
    try:
        yield
    finally:
        while signal.sigtimedwait(_WAITED, 0) is not None:
            pass  # taken now: the command has ended, and they were for it
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def spawn(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Start `argv` (looked up on the child's PATH, no shell) with every signal unblocked; its pid.

    FileNotFoundError when there is no such command, another OSError when it cannot run."""
    program = argv[0]
    if os.sep not in program:
        found = shutil.which(program, path=env.get("PATH", os.defpath))
        if found is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), program)
        program = found
    return os.posix_spawn(program, list(argv), dict(env), setsigmask=(), setsigdef=_RESTORED)


def wait(pid: int) -> int:
    """Wait for `pid`, passing on the signals awsenv is sent; its exit status (128+N when signal N killed it).

    Call inside `signals_held()`."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            code = os.waitstatus_to_exitcode(status)
            return 128 - code if code < 0 else code
        info = signal.sigtimedwait(_WAITED, 1.0)
        if info is None or info.si_signo == signal.SIGCHLD:
            continue
        if info.si_code <= 0:  # SI_USER, SI_QUEUE, SI_TKILL: sent by a process, to awsenv alone
            try:
                os.kill(pid, info.si_signo)
            except ProcessLookupError:
                pass
