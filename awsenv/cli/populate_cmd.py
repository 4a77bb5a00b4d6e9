"""`awsenv populate SESSION`: a profile for every account and role an IAM Identity Center sign-in may use."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import NoBrowserOpt


def complete_session(incomplete: str) -> list[str]:
    try:
        from awsenv.config import profiles as config

        return sorted(name for name in config.load().sso_sessions if name.startswith(incomplete))
    except Exception:  # completion must never print a traceback into the user's prompt
        return []


SessionArg = Annotated[str, typer.Argument(
    help="The name of an [sso-session NAME] section of the config file.", autocompletion=complete_session,
    metavar="SESSION", show_default=False)]
PrefixOpt = Annotated[Optional[str], typer.Option(
    "--prefix", metavar="TEXT", help="Put TEXT in front of every generated name (letters, digits, . _ - only). "
                                     "Default: the prefix the session's generated profiles have; --prefix '' for none.",
    show_default=False)]
RegionOpt = Annotated[Optional[str], typer.Option(
    "--region", metavar="REGION", help="The profiles' region, also for profiles written before "
                                       "(default: the session's sso_region, written only where none is set).",
    show_default=False)]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the change as a unified diff; write nothing.")]
PruneOpt = Annotated[bool, typer.Option(
    "--prune", help="Remove generated profiles whose account or role is no longer assigned.")]


@app.command("populate", short_help="Write a profile per account and role of a sign-in.")
def populate(session: SessionArg, prefix: PrefixOpt = None, region: RegionOpt = None, dry_run: DryRunOpt = False,
             prune: PruneOpt = False, no_browser: NoBrowserOpt = False) -> None:
    """Write a profile for every account and role the [sso-session SESSION] sign-in may use.

    Signs in if needed (like `awsenv login`), lists every account and role, and writes one profile per pair into
    the config file (AWS_CONFIG_FILE or ~/.aws/config): sso_session, sso_account_id, sso_role_name, region, and
    `awsenv_generated = SESSION`, the mark by which a re-run knows its own profiles. Only marked profiles are
    ever changed; every other byte of the file stays as it was, and a re-run with nothing new changes nothing.

    Names are ACCOUNT.ROLE from the names IAM Identity Center shows: case is kept, accents are dropped (Zürich ->
    Zurich), every run of other characters (spaces, quotes, slashes, non-Latin letters) becomes one '-', and an
    account name with nothing left becomes the account id. Accounts whose names come out the same (ignoring case)
    all get their id: Sandbox-111111111111.Admin. So names never need quoting in a shell.

    A hand-written profile of the same name is never overwritten (that pair is skipped, and said so); a pair a
    hand-written profile of this session already uses is skipped. Generated profiles whose account or role is
    gone are reported, and removed with --prune.

    Example: awsenv populate corp --dry-run
    """
    from awsenv.populate.command import populate as write_profiles

    write_profiles(session, prefix, region, dry_run, prune, browser=not no_browser)
