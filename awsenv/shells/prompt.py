"""`awsenv prompt`: a short prompt segment read from the environment alone, e.g. `prod 42m`.

The time is until a person is next needed (AWSENV_PERSON_NEEDED_AT: the MFA session's or the sign-in's end, or the
credentials' own end when nothing can renew them); credentials that renew by themselves show the profile alone. Within the renewal window (AWSENV_RENEW_BEFORE, 600 s) the time ends in `!`; past it the
segment says `expired`. Empty when awsenv set nothing in this shell. Loaded on the fast path: no heavy import.
"""

from __future__ import annotations

import os

DEFAULT_RENEW_BEFORE = 600


def renew_before(environ=os.environ) -> int:
    raw = environ.get("AWSENV_RENEW_BEFORE", "")
    return int(raw) if raw.isascii() and raw.isdigit() else DEFAULT_RENEW_BEFORE


def _epoch(environ, name: str):
    raw = environ.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


def segment(environ=os.environ, now: float | None = None) -> str:
    import time

    profile = environ.get("AWSENV_PROFILE")
    if not profile:
        return ""
    horizon = _epoch(environ, "AWSENV_PERSON_NEEDED_AT")
    if horizon is None:
        return profile
    left = int(horizon - (time.time() if now is None else now))
    if left <= 0:
        return f"{profile} expired"
    return f"{profile} {short_duration(left)}" + ("!" if left <= renew_before(environ) else "")


def short_duration(seconds: int) -> str:
    minutes = (seconds + 59) // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
