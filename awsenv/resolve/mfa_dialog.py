"""Asking for an MFA code with no terminal: a desktop dialog (zenity, kdialog, or osascript on macOS).

Where the code is asked is `mfa_prompt` (the profile's key; AWSENV_MFA_PROMPT overrides it):
- `terminal`: the terminal only; with none, the run fails at once as it always did;
- `zenity`, `kdialog`, `osascript`: that program, when there is no terminal;
- unset: with no terminal and a display (DISPLAY or WAYLAND_DISPLAY, or macOS), the dialog program that is
  installed (osascript on macOS; else zenity, then kdialog).

The code never travels through a process's arguments: the dialog prints it on its standard output, read here
through a pipe. The prompt's text (in the dialog's arguments) names the profile and the MFA device, never a code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Mapping, Optional

from awsenv.errors import MfaUnavailable, UsageError
from awsenv.plan.mfa_prompt import CHOICES

DIALOGS = CHOICES[1:]
ENV_VARIABLE = "AWSENV_MFA_PROMPT"
TITLE = "awsenv: MFA code"
ANSWER_WITHIN = 300  # seconds a dialog stays up before awsenv gives up (the waiting callers wait on it meanwhile)


def environment_setting(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """AWSENV_MFA_PROMPT, checked: UsageError (exit 2) when it is not one of the choices."""
    raw = environ.get(ENV_VARIABLE)
    if raw is None or not raw.strip():
        return None
    choice = raw.strip().lower()
    if choice not in CHOICES:
        raise UsageError(f"{ENV_VARIABLE}={raw!r} is not one of {', '.join(CHOICES)}")
    return choice


def has_display(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    return platform == "darwin" or bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def pick_dialog(setting: Optional[str], environ: Mapping[str, str] = os.environ,
                platform: str = sys.platform) -> Optional[str]:
    """The dialog program to ask with when there is no terminal, or None (then the usual no-terminal error).

    An explicit choice that cannot work here (not installed, no display) is an error that says so."""
    if setting == "terminal":
        return None
    if setting in DIALOGS:
        if shutil.which(setting, path=environ.get("PATH")) is None:
            raise MfaUnavailable(f"mfa_prompt is {setting}, but {setting} is not installed (not found on PATH)",
                                 hint=f"install {setting}, or choose another mfa_prompt "
                                      f"({', '.join(CHOICES)})")
        if setting != "osascript" and not has_display(environ, platform):
            raise MfaUnavailable(f"mfa_prompt is {setting}, but there is no display to show it on (neither DISPLAY "
                                 "nor WAYLAND_DISPLAY is set)",
                                 hint="pass --mfa-code, or set mfa_process to a command that prints the code")
        return setting
    if not has_display(environ, platform):
        return None
    candidates = ("osascript",) if platform == "darwin" else ("zenity", "kdialog")
    for name in candidates:
        if shutil.which(name, path=environ.get("PATH")) is not None:
            return name
    return None


def _argv(program: str, text: str) -> list[str]:
    if program == "zenity":
        return ["zenity", "--entry", f"--title={TITLE}", f"--text={text}"]
    if program == "kdialog":
        return ["kdialog", "--title", TITLE, "--inputbox", text, ""]
    # osascript: the text reaches the script as an argument, so nothing in it is read as AppleScript.
    return ["osascript",
            "-e", "on run argv",
            "-e", f'set answer to display dialog (item 1 of argv) default answer "" with title "{TITLE}"',
            "-e", "return text returned of answer",
            "-e", "end run",
            text]


def ask(program: str, text: str) -> Optional[str]:
    """What the person typed in the dialog (stripped), or None when they cancelled or closed it."""
    try:
        done = subprocess.run(_argv(program, text), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=ANSWER_WITHIN)
    except FileNotFoundError:
        raise MfaUnavailable(f"the dialog program {program} was not found") from None
    except subprocess.TimeoutExpired:
        raise MfaUnavailable(f"no MFA code was entered in the {program} dialog within {ANSWER_WITHIN} s") from None
    if done.returncode != 0:
        if done.returncode == 1 or b"-128" in done.stderr:  # the three say "cancelled" this way
            return None
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise MfaUnavailable(f"the {program} dialog failed (exit status {done.returncode}) {last[0]}".rstrip(),
                             hint="pass --mfa-code, or set mfa_process to a command that prints the code")
    return done.stdout.decode("utf-8", "replace").strip()
