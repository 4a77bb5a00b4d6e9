"""`awsenv status`, `awsenv prompt` and `awsenv renew`: what keeps a shell's credentials fresh, and shows it."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import FormatOpt, ProfileArg, ShellOpt

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document: profile, credentials_until, "
                                                      "person_needed_at, needs (null, \"mfa\" or \"sign-in\").")]


@app.command("status", short_help="Whether credentials can be had now with no person.")
def status(profile: ProfileArg = None, as_json: JsonOpt = False) -> None:
    """Whether PROFILE's credentials can be had now with no person: cached, or renewable from long-lived keys, a
    cached MFA session, an SSO sign-in that is valid or refreshable, mfa_process, or a source that needs nobody.
    Reads the config and the caches only: no AWS call, no prompt.

    Exit status 0: yes; 1: a person is needed (an MFA code, a sign-in); 2: usage or configuration error.
    Without PROFILE: the profile awsenv put in this shell.

    Example: awsenv status prod --json
    """
    from awsenv.commands.status import show_status

    raise typer.Exit(show_status(profile, as_json))


@app.command("prompt", short_help="A prompt segment: the profile and time until needed.")
def prompt() -> None:
    """Print a prompt segment for this shell, e.g. `prod 42m`: the profile awsenv put here and the time until a
    person is next needed (the MFA session's or sign-in's end; the credentials' own end when nothing renews them).
    It ends in `!` within the renewal window (AWSENV_RENEW_BEFORE) and says `expired` after it; it is empty when
    awsenv set nothing. Reads the environment only.

    Example: PS1='$(awsenv prompt) \\$ '   (the shell integration also sets AWSENV_PROMPT before each prompt)
    """
    from awsenv.shells.prompt import segment

    text = segment()
    if text:
        print(text)


@app.command("renew", hidden=True)
def renew(shell: ShellOpt = None, format: FormatOpt = None) -> None:
    """Renew the credentials awsenv put in this shell, with no person: what the shell integration runs before a
    prompt when they have AWSENV_RENEW_BEFORE seconds (600) or fewer left. Prints code for the shell."""
    from awsenv.commands.renew import renew as renew_in_place

    raise typer.Exit(renew_in_place(shell, format))


DirArg = Annotated[Optional[str], typer.Argument(
    help="A directory: its .awsenv file or the nearest one above it (default: the current directory).",
    metavar="[DIR]", show_default=False)]


@app.command("allow", short_help="Trust a directory's .awsenv file (profile by directory).")
def allow(directory: DirArg = None, shell: ShellOpt = None, format: FormatOpt = None) -> None:
    """Trust the .awsenv file of DIR (or the nearest one above it) as it is now, by its path and the SHA-256 of its
    content: entering its directory then switches the shell to its profile (and region), and leaving switches
    back. A file changed later is not applied until it is allowed again. Through the shell integration the file is
    applied at once.

    Example: awsenv allow ~/src/infra
    """
    from awsenv.commands.directories import allow as trust
    from awsenv.commands.directories import print_changes

    trust(directory)
    print_changes(shell, format)


@app.command("deny", short_help="Stop trusting a directory's .awsenv file.")
def deny(directory: DirArg = None, shell: ShellOpt = None, format: FormatOpt = None) -> None:
    """Forget DIR's .awsenv file (or the nearest one above it): it is no longer applied, and through the shell
    integration the shell switches back at once.

    Example: awsenv deny
    """
    from awsenv.commands.directories import deny as forget
    from awsenv.commands.directories import print_changes

    forget(directory)
    print_changes(shell, format)


@app.command("chdir", hidden=True)
def chdir(shell: ShellOpt = None, format: FormatOpt = None) -> None:
    """What the shell integration runs when the shell's directory changes: the code that enters the nearest
    allowed .awsenv file's profile, or leaves the one applied."""
    from awsenv.commands.directories import print_changes
    print_changes(shell, format)
