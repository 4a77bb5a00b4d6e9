"""The output dialects, and which one the user's shell speaks."""

from __future__ import annotations

import os

from awsenv.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: the cache-hit path renders through here
if TYPE_CHECKING:
    from typing import Mapping, Optional

    from awsenv.shells.base import Dialect

SHELL_NAMES = ("bash", "zsh", "sh", "ksh", "fish", "pwsh", "tcsh", "csh", "nu", "elvish", "xonsh", "cmd")

# Process names as shellingham or $SHELL report them → the dialect name.
_ALIASES = {
    "bash": "bash", "zsh": "zsh", "sh": "sh", "dash": "sh", "ash": "sh", "busybox": "sh",
    "ksh": "ksh", "ksh93": "ksh", "mksh": "ksh", "pdksh": "ksh", "oksh": "ksh", "loksh": "ksh",
    "fish": "fish", "pwsh": "pwsh", "powershell": "pwsh", "tcsh": "tcsh", "csh": "csh",
    "nu": "nu", "elvish": "elvish", "xonsh": "xonsh", "cmd": "cmd",
}

# The dialect name → (module in awsenv.shells, class): only the one asked for is imported.
_DIALECTS = {
    "bash": ("posix", "Posix"), "zsh": ("posix", "Posix"), "sh": ("posix", "Posix"), "ksh": ("posix", "Posix"),
    "fish": ("fish", "Fish"), "pwsh": ("pwsh", "Pwsh"), "tcsh": ("tcsh", "Tcsh"), "csh": ("tcsh", "Tcsh"),
    "nu": ("json_output", "Nu"), "elvish": ("elvish", "Elvish"), "xonsh": ("xonsh", "Xonsh"), "cmd": ("cmd", "Cmd"),
}


def dialect_for(shell: str) -> Dialect:
    try:
        module, name = _DIALECTS[shell]
    except KeyError:
        raise UsageError(f"unknown shell {shell!r}", hint="choose one of: " + " ".join(SHELL_NAMES)) from None
    return getattr(__import__(f"awsenv.shells.{module}", fromlist=[name]), name)()


def json_dialect() -> Dialect:
    from awsenv.shells.json_output import Json

    return Json()


def canonical(process_name: str) -> Optional[str]:
    base = os.path.basename(process_name).lower()
    for suffix in (".exe",):
        base = base.removesuffix(suffix)
    base = base.lstrip("-")
    if base.startswith("python") or base == "xonsh":
        return "xonsh" if base == "xonsh" else None
    return _ALIASES.get(base)


def detect_shell(environ: Mapping[str, str] = os.environ) -> str:
    """The shell that will read our output (see detect_shell_process)."""
    return detect_shell_process(environ)[0]


def detect_shell_process(environ: Mapping[str, str] = os.environ, parent: Optional[int] = None) -> tuple[str, str]:
    """The user's shell as (dialect name, executable): awsenv's parent process when it is a shell (the one that
    reads the output, or that typed `awsenv shell`); else $SHELL (awsenv was started by a program: an IDE task, a
    script's interpreter); else the nearest shell further up (shellingham); else POSIX sh, said on stderr."""
    found = parent_shell(os.getppid() if parent is None else parent)
    if found:
        return found
    login_shell = environ.get("SHELL", "")
    name = canonical(login_shell)
    if name:
        return name, _executable(login_shell, environ)
    try:
        import shellingham

        process, path = shellingham.detect_shell()
        name = canonical(process)
        if name:
            return name, _executable(path or process, environ)
    except Exception:  # shellingham raises ShellDetectionFailure, or RuntimeError on odd platforms
        pass
    import sys

    print("awsenv: no shell found (the parent process is not one, $SHELL is not set, none further up); "
          "using POSIX sh: pass --shell NAME to choose another", file=sys.stderr)
    return "sh", _executable("sh", environ)


def parent_shell(pid: int) -> Optional[tuple[str, str]]:
    """(dialect, executable) when process `pid` is a shell, else None."""
    argv, executable = _process_command(pid)
    if not argv:
        return None
    name = canonical(argv[0])
    if name is None and os.path.basename(argv[0]).lower().startswith("python") and len(argv) > 1:
        name = "xonsh" if os.path.basename(argv[1]).lower().startswith("xonsh") else None  # xonsh runs on Python
        if name:
            import shutil

            return name, shutil.which("xonsh") or argv[1]
    if name is None:
        return None
    return name, executable or _executable(argv[0], os.environ)


def _process_command(pid: int) -> tuple[list[str], Optional[str]]:
    """A process's arguments and executable: /proc on Linux, else `ps`."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            argv = [word.decode(errors="replace") for word in handle.read().split(b"\0") if word]
        try:
            executable: Optional[str] = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            executable = None
        if executable and canonical(executable) != canonical(argv[0] if argv else ""):
            executable = None  # e.g. busybox, or a shell started through a wrapper: start it by its name instead
        return argv, executable
    except OSError:
        pass
    import subprocess

    try:
        done = subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return [], None
    return done.stdout.split(), None


def executable_for(shell: str, environ: Mapping[str, str] = os.environ) -> str:
    """The executable to start for a dialect name given with --shell."""
    import shutil

    candidates = {"csh": ("csh", "tcsh"), "sh": ("sh", "dash"), "ksh": ("ksh", "mksh")}.get(shell, (shell,))
    for candidate in candidates:
        found = shutil.which(candidate, path=environ.get("PATH"))
        if found:
            return found
    raise UsageError(f"cannot start {shell}: it is not on PATH", hint="install it, or pick another with --shell")


def _executable(name_or_path: str, environ: Mapping[str, str]) -> str:
    import shutil

    name_or_path = name_or_path.lstrip("-")  # a login shell's argv[0] starts with "-"
    if os.sep in name_or_path:
        return name_or_path
    return shutil.which(name_or_path, path=environ.get("PATH")) or name_or_path
