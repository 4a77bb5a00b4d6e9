"""`awsenv explain PROFILE` and `awsenv list`: what awsenv would do, read from the config and the cache only.

The Typer commands (awsenv.cli.inspect_cmds) and the simple forms run without the framework (awsenv.simple_cli)
both print through here."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Optional


def show_explain(profile: Optional[str], as_json: bool = False, duration: Optional[str] = None,
                 region: Optional[str] = None) -> None:
    from awsenv import config as aws_config
    from awsenv.credential_commands import profile_or_pick
    from awsenv.explain import describe, render_text
    from awsenv.plan import resolve_plan

    name = profile_or_pick(profile, "export")
    config = aws_config.load()
    plan = resolve_plan(config, name, "export", duration, region)
    engine, ttl = _engine(config)
    until, usable = _cache_state(engine, plan, ttl)
    doc = describe(plan, _keys(config, plan), until, usable)
    print(json.dumps(doc, indent=2) if as_json else render_text(doc), end="\n" if as_json else "")


def show_list(as_json: bool = False) -> None:
    from awsenv import config as aws_config

    rows = list_rows(aws_config.load())
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = [("PROFILE", "FLOW", "REGION", "SOURCE", "CACHED")]
    for row in rows:
        if row["problem"]:
            cached = "-"
        elif row["cached_until"]:
            state = "valid until " if row["cache_valid"] else "expired " if row["cache_expired"] else "renews soon, "
            cached = state + row["cached_until"]
        else:
            cached = "-"
        source = row["source"] or ("problem: " + row["problem"] if row["problem"] else "-")
        table.append((row["profile"], row["flow"], row["region"] or "-", source, cached))
    widths = [max(len(line[column]) for line in table) for column in range(4)]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[4])


def _cache_state(engine, plan, min_ttl: float, cached_profiles: Optional[set] = None,
                 ) -> tuple[list[Optional[datetime]], list[bool]]:
    """Per step: the expiry of its cache entry, if any, and whether the engine would serve it without AWS.
    `cached_profiles`, when given, holds every profile some cache entry was obtained for: no other step has one."""
    from awsenv.model import StaticKeys

    until: list[Optional[datetime]] = []
    usable: list[bool] = []
    now = datetime.now(timezone.utc)
    for index, step in enumerate(plan.steps):
        entry = None
        if (engine.cache is not None and not isinstance(step, StaticKeys)
                and (cached_profiles is None or step.profile in cached_profiles)):
            entry = engine.cache.read(engine.step_key(plan, index))
        creds = entry["credentials"] if entry else None
        until.append(creds.expiration if creds else None)
        usable.append(bool(creds) and creds.seconds_left(now) > min_ttl)
    return until, usable


def _engine(config):
    from awsenv.engine import Engine, FlowOptions
    from awsenv.flow import min_ttl, open_cache

    ttl = min_ttl()
    return Engine(config, FlowOptions(min_ttl=ttl), open_cache(lambda _message: None)), ttl


def _keys(config, plan) -> dict:
    from awsenv.model import StaticKeys

    out = {}
    for step in plan.steps:
        if isinstance(step, StaticKeys):
            profile = config.profile(step.profile)
            out[step.profile] = (profile.aws_access_key_id, bool(profile.aws_session_token))
    return out


def _source(config, plan) -> str:
    from awsenv.model import SsoRoleCredentials

    root = plan.steps[0]
    if isinstance(root, SsoRoleCredentials):
        return f"sso-session {root.session.name}" if root.session.name else root.session.start_url
    profile = config.profile(root.profile)
    kind = "temporary keys" if profile.aws_session_token else "keys"
    return kind if root.profile == plan.target else f"{kind} of {root.profile}"


def list_rows(config) -> list[dict]:
    from awsenv.errors import AwsenvError
    from awsenv.plan import resolve_plan

    engine, ttl = _engine(config)
    # Every entry records the profile its step belongs to: with thousands of profiles and a few cached, the
    # others need no cache key computed nor file looked for.
    cached = {entry.get("profile") for _, entry in engine.cache.entries()} if engine.cache is not None else set()
    rows = []
    for name in sorted(config.profiles):
        profile = config.profiles[name]
        row: dict = {"profile": name, "flow": profile.flow, "region": profile.region, "source": None,
                     "chain": [name], "cached_until": None, "cache_valid": False, "cache_expired": False,
                     "problem": None}
        try:
            plan = resolve_plan(config, name)
        except AwsenvError as error:
            row["problem"] = error.message
            rows.append(row)
            continue
        until, usable = _cache_state(engine, plan, ttl, cached)
        expiry = until[-1]
        row.update(flow=plan.flow, chain=list(plan.chain), source=_source(config, plan),
                   cached_until=expiry.strftime("%Y-%m-%dT%H:%M:%SZ") if expiry else None, cache_valid=usable[-1],
                   cache_expired=bool(expiry) and expiry <= datetime.now(timezone.utc))
        rows.append(row)
    return rows
