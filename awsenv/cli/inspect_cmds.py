"""`awsenv explain PROFILE` and `awsenv list`: what awsenv would do, read from the config and the cache only."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import DurationOpt, ProfileArg, RegionOpt

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document instead of text.")]


def _cache_state(engine, plan, min_ttl: float) -> tuple[list[Optional[datetime]], list[bool]]:
    """Per step: the expiry of its cache entry, if any, and whether the engine would serve it without AWS."""
    from awsenv.model import READ_IN_PLACE

    until: list[Optional[datetime]] = []
    usable: list[bool] = []
    now = datetime.now(timezone.utc)
    for index, step in enumerate(plan.steps):
        entry = None
        if engine.cache is not None and not isinstance(step, READ_IN_PLACE):
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
    from awsenv.model import StaticKeys, StoredKeys

    out = {}
    for step in plan.steps:
        if isinstance(step, StaticKeys):
            profile = config.profile(step.profile)
            if isinstance(step, StoredKeys) and profile.stored_key:  # what the index says: no secret, no keyring
                out[step.profile] = (profile.stored_key.key_id, False)
            else:
                out[step.profile] = (profile.aws_access_key_id, bool(profile.aws_session_token))
    return out


@app.command("explain")
def explain(profile: ProfileArg = None, as_json: JsonOpt = False, duration: DurationOpt = None,
            region: RegionOpt = None) -> None:
    """Show the resolved chain and the exact AWS calls awsenv would make, where the MFA code goes, and why.
    Makes no AWS call.

    Example: awsenv explain prod --duration 2h
    """
    from awsenv import config as aws_config
    from awsenv.cli.flows import profile_or_pick
    from awsenv.explain import describe, render_text
    from awsenv.plan import resolve_plan

    name = profile_or_pick(profile, "export")
    config = aws_config.load()
    plan = resolve_plan(config, name, "export", duration, region, os.environ)
    engine, ttl = _engine(config)
    until, usable = _cache_state(engine, plan, ttl)
    doc = describe(plan, _keys(config, plan), until, usable)
    print(json.dumps(doc, indent=2) if as_json else render_text(doc), end="\n" if as_json else "")


def _source(config, plan) -> str:
    from awsenv.model import (AssumeRoleWithWebIdentity, ContainerCredentials, CredentialProcess, EnvironmentKeys,
                              InstanceMetadata, LoginSession, SsoRoleCredentials, StoredKeys)

    root = plan.steps[0]
    if isinstance(root, SsoRoleCredentials):
        return f"sso-session {root.session.name}" if root.session.name else root.session.start_url
    if isinstance(root, StoredKeys):
        return "keys from the keyring" if root.profile == plan.target else f"keys of {root.profile} from the keyring"
    kinds = {CredentialProcess: "credential_process", EnvironmentKeys: "environment keys",
             InstanceMetadata: "EC2 instance metadata", ContainerCredentials: "container credentials",
             AssumeRoleWithWebIdentity: "web identity", LoginSession: "aws login"}
    if type(root) in kinds:
        kind = kinds[type(root)]
    else:
        kind = "temporary keys" if config.profile(root.profile).aws_session_token else "keys"
    return kind if root.profile == plan.target else f"{kind} of {root.profile}"


def list_rows(config) -> list[dict]:
    from awsenv.errors import AwsenvError
    from awsenv.plan import resolve_plan

    engine, ttl = _engine(config)
    rows = []
    for name in sorted(config.profiles):
        profile = config.profiles[name]
        row: dict = {"profile": name, "flow": profile.flow, "region": profile.region, "source": None,
                     "chain": [name], "cached_until": None, "cache_valid": False, "cache_expired": False,
                     "seconds_left": None, "problem": None, "generated_from": profile.awsenv_generated}
        try:
            plan = resolve_plan(config, name, environ=os.environ)
        except AwsenvError as error:
            row["problem"] = error.message
            rows.append(row)
            continue
        until, usable = _cache_state(engine, plan, ttl)
        expiry = until[-1]
        now = datetime.now(timezone.utc)
        row.update(flow=plan.flow, chain=list(plan.chain), source=_source(config, plan),
                   cached_until=expiry.strftime("%Y-%m-%dT%H:%M:%SZ") if expiry else None, cache_valid=usable[-1],
                   cache_expired=bool(expiry) and expiry <= now,
                   seconds_left=max(int((expiry - now).total_seconds()), 0) if expiry else None)
        rows.append(row)
    return rows


@app.command("list")
def list_profiles(as_json: JsonOpt = False) -> None:
    """List the profiles: flow, region, where the credentials come from, and cached credentials' expiry.
    Profiles written by `awsenv populate` follow, grouped by their sso-session. Makes no AWS call.

    Example: awsenv list --json
    """
    from awsenv import config as aws_config

    rows = list_rows(aws_config.load())
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = [("PROFILE", "FLOW", "REGION", "SOURCE", "CACHED")]
    groups: dict = {}
    for row in rows:
        groups.setdefault(row["generated_from"] or "", []).append(row)
    for group in sorted(groups):
        if group:
            table.append((f"generated by `awsenv populate {group}` ({len(groups[group])} profiles):",))
        table.extend(_cells(row) for row in groups[group])
    problems = {row["profile"] for row in rows if row["problem"]}
    for line in fit_columns(table, _columns(), cut=3,
                            hint=lambda line: f" (see awsenv explain {line[0]})" if line[0] in problems else ""):
        print(line)


def _cells(row: dict) -> tuple[str, str, str, str, str]:
    if row["problem"]:
        cached = "-"
    elif row["cached_until"]:
        state = "valid until " if row["cache_valid"] else "expired " if row["cache_expired"] else "renews soon, "
        cached = state + row["cached_until"] + (f" ({_left(row['seconds_left'])} left)"
                                                if not row["cache_expired"] else "")
    else:
        cached = "-"
    source = row["source"] or ("problem: " + row["problem"] if row["problem"] else "-")
    return row["profile"], row["flow"], row["region"] or "-", source, cached


def _left(seconds: int) -> str:
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 60 else f"{seconds}s"


def _columns() -> int:
    """The terminal's width (COLUMNS, else stdout's terminal), or 0 for no limit when stdout is not a terminal."""
    import shutil

    return shutil.get_terminal_size((0, 0)).columns


def fit_columns(table: list[tuple[str, ...]], width: int, cut: int, hint) -> list[str]:
    """Left-aligned columns two spaces apart; a one-cell row is a heading, printed after a blank line. Over `width`
    (0: no limit), column `cut` is shortened: a shortened cell ends with `…` and `hint(row)`, which says where the
    whole text can be read."""
    rows = [line for line in table if len(line) > 1]
    widths = [max(len(line[column]) for line in rows) for column in range(len(rows[0]))]
    total = sum(widths) + 2 * (len(widths) - 1)
    if width and total > width:
        widths[cut] = max(widths[cut] - (total - width), len(rows[0][cut]), 20)
    out = []
    for number, line in enumerate(table):
        if len(line) == 1:
            out.append("\n" + line[0])
            continue
        cells = list(line)
        if number and len(cells[cut]) > widths[cut]:
            tail = "…" + hint(line)
            keep = max(widths[cut] - len(tail), min(widths[cut], 8))
            cells[cut] = cells[cut][:keep] + tail
        out.append("  ".join(cell.ljust(w) for cell, w in zip(cells, widths)).rstrip())
    return out
