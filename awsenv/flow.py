"""From a profile name and the user's options to credentials: config, plan, cache, engine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

from awsenv import config as aws_config
from awsenv.cache import CredentialCache, cache_dir
from awsenv.engine import Engine, FlowOptions, say
from awsenv.errors import UsageError
from awsenv.files import UnsafeDirectory, ensure_private_dir
from awsenv.mfa import validate_code
from awsenv.model import Credentials, Plan
from awsenv.plan import resolve_plan

DEFAULT_MIN_TTL = 300
CREDENTIAL_PROCESS_MIN_TTL = 900


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


@dataclass
class Result:
    plan: Plan
    credentials: Credentials
    aws_calls: list[str] = field(default_factory=list)


def min_ttl(environ: Mapping[str, str] = os.environ, floor: float = 0) -> float:
    raw = environ.get("AWSENV_MIN_TTL")
    try:
        value = float(raw) if raw else DEFAULT_MIN_TTL
    except ValueError:
        raise UsageError(f"AWSENV_MIN_TTL={raw!r} is not a number of seconds") from None
    return max(value, floor)


def open_cache(log: Callable[[str], None] = say, environ: Mapping[str, str] = os.environ) -> Optional[CredentialCache]:
    directory = cache_dir(environ)
    try:
        ensure_private_dir(directory)
    except (UnsafeDirectory, OSError) as exc:
        log(f"not caching credentials: {exc}")
        return None
    return CredentialCache(directory)


def obtain(request: Request, log: Callable[[str], None] = say) -> Result:
    if request.mfa_code is not None:
        validate_code(request.mfa_code)
    config = aws_config.load()
    plan = resolve_plan(config, request.profile, request.flow, request.duration, request.region)
    cache = open_cache(log) if request.use_cache else None
    options = FlowOptions(mfa_code=request.mfa_code, browser=request.browser,
                          min_ttl=request.min_ttl if request.min_ttl is not None else min_ttl())
    engine = Engine(config, options, cache, log)
    if not engine.is_cached(plan):
        for note in plan.notes:
            log(note)
    creds = engine.credentials(plan)
    return Result(plan, creds, engine.calls)
