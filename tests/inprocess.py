"""awsenv's command line run inside the test process: the same entry as the installed binary (awsenv.main.run), with
the environment, working directory, argv and standard streams of a fresh process, and what a process would not carry
over to the next run reset afterwards. A run costs tens of times less than starting the binary (whose cost is
Python's start and the botocore import), so behaviour tests (exit codes, stdout/stderr, messages, flows against the
local STS gate and SSO stand-in) run here; a test where the process itself is the point (import time, terminals,
signals, concurrency, shells, exec) starts the binary and carries the `process` mark.

What one run changes and what is put back:
- os.environ (replaced in place for the run, so every `environ=os.environ` default sees it), the working directory,
  sys.argv, the umask, signal dispositions;
- file descriptors 0, 1 and 2 and sys.stdin/stdout/stderr: stdin reads the given input (else /dev/null), stdout and
  stderr go to files read back afterwards, so what `drop_stdout`'s dup2 does to descriptor 1 ends with the run;
- the secrets awsenv.redact remembers, the keyring backend keyring chose (it reads PYTHON_KEYRING_BACKEND once),
  the browsers `webbrowser` found (it reads BROWSER once), --debug's logging handlers and levels, the locks
  awsenv.locking notes as held, botocore's partition patterns.

Commands that replace or supervise the process (`exec`, `shell`) always start the binary. So does every run when
this process cannot be detached from a controlling terminal (a test would otherwise prompt on the developer's
terminal): pytest's xdist workers (`-n 2`, as the Makefile runs them) can be; a plain `pytest` started from a
terminal cannot, and is then as slow as before, not wrong.

Runs from several threads of a test take turns (the streams and the environment are the process's). Whatever the
test servers running in this process print during a run would be read as awsenv's: they stay quiet
(tests/servers/loopback.QuietHandler).
"""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
import tempfile
import threading
from typing import Mapping, Optional

PROCESS_COMMANDS = ("exec", "shell")
BINARY = os.path.join(os.path.dirname(sys.executable), "awsenv")  # argv[0] of the binary the tests start
_SIGNALS = tuple(getattr(signal, name) for name in (
    "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGPIPE", "SIGCHLD", "SIGXFSZ", "SIGTSTP", "SIGTTIN", "SIGTTOU",
    "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGWINCH") if hasattr(signal, name))
_LOGGERS = ("awsenv", "botocore", "boto3", "urllib3", "s3transfer")
_detached: Optional[bool] = None
_one_at_a_time = threading.Lock()


def can_run_here(argv: list[str]) -> bool:
    """Whether `awsenv ARGV` can run in this process (else it must start the binary)."""
    words = [word for word in argv if not word.startswith("-")]
    return bool(not words or words[0] not in PROCESS_COMMANDS) and _without_terminal()


def _without_terminal() -> bool:
    """True when this process has no controlling terminal, detaching it (a new session) when it can."""
    global _detached
    if _detached is None:
        _detached = not _has_terminal()
        if not _detached:
            try:
                os.setsid()  # fails for a process group leader (pytest run from a shell without -n)
            except OSError:
                pass
            _detached = not _has_terminal()
    return _detached


def _has_terminal() -> bool:
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
        return True
    except OSError:
        return False


def run(argv: list[str], env: Mapping[str, str], input: Optional[str] = None,
        cwd: Optional[str] = None) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `awsenv ARGV` run here, as subprocess.run(text=True) would give them."""
    with _one_at_a_time:
        return _run(argv, env, input, cwd)


def _run(argv: list[str], env: Mapping[str, str], input: Optional[str], cwd: Optional[str]) -> tuple[int, str, str]:
    from awsenv import main

    saved = _Saved(cwd)
    stdin_file = tempfile.TemporaryFile()
    if input is not None:
        stdin_file.write(input.encode("utf-8"))
        stdin_file.seek(0)
    out_file, err_file = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    try:
        _reset()
        os.environ.clear()
        os.environ.update(env)
        sys.argv = [BINARY, *argv]
        for fd, source in ((0, stdin_file if input is not None else None), (1, out_file), (2, err_file)):
            if source is None:
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.close(null)
            else:
                os.dup2(source.fileno(), fd)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8", errors="surrogateescape")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="surrogateescape")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                      line_buffering=True)
        try:
            code = main.run(list(argv))
        except SystemExit as leaving:  # a sys.exit deep in a command, as the interpreter would take it
            code = leaving.code if isinstance(leaving.code, int) else (0 if leaving.code is None else 1)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()  # the interpreter's flush at exit; whatever drop_stdout dropped stays dropped
            except (OSError, ValueError):
                pass
    finally:
        saved.restore()
        _reset()
    return code, _read(out_file), _read(err_file)


def _read(file) -> str:
    file.seek(0)
    text = file.read().decode("utf-8")
    file.close()
    return text.replace("\r\n", "\n").replace("\r", "\n")  # subprocess's universal newlines, for the same answers


class _Saved:
    """What a run may change in this process, taken before it."""

    def __init__(self, cwd: Optional[str]) -> None:
        self.environ = dict(os.environ)
        self.cwd = os.getcwd()
        if cwd:
            os.chdir(cwd)
        self.argv = sys.argv
        self.streams = (sys.stdin, sys.stdout, sys.stderr)
        for stream in self.streams[1:]:
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        self.fds = [os.dup(fd) for fd in (0, 1, 2)]
        self.umask = os.umask(0o022)
        os.umask(self.umask)
        main_thread = threading.current_thread() is threading.main_thread()  # (only it can change them)
        self.handlers = {sig: signal.getsignal(sig) for sig in _SIGNALS} if main_thread else {}

    def restore(self) -> None:
        mine = (sys.stdin, sys.stdout, sys.stderr)
        sys.stdin, sys.stdout, sys.stderr = self.streams
        for stream in mine:
            if stream not in self.streams:
                try:
                    stream.close()  # closefd=False: descriptor 0, 1 or 2 stays open
                except (OSError, ValueError):
                    pass
        for fd, copy in enumerate(self.fds):
            os.dup2(copy, fd)
            os.close(copy)
        os.environ.clear()
        os.environ.update(self.environ)
        os.chdir(self.cwd)
        sys.argv = self.argv
        os.umask(self.umask)
        for sig, handler in self.handlers.items():
            if handler is not None:
                signal.signal(sig, handler)


def _reset() -> None:
    """Forget what one awsenv process would have forgotten by ending."""
    from awsenv import locking, redact

    redact._MASKS.clear()
    locking._held.clear()
    locking._note = None
    core = sys.modules.get("keyring.core")
    if core is not None:
        core._keyring_backend = None  # chosen again from this run's PYTHON_KEYRING_BACKEND and config file
    stores = sys.modules.get("tests.keyring_backends")
    if stores is not None:
        stores.PlaintextStore.entries.clear()
    browsers = sys.modules.get("webbrowser")
    if browsers is not None:  # the browser list is read from BROWSER once, at first use
        with browsers._lock:
            browsers._browsers.clear()
            browsers._tryorder = None
            if hasattr(browsers, "_os_preferred_browser"):
                browsers._os_preferred_browser = None
    regions = sys.modules.get("awsenv.plan.regions")
    if regions is not None:
        regions._partition_patterns.cache_clear()
    for name in _LOGGERS:
        log = logging.getLogger(name)
        if name == "awsenv":
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True
        log.setLevel(logging.NOTSET)
