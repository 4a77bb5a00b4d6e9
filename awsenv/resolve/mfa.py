"""Where an MFA one-time code comes from: the option, the profile's mfa_process, or the terminal."""

from __future__ import annotations

import re
import shlex
import subprocess

from typing import Optional

from awsenv.errors import ConfigError, MfaUnavailable, UsageError
from awsenv.resolve import mfa_dialog
from awsenv.terminal import Terminal

_CODE = re.compile(r"[0-9]{6}")


def validate_code(code: str) -> str:
    if not (code.isascii() and _CODE.fullmatch(code)):
        raise UsageError("the MFA code must be exactly six digits", hint="type the 6-digit code your MFA device shows")
    return code


def run_mfa_process(command: str, profile: str) -> str:
    """Run the profile's `mfa_process` (split like credential_process, no shell) and return its code."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"profile {profile!r}: mfa_process cannot be parsed ({exc})") from None
    if not argv:
        raise ConfigError(f"profile {profile!r}: mfa_process is empty")
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=120)
    except FileNotFoundError:
        raise ConfigError(f"profile {profile!r}: mfa_process command {argv[0]!r} was not found") from None
    except subprocess.TimeoutExpired:
        raise MfaUnavailable(f"profile {profile!r}: mfa_process did not finish within 120 s") from None
    if done.returncode != 0:
        raise MfaUnavailable(
            f"profile {profile!r}: mfa_process exited with status {done.returncode}",
            hint="run the command by hand to see why, or pass --mfa-code",
        )
    code = done.stdout.decode("utf-8", "replace").strip()
    if not (code.isascii() and _CODE.fullmatch(code)):
        raise ConfigError(
            f"profile {profile!r}: mfa_process printed something other than a 6-digit code",
            hint="its standard output must be the six ASCII digits alone",
        )
    return code


def prompt_code(profile: str, serial: str, note: str = "", prompt: Optional[str] = None,
                on_terminal: bool = True) -> str:
    """Ask on the controlling terminal, never on stdout; without one (or when `on_terminal` is False: a command is
    using it), through a desktop dialog when `prompt` (the mfa_prompt setting) allows and there is one; else fail
    at once."""
    terminal = Terminal.open() if on_terminal else None
    if terminal is None:
        program = mfa_dialog.pick_dialog(prompt)
        if program is None:
            raise MfaUnavailable(
                f"profile {profile!r} needs an MFA code and there is no terminal to ask for it",
                hint="pass --mfa-code CODE, set mfa_process in the profile to a command that prints the code, "
                     "or run awsenv from a terminal" + ("" if prompt == "terminal" else
                                                        " (on a desktop, with zenity or kdialog installed, a dialog "
                                                        "asks for it)"),
            )
        return _dialog_code(program, profile, serial, note)
    with terminal:
        for attempt in range(3):
            code = terminal.ask(f"{note}MFA code for {serial} ({profile}): ")
            if code is None:
                raise MfaUnavailable(f"profile {profile!r}: no MFA code was entered")
            if code.isascii() and _CODE.fullmatch(code):
                return code
            terminal.write("The code is six digits.\n")
        raise UsageError(f"profile {profile!r}: no valid MFA code was entered")


def _dialog_code(program: str, profile: str, serial: str, note: str) -> str:
    for attempt in range(3):
        answer = mfa_dialog.ask(program, f"{note}MFA code for {serial} (profile {profile}):")
        if answer is None:
            raise MfaUnavailable(f"profile {profile!r}: the MFA code was not entered (the {program} dialog was "
                                 "cancelled)", hint="run the command again to be asked again, or pass --mfa-code")
        if answer.isascii() and _CODE.fullmatch(answer):
            return answer
        note = "The code is six digits. "
    raise UsageError(f"profile {profile!r}: no valid MFA code was entered")
