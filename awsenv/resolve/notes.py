"""What a plan's notes tell the user before AWS is asked, and how often.

The MFA session's explanation (one code opens a session that the roles sharing its serial reuse) is said once per
MFA session: a marker next to the session's cache entry, named by its key and holding nothing, remembers that it
was said (written once the credentials came: a sign-in cut short leaves nothing behind). Under --debug it is traced every time; `awsenv explain` always shows it."""

from __future__ import annotations

import logging
import os
from typing import Callable

from awsenv import files
from awsenv.model import AssumeRole, GetSessionToken, Plan
from awsenv.plan.rules import mfa_session_note

_MARKER = ".explained"
trace = logging.getLogger("awsenv")


def tell(engine, plan: Plan, log: Callable[[str], None]) -> Callable[[], None]:
    """Say the plan's notes (when AWS is to be asked: not for credentials served from the cache); return what to
    call once the credentials came, which remembers the explanations said."""
    once = _mfa_session_notes(engine, plan)
    said = []
    for note in plan.notes:
        key = once.get(note)
        if key is not None and _explained(engine, key):
            trace.debug(note)
            continue
        log(note)
        if key is not None:
            said.append(key)
    return lambda: _remember(engine, said)


def _mfa_session_notes(engine, plan: Plan) -> dict[str, str]:
    """{the explanation of an MFA session: that session's cache key}."""
    found = {}
    for index, step in enumerate(plan.steps[:-1]):
        after = plan.steps[index + 1]
        if isinstance(step, GetSessionToken) and step.mfa_serial and isinstance(after, AssumeRole):
            found[mfa_session_note(after.profile, step.mfa_serial)] = engine.step_key(plan, index)
    return found


def _explained(engine, key: str) -> bool:
    """Whether the explanation of the MFA session `key` was said before (never, without a cache)."""
    return engine.cache is not None and os.path.lexists(os.path.join(engine.cache.directory, key + _MARKER))


def _remember(engine, keys: list[str]) -> None:
    if engine.cache is None:
        return
    for key in keys:
        try:
            files.ensure_private_dir(engine.cache.directory)
            files.write_atomic(os.path.join(engine.cache.directory, key + _MARKER), b"")
        except (files.UnsafeDirectory, OSError):
            pass  # said again next time: no harm
