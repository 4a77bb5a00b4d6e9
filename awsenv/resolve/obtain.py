"""From a profile name and the user's options to credentials: config, plan, cache, engine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

from awsenv.config import profiles as aws_config
from awsenv.cache import index as fast_index
from awsenv.cache.format import min_ttl
from awsenv.cache.store import CredentialCache
from awsenv.paths import cache_dir
from awsenv.env import expires_at
from awsenv.resolve.engine import Engine, FlowOptions
from awsenv.resolve.standing import epoch, needs_code, person_needed_at
from awsenv.terminal import say
from awsenv.files import UnsafeDirectory, ensure_private_dir
from awsenv.resolve import notes
from awsenv.resolve.mfa import validate_code
from awsenv.model import READ_IN_PLACE, Credentials, Plan
from awsenv.plan.regions import unknown_region_warning
from awsenv.plan.rules import resolve_plan

__all__ = ["Request", "Result", "obtain", "open_cache"]


@dataclass
class Request:
    profile: str
    flow: str = "export"  # user, role, sso or export (whichever fits)
    mfa_code: Optional[str] = None
    duration: Optional[str] = None
    region: Optional[str] = None
    use_cache: bool = True
    min_ttl: Optional[float] = None
    browser: bool = True
    use_device_code: bool = False
    unattended: bool = False  # nobody may be asked (no MFA prompt, no sign-in)


@dataclass
class Result:
    plan: Plan
    credentials: Credentials
    aws_calls: list[str] = field(default_factory=list)
    person_needed_at: Optional[int] = None  # when renewing them next needs a person (seconds since the epoch)


def open_cache(log: Callable[[str], None] = say, environ: Mapping[str, str] = os.environ) -> Optional[CredentialCache]:
    directory = cache_dir(environ)
    try:
        ensure_private_dir(directory)
    except (UnsafeDirectory, OSError) as exc:
        log(f"not caching credentials: {exc}")
        return None
    return CredentialCache(directory, warn=log)


def obtain(request: Request, log: Callable[[str], None] = say) -> Result:
    if request.mfa_code is not None:
        validate_code(request.mfa_code)
    identities = fast_index.file_identities() if request.use_cache else None  # before reading: a later edit shows
    config = aws_config.load()
    plan = resolve_plan(config, request.profile, request.flow, request.duration, request.region, os.environ)
    cache = open_cache(log) if request.use_cache else None
    options = FlowOptions(mfa_code=request.mfa_code, browser=request.browser, use_device_code=request.use_device_code,
                          min_ttl=request.min_ttl if request.min_ttl is not None else min_ttl(),
                          unattended=request.unattended)
    engine = Engine(config, options, cache, log)
    unknown_region = unknown_region_warning(plan.region)
    told = lambda: None  # noqa: E731
    if not engine.is_cached(plan):
        told = notes.tell(engine, plan, log)
    elif unknown_region:
        log(unknown_region)  # said every time: a typo costs more than the line
    creds = engine.credentials(plan)
    told()
    person = epoch(person_needed_at(plan, engine)) if engine.cache is not None else _without_cache(plan, creds)
    cache = engine.cache  # None when the cache turned out unusable on the way
    # A plan that reads the environment (credential_source, AWS_ROLE_ARN, ...) is never served by a stat of the files,
    # nor one whose region needs a warning (the fast path knows no regions).
    if (cache is not None and not isinstance(plan.steps[-1], READ_IN_PLACE) and not plan.reads_environment
            and not unknown_region):
        key = fast_index.request_key(request.flow, request.profile, request.duration, request.region)
        fast_index.remember(cache, key, engine.step_key(plan, len(plan.steps) - 1), plan.region, identities, person)
    return Result(plan, creds, engine.calls, person)


def _without_cache(plan: Plan, creds: Credentials) -> Optional[int]:
    """Nothing is kept: a plan with a typed MFA code needs a person again when these credentials end."""
    return expires_at(creds) if any(needs_code(step) for step in plan.steps) else None
