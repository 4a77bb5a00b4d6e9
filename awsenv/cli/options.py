"""Options shared by every command that produces credentials, declared once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from awsenv.commands.credentials import CredentialOptions
from awsenv.shells.dialects import SHELL_NAMES

__all__ = ["CredentialOptions", "complete_profile", "complete_shell"]


def complete_profile(incomplete: str) -> list[str]:
    try:
        from awsenv.config import profiles as config

        return sorted(name for name in config.load().profiles if name.startswith(incomplete))
    except Exception:  # completion must never print a traceback into the user's prompt
        return []


def complete_shell(incomplete: str) -> list[str]:
    return [name for name in SHELL_NAMES if name.startswith(incomplete)]


ProfileArg = Annotated[Optional[str], typer.Argument(
    help="Profile name from ~/.aws/config or ~/.aws/credentials (asked for when left out on a terminal).",
    autocompletion=complete_profile, metavar="PROFILE", show_default=False)]


def _shell(hidden: bool = False):
    return Annotated[Optional[str], typer.Option(
        "--shell", metavar="SHELL", help="Output dialect: " + " ".join(SHELL_NAMES) + " (default: detected).",
        autocompletion=complete_shell, show_default=False, hidden=hidden)]


def _format(hidden: bool = False):
    return Annotated[Optional[str], typer.Option(
        "--format", metavar="FORMAT", help="`json`: one JSON object of the variables instead of shell code.",
        show_default=False, hidden=hidden)]


def _without_spaces(value: Optional[str]) -> Optional[str]:
    """A pasted code may come with spaces or a line end around it; inside, only the six ASCII digits count."""
    return value.strip() if value is not None else None


def _mfa_code(hidden: bool = False):
    return Annotated[Optional[str], typer.Option(
        "--mfa-code", metavar="CODE", help="The 6-digit MFA code (else mfa_process, else a prompt on the terminal).",
        show_default=False, callback=_without_spaces, hidden=hidden)]


def _duration(hidden: bool = False):
    return Annotated[Optional[str], typer.Option(
        "--duration", metavar="DURATION", help="Session duration: seconds, or 15m / 1h / 12h.", show_default=False,
        hidden=hidden)]


# Options the credential commands all accept (the interface promises it) are hidden from the help of a command for
# which they do nothing, rather than refused: `exec` and `credential-process` print no shell code, so the dialect
# options choose nothing; an SSO profile needs no MFA code and IAM Identity Center sets its session length.
ShellOpt = _shell()
FormatOpt = _format()
MfaCodeOpt = _mfa_code()
DurationOpt = _duration()
UnusedShellOpt = _shell(hidden=True)
UnusedFormatOpt = _format(hidden=True)
UnusedMfaCodeOpt = _mfa_code(hidden=True)
UnusedDurationOpt = _duration(hidden=True)
RegionOpt = Annotated[Optional[str], typer.Option(
    "--region", metavar="REGION", help="Region to export, overriding the profile's.", show_default=False)]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write cached credentials.")]
WriteProfileOpt = Annotated[Optional[str], typer.Option(
    "--write-profile", is_flag=False, flag_value="", metavar="[NAME]",
    help="Also write the credentials into the shared credentials file as NAME (default PROFILE-temporary).",
    show_default=False)]
OverwriteProfileOpt = Annotated[bool, typer.Option(
    "--overwrite-profile", help="With --write-profile: replace the credentials of a section of that name that "
                                "awsenv did not write (refused otherwise); awsenv manages it from then on.")]
NoBrowserOpt = Annotated[bool, typer.Option(
    "--no-browser", help="SSO: print the sign-in URL instead of opening a browser.")]
UseDeviceCodeOpt = Annotated[bool, typer.Option(
    "--use-device-code", help="SSO: sign in with a device code (approved in any browser, e.g. over SSH) instead of "
                              "the one-click browser sign-in.")]

ServiceOpt = Annotated[bool, typer.Option(
    "--server", help="Print the variables of the per-user credential service (started if need be) instead of "
                     "keys: every later command of the shell gets renewed credentials from it.")]
ServerOpt = Annotated[bool, typer.Option(
    "--server", help="Serve renewing credentials to the command from a server on 127.0.0.1 instead of giving it "
                     "keys: for commands that outlive a session.")]

