"""The index of keys kept with `awsenv keys`: which profiles have stored keys, a shortened key id, when they were
stored. No secret is in it; it lets `list`, `explain` and the planner know about stored keys without asking the
keyring (which has no way to list its entries, and may ask for a passphrase or unlock a wallet).

File: $AWSENV_DATA_DIR/keys.json, else $XDG_DATA_HOME/awsenv/keys.json (~/.local/share/awsenv); 0600 in 0700.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime, timezone
from typing import Mapping, Optional

from awsenv import files
from awsenv.paths import data_dir, key_index_path
from awsenv.errors import ConfigError
from awsenv.model import StoredKeyInfo

VERSION = 1




def shorten(access_key_id: str) -> str:
    return access_key_id[:4] + "…" + access_key_id[-4:] if len(access_key_id) > 8 else "…"


def _read_raw(environ: Mapping[str, str]) -> dict:
    path = key_index_path(environ)
    raw = files.read_no_follow(path)
    if raw is None:
        if os.path.lexists(path):
            raise ConfigError(f"cannot read the key index {path} (a symlink, not a regular file, or not yours)",
                              hint="move it away; `awsenv keys add` writes it again")
        return {}
    try:
        doc = json.loads(raw)
    except ValueError:
        raise ConfigError(f"the key index {path} is not valid JSON",
                          hint="move it away and store the keys again with `awsenv keys add`") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("profiles"), dict):
        raise ConfigError(f"the key index {path} is not one this version of awsenv reads")
    return doc["profiles"]


def read_index(environ: Mapping[str, str] = os.environ, strict: bool = True) -> dict[str, StoredKeyInfo]:
    """Profile -> what is stored. Not strict (every flow): an unreadable index counts as empty, so profiles with
    keys in the files keep working; `awsenv keys` commands read it strictly and say what is wrong."""
    try:
        raw = _read_raw(environ)
    except ConfigError:
        if strict:
            raise
        return {}
    found = {}
    for name, entry in raw.items():
        try:
            found[name] = StoredKeyInfo(str(entry["key_id"]), str(entry["stored_at"]), str(entry["generation"]))
        except (KeyError, TypeError):
            continue
    return found


def entry(profile: str, environ: Mapping[str, str] = os.environ) -> Optional[dict]:
    return _read_raw(environ).get(profile)


def _write(profiles: dict, environ: Mapping[str, str]) -> None:
    directory = data_dir(environ)
    files.ensure_private_dir(directory)
    files.write_atomic(key_index_path(environ), json.dumps({"version": VERSION, "profiles": profiles},
                                                       indent=1, sort_keys=True).encode())


def record(profile: str, access_key_id: str, environ: Mapping[str, str] = os.environ,
           generation: Optional[str] = None, **extra: object) -> StoredKeyInfo:
    """Note that `profile`'s keys were just stored; return what the index now says about them."""
    profiles = _read_raw(environ)
    stored_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    info = StoredKeyInfo(shorten(access_key_id), stored_at, generation or secrets.token_hex(8))
    profiles[profile] = {"key_id": info.key_id, "stored_at": info.stored_at, "generation": info.generation, **extra}
    _write(profiles, environ)
    return info


def forget(profile: str, environ: Mapping[str, str] = os.environ) -> bool:
    profiles = _read_raw(environ)
    if profiles.pop(profile, None) is None:
        return False
    _write(profiles, environ)
    return True
