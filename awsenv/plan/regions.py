"""Region names: only a name of a known AWS partition reaches the exported variables, the JSON output or a client.

The partitions and their region patterns are botocore's own (botocore/data/partitions.json), read as a file so that
the pure planning code imports no boto; when that file cannot be read, the general shape `xx-word-N` is the rule.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import Optional

from awsenv.errors import ConfigError, UsageError

_SHAPE = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}", re.ASCII)
EXPECTED = "lowercase like us-east-1, eu-central-1, cn-north-1 or us-gov-west-1"


@lru_cache(maxsize=1)
def _partitions() -> list:
    from importlib.util import find_spec

    spec = find_spec("botocore")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            with open(os.path.join(folder, "data", "partitions.json"), encoding="utf-8") as handle:
                partitions = json.load(handle)["partitions"]
            if isinstance(partitions, list):
                return partitions
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return []


@lru_cache(maxsize=1)
def _partition_patterns() -> tuple[re.Pattern, ...]:
    try:
        return tuple(re.compile(p["regionRegex"], re.ASCII) for p in _partitions() if p.get("regionRegex"))
    except (KeyError, TypeError, re.error):
        return ()


@lru_cache(maxsize=1)
def known_regions() -> tuple[str, ...]:
    """The regions botocore's partitions list by name (their `*-global` pseudo-regions left out)."""
    try:
        return tuple(sorted(name for p in _partitions() for name in p.get("regions", {})
                            if _SHAPE.fullmatch(name)))
    except (AttributeError, TypeError):
        return ()


def unknown_region_warning(name: Optional[str]) -> Optional[str]:
    """A warning for a region name of a partition's shape that botocore does not list, with the closest it does: a
    typo (eu-wst-1) is likelier than a region newer than botocore, but the name is still used as given."""
    known = known_regions()
    if not name or not known or name in known:
        return None
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    guess = f"; did you mean {close[0]!r}?" if close else ";"
    return f"warning: botocore knows no region {name!r}{guess} it is used as given (a new region can come first)"


def is_region(name: str) -> bool:
    if not _SHAPE.fullmatch(name):
        return False
    patterns = _partition_patterns()
    return not patterns or any(p.fullmatch(name) for p in patterns)


def checked_region(option: Optional[str], profile_name: str, configured: Optional[str]) -> Optional[str]:
    """The region to use: `--region` when given, else the profile's; refused (exit 2) when it is not a region name.

    A profile's `region =` left empty means no region, as in the AWS CLI.
    """
    if option is not None:
        if not is_region(option):
            raise UsageError(f"--region {option!r} is not an AWS region name", hint=f"give one {EXPECTED}")
        return option
    if configured is None or not configured.strip():
        return None
    if not is_region(configured):
        raise ConfigError(f"profile {profile_name!r}: region {configured!r} is not an AWS region name",
                          hint=f"set it {EXPECTED} (a # or ; comment must be on a line of its own)")
    return configured
