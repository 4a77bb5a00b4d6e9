"""A role profile without MFA, and helpers to find and rewrite awsenv's cache entries (the format is ours)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROLE = "arn:aws:iam::111111111111:role/deploy"


@pytest.fixture
def role_home(home):
    home.write_base_keys()
    home.write_config(f"""\
        [profile base]
        region = us-east-1
        [profile deploy]
        role_arn = {ROLE}
        source_profile = base
        region = eu-west-1
        """)
    return home


def entries(home) -> dict[str, Path]:
    """kind → path of each credentials entry in the cache directory."""
    found = {}
    for path in sorted(home.cache.glob("*.json")):
        found[json.loads(path.read_text())["kind"]] = path
    return found


def set_expiry(path: Path, left: timedelta) -> str:
    """Make the entry at `path` expire `left` from now; return the new expiration as written."""
    entry = json.loads(path.read_text())
    entry["expiration"] = (datetime.now(timezone.utc) + left).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(entry))
    return entry["expiration"]


def drop_fast_index(home) -> None:
    for path in (home.cache / "fast").glob("*"):
        path.unlink()
