"""`awsenv keys add|import|list|remove|rotate`: long-lived keys kept in the OS keyring instead of a plaintext file."""

from __future__ import annotations

import json
import re
import sys
from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import MfaCodeOpt, complete_profile
from awsenv.errors import AwsenvError, UsageError
from awsenv.terminal import say

keys_app = typer.Typer(
    help="Long-lived IAM user keys in the OS keyring (service `awsenv`) instead of ~/.aws/credentials. Every flow "
         "reads them; the keyring backend is keyring's choice (PYTHON_KEYRING_BACKEND).",
    no_args_is_help=True)
app.add_typer(keys_app, name="keys", short_help="Keep IAM user keys in the OS keyring.")

KeyProfileArg = Annotated[str, typer.Argument(help="The profile the keys belong to.", metavar="PROFILE",
                                              autocompletion=complete_profile, show_default=False)]
_KEY_ID = re.compile(r"[A-Z0-9]{16,128}")


def _read_keys(from_stdin: bool, profile: str):
    from awsenv.model import Credentials
    from awsenv.terminal import Terminal

    if from_stdin:
        try:
            doc = json.loads(sys.stdin.read())
            key_id, secret = doc["AccessKeyId"], doc["SecretAccessKey"]
        except (ValueError, KeyError, TypeError):
            raise UsageError('--stdin takes one JSON object: {"AccessKeyId": "…", "SecretAccessKey": "…"}') from None
    else:
        terminal = Terminal.open()
        if terminal is None:
            raise UsageError(f"profile {profile!r}: there is no terminal to type the keys on",
                             hint='give them on stdin: awsenv keys add --stdin PROFILE <<< \'{"AccessKeyId": …, '
                                  '"SecretAccessKey": …}\'')
        with terminal:
            key_id = terminal.ask(f"Access key id for {profile}: ")
            secret = terminal.ask_secret(f"Secret access key for {profile} (not shown): ")
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id.strip()):
        raise UsageError("the access key id is 16 or more capital letters and digits (AKIA…)")
    if not isinstance(secret, str) or not secret.strip() or any(c.isspace() for c in secret.strip()):
        raise UsageError("the secret access key is empty or contains spaces")
    return Credentials(key_id.strip(), secret.strip())


@keys_app.command("add", short_help="Store a profile's access key in the keyring.")
def keys_add(profile: KeyProfileArg,
             from_stdin: Annotated[bool, typer.Option("--stdin", help='Read {"AccessKeyId": …, "SecretAccessKey": …} '
                                                                      "from stdin instead of asking.")] = False,
             no_verify: Annotated[bool, typer.Option("--no-verify", help="Store without asking AWS who the keys "
                                                                         "belong to (e.g. offline).")] = False) -> None:
    """Store an IAM user's access key for PROFILE in the keyring: typed on the terminal (the secret not shown) or
    given on stdin, never as an argument. AWS is asked first (sts:GetCallerIdentity) that the key works.

    Example: awsenv keys add dev
    """
    from awsenv.config import profiles as aws_config
    from awsenv.aws import iam
    from awsenv.keys import index as key_index
    from awsenv.keys import store as keystore
    from awsenv.resolve.obtain import open_cache
    from awsenv.commands.keys_rotate import drop_sessions

    keystore.backend()  # no usable keyring: say so before asking for anything
    creds = _read_keys(from_stdin, profile)
    config = aws_config.load()
    known = config.profiles.get(profile)
    if not no_verify:
        identity = iam.caller_identity(profile, creds, known.region if known else None)
        say(f"the key belongs to {identity['Arn']}")
    replaced = key_index.read_index().get(profile) is not None
    keystore.store(profile, creds)
    if replaced:
        drop_sessions(config, profile, open_cache())
    say(f"stored access key {key_index.shorten(creds.access_key_id)} for profile {profile!r} in "
         f"{keystore.describe_backend()}")
    if known is not None and known.has_keys:
        say(f"warning: profile {profile!r} also has keys in the files, and those are used until you remove them "
             f"(awsenv keys import {profile} moves them)")


@keys_app.command("import", short_help="Move keys from the credentials file into the keyring.")
def keys_import(
        profile: Annotated[Optional[str], typer.Argument(help="The profile whose keys move (or --all).",
                                                         metavar="[PROFILE]", autocompletion=complete_profile,
                                                         show_default=False)] = None,
        all_: Annotated[bool, typer.Option("--all", help="Every profile of the credentials file with long-lived "
                                                         "keys.")] = False,
        for_sdk: Annotated[bool, typer.Option("--for-sdk", help="Also add [profile PROFILE-sdk] to the config with "
                                                                "credential_process = awsenv credential-process "
                                                                "PROFILE, for the AWS CLI and SDKs.")] = False) -> None:
    """Move long-lived keys from the shared credentials file into the keyring. Every other byte of the file is kept
    (comments, other sections, line endings, its mode; a symlink stays a symlink); the section's header goes too
    when nothing else is left in it. The file changes only after every key is stored and read back.

    Example: awsenv keys import --all --for-sdk
    """
    from awsenv.config import profiles as aws_config
    from awsenv.commands import keys_import as key_import
    from awsenv.keys import store as keystore

    if bool(profile) == all_:
        raise UsageError("name one PROFILE, or give --all", hint="awsenv keys import dev  |  awsenv keys import --all")
    keystore.backend()
    config = aws_config.load()
    cred_path, cfg_path = aws_config.credentials_path(), aws_config.config_path()
    cfg_raw = _read_or_empty(cfg_path)
    plan = key_import.plan_import(cred_path, None if all_ else [profile or ""], for_sdk,
                                  cfg_raw.decode("utf-8", "surrogateescape").splitlines(keepends=True))
    stored: list[str] = []
    for name, creds in plan.keys.items():
        try:
            keystore.store(name, creds)
        except AwsenvError as error:
            done = f" (already stored: {', '.join(stored)})" if stored else ""
            error.message += f"; {cred_path} was not changed{done}"
            raise
        stored.append(name)
    key_import.commit_file(plan, say)
    for name in stored:
        say(f"moved the keys of profile {name!r} from {cred_path} into {keystore.describe_backend()}")
    regions = {name: (config.profiles[name].region if name in config.profiles else None) for name in plan.keys}
    key_import.write_companions(cfg_path, plan, regions, say)


def _read_or_empty(path: str) -> bytes:
    import os

    from awsenv import files

    return files.read_no_follow(os.path.realpath(path)) or b""


@keys_app.command("list", short_help="List the profiles with keys in the keyring.")
def keys_list(as_json: Annotated[bool, typer.Option("--json", help="One JSON document instead of a table.")] = False,
              check: Annotated[bool, typer.Option("--check", help="Ask IAM how old each key is (reads the keys "
                                                                  "from the keyring).")] = False) -> None:
    """Profiles with keys in the keyring: the key id shortened and when it was stored (never a secret). Reads
    awsenv's index only, unless --check.

    Example: awsenv keys list --check
    """
    from awsenv import paths
    from awsenv.keys import index as key_index

    rows = [{"profile": name, "access_key_id": info.key_id, "stored_at": info.stored_at}
            for name, info in sorted(key_index.read_index().items())]
    if check:
        for row in rows:
            row.update(_age(row["profile"]))
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if not rows:
        say(f"no keys are stored (index: {paths.key_index_path()})")
        return
    table = [("PROFILE", "KEY", "STORED") + (("KEY AGE",) if check else ())]
    for row in rows:
        table.append((row["profile"], row["access_key_id"], row["stored_at"])
                     + ((row.get("age") or row.get("problem") or "-",) if check else ()))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() + "\n")


def _age(profile: str) -> dict:
    from datetime import datetime, timezone

    from awsenv.aws import iam
    from awsenv.keys import store as keystore

    try:
        creds = keystore.load(profile)
        user = iam.user_name(iam.caller_identity(profile, creds)["Arn"] or "")
        if user is None:
            return {"problem": "not an IAM user's key"}
        for item in iam.list_access_keys(profile, creds, None, user):
            if item["AccessKeyId"] == creds.access_key_id and item["CreateDate"]:
                days = (datetime.now(timezone.utc) - item["CreateDate"]).days
                return {"age": f"{days} days", "created": item["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "status": item["Status"]}
        return {"problem": "IAM does not list this key"}
    except AwsenvError as error:
        return {"problem": error.message}


@keys_app.command("remove", short_help="Forget a profile's stored keys.")
def keys_remove(profile: KeyProfileArg) -> None:
    """Forget PROFILE's stored keys (the IAM key itself stays active: delete it in IAM if it is no longer used), and
    the sessions cached from them.

    Example: awsenv keys remove dev
    """
    from awsenv.config import profiles as aws_config
    from awsenv.keys import index as key_index
    from awsenv.keys import store as keystore
    from awsenv.resolve.obtain import open_cache
    from awsenv.commands.keys_rotate import drop_sessions

    listed = key_index.read_index().get(profile) is not None
    config = aws_config.load()
    elsewhere = keystore.held_elsewhere(profile) if listed else None
    if elsewhere is not None and not keystore.holds(profile):  # the index is kept: it still says where the key is
        raise UsageError(f"profile {profile!r}'s key is stored in {elsewhere[0]}; set PYTHON_KEYRING_BACKEND="
                         f"{elsewhere[1]} to remove it", hint="nothing was removed")
    removed = keystore.delete(profile)
    keystore.delete(profile, profile + keystore.PREVIOUS)
    if not (listed or removed):
        raise UsageError(f"profile {profile!r} has no stored keys", hint="`awsenv keys list` shows which do")
    drop_sessions(config, profile, open_cache())
    key_index.forget(profile)
    say(f"removed the stored keys of profile {profile!r}")


@keys_app.command("rotate", short_help="Replace a profile's stored key with a new one.")
def keys_rotate(profile: KeyProfileArg, mfa_code: MfaCodeOpt = None) -> None:
    """Replace PROFILE's stored key: iam:CreateAccessKey (in an MFA session when the profile has mfa_serial), store
    the new key and check it works, then iam:DeleteAccessKey the old one and drop the sessions cached from it. IAM
    allows two keys per user: with two already, nothing is changed. Cut short, run it again to finish.

    Example: awsenv keys rotate dev
    """
    from awsenv.config import profiles as aws_config
    from awsenv.resolve.engine import FlowOptions
    from awsenv.resolve.obtain import open_cache
    from awsenv.commands.keys_rotate import rotate
    from awsenv.resolve.mfa import validate_code

    if mfa_code is not None:
        validate_code(mfa_code)
    rotate(aws_config.load(), profile, FlowOptions(mfa_code=mfa_code), open_cache(), say)
