"""Session durations: `3600`, `900s`, `15m`, `1h`, `12h`, `1h30m`, and the ranges STS accepts."""

from __future__ import annotations

import re
from typing import Optional

from awsenv.errors import UsageError

_PART = re.compile(r"(\d+)([hms])")
_UNIT = {"h": 3600, "m": 60, "s": 1}

GET_SESSION_TOKEN_RANGE = (900, 129600)
ASSUME_ROLE_RANGE = (900, 43200)
CHAINED_MAX = 3600


def parse_duration(text: str, bounds: Optional[tuple[int, int]] = None, what: str = "") -> int:
    """Seconds from `3600` or a sum of `<n>h`, `<n>m`, `<n>s` parts; `bounds` and `what` name the range the
    call accepts, for the message."""
    value = text.strip().lower()
    if value.isascii() and value.isdigit():
        return int(value)
    if value and value.isascii() and _PART.sub("", value) == "":
        return sum(int(n) * _UNIT[u] for n, u in _PART.findall(value))
    raise UsageError(f"invalid duration {text!r}", hint="use whole seconds (3600) or a span like 15m, 1h, 12h, 1h30m"
                     + (f"; {range_words(bounds, what)}" if bounds else ""))


def range_words(bounds: tuple[int, int], what: str) -> str:
    low, high = bounds
    return f"{what} accepts {low}..{high} s ({format_seconds(low)} to {format_seconds(high)})"


def chaining_cap(seconds: int) -> str:
    """The words for a chained AssumeRole asked for more than STS allows, the same whoever notices it."""
    return f"role chaining caps the session at 1h (asked for {format_seconds(seconds)})"


def check_range(seconds: int, bounds: tuple[int, int], what: str) -> int:
    low, high = bounds
    if not low <= seconds <= high:
        raise UsageError(
            f"duration {seconds}s is out of range: {range_words(bounds, what)}",
            hint=f"choose a duration between {format_seconds(low)} and {format_seconds(high)}",
        )
    return seconds


def format_seconds(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return "".join(parts) or "0s"
