"""`awsenv keys rotate`: replace a stored IAM user key with a new one, never leaving the profile without a key
that works.

1. Who: sts:GetCallerIdentity with the stored key gives the IAM user.
2. The client for IAM: the MFA session (GetSessionToken with a code) when the profile has mfa_serial, else the key.
3. iam:ListAccessKeys: with two keys already, stop before any change and name the other one.
4. iam:CreateAccessKey.
5. Store the new key; the old one is kept under a second keyring entry until the end.
6. Verify the new key with sts:GetCallerIdentity, retrying (bounded) while IAM's eventual consistency settles.
7. iam:DeleteAccessKey the old key with the client of step 2.
8. Drop cached sessions made from the old key, and the kept old key.
A rotation cut short (a crash, a failure) is finished by running the command again: the kept old key says which
key IAM still has to lose.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

from awsenv.aws import iam
from awsenv.keys import index as key_index
from awsenv.keys import store as keystore
from awsenv.errors import AwsError, ConfigError
from awsenv.model import Credentials, GetSessionToken, Plan, StoredKeys

VERIFY_DELAYS = (0.5, 1, 2, 4, 8, 8, 8)  # about 30 s in all: new keys are refused for a few seconds


def rotate(config, name: str, options, cache, say: Callable[[str], None]) -> None:
    profile = config.profile(name)
    if profile.stored_key is None:
        raise ConfigError(f"profile {name!r} has no keys stored with awsenv",
                          hint=f"move them into the keyring first: awsenv keys import {name}")
    if profile.has_keys:
        raise ConfigError(f"profile {name!r} also has keys in the files, and those are the ones used",
                          hint=f"run `awsenv keys import {name}` (or remove them from the files) first")
    region = profile.region
    old = keystore.load(name)
    previous = keystore.load_previous(name)
    if previous is not None and previous.access_key_id == old.access_key_id:
        keystore.delete(name, name + keystore.PREVIOUS)  # cut short before the new key was stored: nothing to finish
        previous = None
    identity = iam.caller_identity(name, old, region)
    user = iam.user_name(identity.get("Arn") or "")
    if user is None:
        raise ConfigError(f"profile {name!r}: the stored key belongs to {identity.get('Arn')}, not an IAM user",
                          hint="only an IAM user's access keys can be rotated")
    client = _iam_credentials(config, name, old, options, cache, say)
    keys = iam.list_access_keys(name, client, region, user)
    ids = [item["AccessKeyId"] for item in keys]
    if previous is not None:
        _finish(name, user, region, client, old, previous, ids, cache, config, say)
        return
    if len(keys) >= 2:
        other = next(item for item in keys if item["AccessKeyId"] != old.access_key_id)
        created = other["CreateDate"].strftime("%Y-%m-%d") if other["CreateDate"] else "unknown date"
        raise AwsError(f"profile {name!r}: IAM user {user} already has two access keys, the most IAM allows: the "
                       f"stored {_short(old)} and {key_index.shorten(other['AccessKeyId'])} "
                       f"({other['Status']}, created {created}); nothing was changed",
                       hint=f"if that other key is unused, delete it ({_delete_command(user)}) and rotate again")
    try:
        new = iam.create_access_key(name, client, region, user)
    except AwsError as error:
        error.message += "; nothing was changed (IAM and the stored key are as before)"
        raise
    say(f"created access key {_short(new)} for IAM user {user}")
    try:
        keystore.keep_previous(name, old)
        keystore.store(name, new)
    except Exception:
        _forget_previous(name)
        _undo_create(name, user, region, client, new, say)
        raise
    try:
        _verify(name, new, region)
    except AwsError:
        keystore.store(name, old)
        keystore.delete(name, name + keystore.PREVIOUS)
        _undo_create(name, user, region, client, new, say)
        raise
    drop_sessions(config, name, cache)
    _delete_old(name, user, region, client, old, say)
    keystore.delete(name, name + keystore.PREVIOUS)
    say(f"profile {name!r}: rotated: {_short(new)} is stored and works; {_short(old)} is deleted in IAM")


def _short(creds: Credentials) -> str:
    """Key ids are shown shortened in every message (AKIA…WXYZ), as `awsenv keys list` shows them."""
    return key_index.shorten(creds.access_key_id)


def _delete_command(user: str) -> str:
    return (f"`aws iam list-access-keys --user-name {user}` shows its full id; then `aws iam delete-access-key "
            f"--user-name {user} --access-key-id ID`")


def _iam_credentials(config, name: str, keys: Credentials, options, cache, say) -> Credentials:
    """The MFA session when the profile has mfa_serial (IAM refuses a session opened without MFA), else the key."""
    profile = config.profile(name)
    if not profile.mfa_serial:
        return keys
    from awsenv.resolve.engine import Engine

    assert profile.stored_key is not None
    plan = Plan(target=name, flow="user", region=profile.region,
                steps=(StoredKeys(name, profile.stored_key.generation),
                       GetSessionToken(name, 900, profile.mfa_serial, profile.mfa_process)))
    return Engine(config, options, None, say).credentials(plan)  # not cached: made from a key about to go


def _forget_previous(name: str) -> None:
    try:
        keystore.delete(name, name + keystore.PREVIOUS)
    except Exception:
        pass


def _verify(name: str, new: Credentials, region: Optional[str]) -> None:
    for delay in VERIFY_DELAYS:
        try:
            iam.caller_identity(name, new, region)
            return
        except iam.KeyRefused:
            time.sleep(delay)
    iam.caller_identity(name, new, region)


def _undo_create(name: str, user: str, region, client: Credentials, new: Credentials, say) -> None:
    try:
        iam.delete_access_key(name, client, region, user, new.access_key_id)
        say(f"profile {name!r}: the new key {_short(new)} was deleted again; the stored key is unchanged "
            "and IAM is as before")
    except AwsError:
        say(f"profile {name!r}: the stored key is unchanged, but IAM user {user} now also has the new key "
            f"{_short(new)}, which awsenv could not delete: {_delete_command(user)}")


def _delete_old(name: str, user: str, region, client: Credentials, old: Credentials, say) -> None:
    try:
        iam.delete_access_key(name, client, region, user, old.access_key_id)
    except AwsError as error:
        raise AwsError(f"{error.message}; the new key is stored and works, but the old key "
                       f"{_short(old)} is still active in IAM (user {user} has two keys)",
                       hint=f"run `awsenv keys rotate {name}` again to delete it") from None


def _finish(name, user, region, client, current, previous, ids, cache, config, say) -> None:
    """A rotation was cut short after the new key was stored: make sure it works, then delete the old one."""
    say(f"profile {name!r}: finishing the rotation that was cut short ({_short(previous)} -> {_short(current)})")
    _verify(name, current, region)
    drop_sessions(config, name, cache)
    if previous.access_key_id in ids:
        _delete_old(name, user, region, client, previous, say)
    keystore.delete(name, name + keystore.PREVIOUS)
    say(f"profile {name!r}: rotated: {_short(current)} is stored and works; {_short(previous)} is deleted in IAM")


def drop_sessions(config, name: str, cache) -> None:
    """Remove cached sessions made from `name`'s stored key: its own, and those of profiles whose chain starts there."""
    if cache is None:
        return
    from awsenv.errors import AwsenvError
    from awsenv.plan.rules import resolve_plan

    targets = {name}
    for other in config.profiles:
        try:
            plan = resolve_plan(config, other)
        except AwsenvError:
            continue
        if plan.steps[0].profile == name:
            targets.add(other)
    for target in targets:
        cache.clear(target)
