"""`awsenv console`: from a profile to a console sign-in URL, through the same plan, cache and engine as exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from awsenv.console import federation as console
from awsenv.console import links as console_links
from awsenv.console import session as console_session
from awsenv.durations import CHAINED_MAX
from awsenv.terminal import say


@dataclass
class ConsoleRequest:
    profile: str
    service: Optional[str] = None
    destination: Optional[str] = None
    bookmark: Optional[str] = None
    region: Optional[str] = None
    duration: Optional[str] = None
    mfa_code: Optional[str] = None
    use_cache: bool = True
    browser: bool = True  # may an SSO sign-in open a browser


@dataclass
class ConsoleSignIn:
    url: str  # the login URL; it carries a sign-in token: never put it in argv other than the browser's
    destination: str
    partition: str
    region: Optional[str]
    session: console_session.ConsoleSession
    ends: Optional[datetime]  # when the console session ends, as far as awsenv can tell


def sign_in(request: ConsoleRequest, log: Callable[[str], None] = say) -> ConsoleSignIn:
    """Check every option, obtain the credentials, fetch one sign-in token, and build the login URL."""
    from awsenv.config import profiles as aws_config
    from awsenv.durations import parse_duration
    from awsenv.resolve.mfa import validate_code
    from awsenv.plan.rules import resolve_plan

    if request.mfa_code is not None:
        validate_code(request.mfa_code)
    requested = parse_duration(request.duration) if request.duration else None
    config = aws_config.load()
    target = config.profile(request.profile)
    plan = resolve_plan(config, request.profile, "export", None, request.region)
    session = console_session.for_plan(plan, requested)
    if session.kind == "chained" and requested is not None and requested <= CHAINED_MAX:
        plan = resolve_plan(config, request.profile, "export", requested, request.region)  # a shorter chained hop

    partition = console_links.partition_for(_role_arn(plan), plan.region or _sso_region(plan))
    region = console_links.check_region(plan.region, partition)
    bookmarks = console_links.parse_bookmarks(request.profile, target.awsenv_console_bookmarks)
    destination = console_links.destination(request.profile, partition, region, service=request.service,
                                            url=request.destination, bookmark=request.bookmark, bookmarks=bookmarks)

    creds, session = _credentials(config, plan, session, requested, request, log)
    endpoint = console.federation_endpoint(partition)
    token = console.signin_token(request.profile, creds, endpoint, session.session_duration)
    now = datetime.now(timezone.utc)
    ends = now + timedelta(seconds=session.session_duration) if session.session_duration else creds.expiration
    return ConsoleSignIn(console.login_url(endpoint, token, destination), destination, partition.name, region,
                         session, ends)


def _credentials(config, plan, session, requested, request: ConsoleRequest, log):
    from awsenv.aws import sts as aws
    from awsenv.cache.format import min_ttl
    from awsenv.resolve import notes
    from awsenv.resolve.engine import Engine, FlowOptions
    from awsenv.resolve.obtain import open_cache

    usual = min_ttl()
    steps_plan = console_session.root_plan(plan) if session.kind == "root" else plan
    cache = open_cache(log) if request.use_cache else None
    options = FlowOptions(mfa_code=request.mfa_code, browser=request.browser,
                          min_ttl=max(usual, session.min_ttl or 0))
    engine = Engine(config, options, cache, log)
    told = notes.tell(engine, steps_plan, log) if not engine.is_cached(steps_plan) else (lambda: None)
    creds = engine.credentials(steps_plan)
    told()
    if session.kind == "root":
        root = config.profile(steps_plan.steps[-1].profile)
        session = console_session.for_root(plan.target, creds, requested, root.mfa_serial)
    for note in session.notes:
        log(note)
    if session.kind == "federation":
        from awsenv.plan.checks import default_session_name

        creds = aws.get_federation_token(plan.target, creds, plan.region, default_session_name(plan.target),
                                         session.federation_duration)
    return creds, session


def _role_arn(plan) -> Optional[str]:
    from awsenv.model import AssumeRole

    roles = [step.role_arn for step in plan.steps if isinstance(step, AssumeRole)]
    return roles[-1] if roles else None


def _sso_region(plan) -> Optional[str]:
    from awsenv.model import SsoRoleCredentials

    first = plan.steps[0]
    return first.session.region if isinstance(first, SsoRoleCredentials) else None
