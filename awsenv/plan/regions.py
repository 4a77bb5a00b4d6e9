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
def _partition_patterns() -> tuple[re.Pattern, ...]:
    from importlib.util import find_spec

    spec = find_spec("botocore")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            with open(os.path.join(folder, "data", "partitions.json"), encoding="utf-8") as handle:
                partitions = json.load(handle)["partitions"]
            return tuple(re.compile(p["regionRegex"], re.ASCII) for p in partitions if p.get("regionRegex"))
        except (OSError, ValueError, KeyError, TypeError, re.error):
            continue
    return ()


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
