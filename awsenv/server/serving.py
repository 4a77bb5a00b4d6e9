"""`awsenv serve`: run the per-user credential service in this process until it is stopped or idle."""

from __future__ import annotations

import os
import signal
from typing import Callable, Optional

from awsenv.errors import AwsenvError, ConfigError
from awsenv.terminal import say


def make_renewal(name: str, duration: Optional[str], region: Optional[str], log: Callable[[str], None]):
    """A renewal of profile `name` that never asks a person (the client that registered it already did)."""
    from awsenv.cache.format import server_min_ttl
    from awsenv.config import profiles as aws_config
    from awsenv.model import SsoRoleCredentials
    from awsenv.plan.rules import resolve_plan
    from awsenv.resolve.engine import Engine, FlowOptions
    from awsenv.resolve.obtain import open_cache
    from awsenv.server.renewal import Renewal

    wanted = server_min_ttl(os.environ)
    config = aws_config.load()
    plan = resolve_plan(config, name, "export", duration, region)
    for step in plan.steps:
        if isinstance(step, SsoRoleCredentials) and not (step.account_id and step.role_name):
            raise ConfigError(f"profile {step.profile!r} leaves the SSO account or role to be picked each time, "
                              "which a renewal in the background cannot do",
                              hint=f"set sso_account_id and sso_role_name in [profile {step.profile}]")
    engine = Engine(config, FlowOptions(min_ttl=wanted, browser=False, unattended=True), open_cache(log), log=log)

    def fetch(min_ttl: float):
        engine.options.min_ttl = min_ttl
        return engine.credentials(plan)

    remedy = f"run `awsenv export {name}` in a terminal: the service takes the new session from there"
    renewal = Renewal(name, fetch, wanted, log, remedy=remedy)
    renewal.first()
    return renewal, plan.region


def serve() -> int:
    from awsenv.server.runtime import lifetime_lock, remove_service_record, running, write_service_record
    from awsenv.server.service import Service, idle_seconds

    idle = idle_seconds()
    lock = lifetime_lock()
    if lock is None:
        current = running()
        raise AwsenvError("the credential service is already running" + (f" (pid {current.pid})" if current else ""),
                          hint="`awsenv serve status` shows it; `awsenv serve stop` stops it")
    service = Service(make_renewal, lambda message: say(message), idle)
    stop = service.stopping.set
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, lambda *_: stop())
    try:
        write_service_record(service.port, service.admin_token)
        say(f"credential service {os.getpid()} listening on 127.0.0.1:{service.port}; it exits after {idle:g}s "
            "with no request and no shell left")
        why = service.run()
        say(f"credential service {os.getpid()} ends: {why}")
    finally:
        remove_service_record()
        service.close()
        os.close(lock)
    return 0
