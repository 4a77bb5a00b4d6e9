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
    import logging
    import re
    import sys

    from awsenv.populate import config_edit as config_file
    from awsenv.populate import listing as sso_listing
    from awsenv.config import profiles as config
    from awsenv.terminal import say
    from awsenv.errors import AwsenvError, ConfigError, UsageError
    from awsenv.populate.changes import MARKER, describe_stale, plan_changes, previous_prefix
    from awsenv.populate.names import SAFE, profile_names

    trace = logging.getLogger("awsenv")

    if prefix is not None and (not SAFE.fullmatch(prefix) or prefix.startswith("-")):
        raise UsageError(f"--prefix {prefix!r}: a prefix may hold only letters, digits, '.', '_' and '-', "
                         "and may not start with '-'", hint="for example --prefix corp-")
    if region is not None and not re.fullmatch(r"[a-z0-9-]+", region):
        raise UsageError(f"--region {region!r} is not a region name", hint="for example --region eu-west-1")
    loaded = config.load()
    sso_session = loaded.sso_sessions.get(session)
    if sso_session is None:
        config_file.refuse_dangling(config.config_path())  # the reason it has no sessions
        known = ", ".join(sorted(loaded.sso_sessions)) or "none"
        raise ConfigError(f"there is no [sso-session {session}] section in {loaded.files[0]} (sessions: {known})",
                          hint="add one with sso_start_url and sso_region (or run `aws configure sso-session`)")
    if not sso_session.start_url or not sso_session.region:
        raise ConfigError(f"[sso-session {session}] needs both sso_start_url and sso_region")

    client_profile = _profile_of(loaded, session)
    try:
        pairs = sso_listing.assignments(client_profile, sso_session, not no_browser, say)
    except AwsenvError as error:
        raise error if client_profile else _for_session(error, session) from None

    path = config.config_path()
    with config_file.locked(path):
        text = config_file.read(path)
        parsed = config_file.parse(text.data, path)
        if prefix is None:
            prefix = previous_prefix(session, pairs, parsed["profiles"])
            if prefix:
                say(f"using the prefix {prefix!r} of the profiles written before (--prefix '' for none)")
        named, problems = profile_names(pairs, prefix)
        trace.debug("%d account/role pair(s) listed for sso-session %r; %s: %d profile(s), %d generated for it",
                    len(pairs), session, text.real, len(parsed["profiles"]),
                    sum(1 for v in parsed["profiles"].values() if v.get(MARKER) == session))
        elsewhere = set(loaded.profiles) - set(parsed["profiles"])
        changes = plan_changes(session, named, parsed["profiles"], elsewhere, region or sso_session.region,
                               region is not None, prune)
        new = text.data if changes.empty else config_file.apply(text.data, parsed, changes, path)
        if new != text.data:
            config_file.check(parsed, config_file.parse(new, path), changes, path)
            if dry_run:
                sys.stdout.buffer.write(config_file.unified_diff(path, text.data, new).encode("utf-8",
                                                                                             "surrogateescape"))
                sys.stdout.flush()
            else:
                config_file.write(text, new)

    for message in problems + changes.notes:
        say(message)
    stale = describe_stale(session, changes.removed or changes.stale, parsed["profiles"], bool(changes.removed))
    if stale:
        say(stale)
    say(_summary(session, len(pairs), changes, path, new != text.data, dry_run))


def _profile_of(loaded, session: str) -> Optional[str]:
    """A profile of this session, for the settings the SSO clients read (botocore needs an existing profile)."""
    users = sorted(name for name, profile in loaded.profiles.items() if profile.sso_session == session)
    return users[0] if users else None


def _for_session(error, session: str):
    """The sign-in's messages name a profile; with none of this session yet, name the session instead."""
    from awsenv.errors import AwsenvError

    message = error.message.replace("profile None: ", "")
    if f"sso-session {session!r}" not in message:
        message = f"sso-session {session!r}: {message}"
    hint = error.hint
    if hint and "None" in hint:
        hint = (f"run `awsenv populate {session}` in a terminal, where you can sign in (or sign in first with "
                f"`aws sso login --sso-session {session}`)")
    reworded = AwsenvError(message, hint)
    reworded.exit_code = error.exit_code
    return reworded


def _summary(session: str, listed: int, changes, path: str, changed: bool, dry_run: bool) -> str:
    renamed = sum(1 for u in changes.updated if u.new_name != u.name)
    updated = sum(1 for u in changes.updated if u.values and u.new_name == u.name)
    counts = (f"{len(changes.added)} added, {updated} updated, {renamed} renamed, {len(changes.removed)} removed; "
              f"{len(changes.kept)} generated profile(s) in all")
    head = f"sso-session {session!r}: {listed} account/role pair(s) listed"
    if not changed:
        return f"{head}; {path} is up to date ({len(changes.kept)} generated profile(s))"
    if dry_run:
        return f"{head}; dry run, nothing written to {path}: {counts}"
    return f"{head}; wrote {path}: {counts}"
