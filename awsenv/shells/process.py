"""Run a command, or the user's shell, with credentials in its environment (never in its arguments)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from typing import Iterator, Mapping, NoReturn, Sequence

from awsenv.env import PROFILE_MARKER, apply
from awsenv.errors import AwsenvError, UsageError
from awsenv.model import EnvDelta
from awsenv.shells.subshells import SubshellRecipe, recipe


class CommandNotFound(AwsenvError):
    exit_code = 127


class CommandNotExecutable(AwsenvError):
    exit_code = 126


def refuse_nesting(environ: Mapping[str, str], force: bool) -> None:
    """`awsenv shell` inside an awsenv subshell is almost always a mistake: `exit` would come back to the first one."""
    current = environ.get(PROFILE_MARKER)
    if current and not force:
        raise UsageError(f"already in an awsenv session for {current!r}; exit it first, or pass --force",
                         hint=f"({PROFILE_MARKER} is set; `awsenv unset` clears credentials loaded with eval. "
                              "With --force the new session replaces every variable of the earlier one)")


@contextmanager
def starting(argv: Sequence[str]) -> Iterator[None]:
    """A failure to start `argv` as awsenv's error for it: not found (127) or not executable (126)."""
    try:
        yield
    except FileNotFoundError:
        raise CommandNotFound(f"command not found: {argv[0]}",
                              hint="check the name, or give its full path after --") from None
    except PermissionError:
        raise CommandNotExecutable(f"cannot run {argv[0]}: permission denied") from None
    except OSError as error:
        raise CommandNotExecutable(f"cannot run {argv[0]}: {error.strerror}") from None


def exec_command(argv: Sequence[str], delta: EnvDelta, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """Replace this process with `argv` (looked up on the child's PATH, no shell), the delta applied."""
    env = apply(delta, environ)
    sys.stdout.flush()
    sys.stderr.flush()
    with starting(argv):
        os.execvpe(argv[0], list(argv), env)


@contextmanager
def subshell_recipe(shell: str, path: str, profile: str, environ: Mapping[str, str] = os.environ
                    ) -> Iterator[SubshellRecipe]:
    """How to start `shell` with a prompt marker. Its rc files go into a private temporary directory (they hold no
    secret: the credentials travel in the environment), removed on leaving."""
    tmp = tempfile.mkdtemp(prefix="awsenv-shell-")
    try:
        plan = recipe(shell, path, tmp, environ, profile)
        for name, text in plan.files.items():
            file_path = os.path.join(tmp, name)
            fd = os.open(file_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write(text)
        yield plan
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_subshell(shell: str, path: str, delta: EnvDelta, profile: str,
                 environ: Mapping[str, str] = os.environ) -> int:
    """Start `shell` interactively with the delta applied and a prompt marker; its exit status."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGHUP, signal.SIGTERM)}
    try:
        with subshell_recipe(shell, path, profile, environ) as plan:
            env = apply(delta, environ)
            env.update(plan.env)
            for sig in previous:
                signal.signal(sig, _exit_on_signal)
            try:
                child = subprocess.Popen(plan.argv, env=env)
            except OSError as error:
                raise CommandNotFound(f"cannot start the shell {path}: {error.strerror}",
                                      hint="pick another with --shell") from None
            # The subshell owns the terminal: Ctrl-C and Ctrl-\ are for it, not for us.
            ignored = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGQUIT)}
            try:
                status = child.wait()
            finally:
                for sig, handler in ignored.items():
                    signal.signal(sig, handler)
            return 128 - status if status < 0 else status
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_on_signal(signum: int, _frame: object) -> NoReturn:
    raise SystemExit(128 + signum)  # unwinds through the `finally` that removes the temporary files
