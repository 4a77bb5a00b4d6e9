"""`awsenv explain PROFILE` and `awsenv list`: what awsenv would do, read from the config and the cache only."""

from __future__ import annotations

from typing import Annotated

import typer

from awsenv.cli.app import app
from awsenv.cli.options import DurationOpt, ProfileArg, RegionOpt
from awsenv.commands.inspect import list_rows, show_explain, show_list

__all__ = ["list_rows"]

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON document instead of text.")]


@app.command("explain", short_help="Show the AWS calls awsenv would make, and why.")
def explain(profile: ProfileArg = None, as_json: JsonOpt = False, duration: DurationOpt = None,
            region: RegionOpt = None) -> None:
    """Show the resolved chain and the exact AWS calls awsenv would make, where the MFA code goes, and why.
    Makes no AWS call.

    Example: awsenv explain prod --duration 2h
    """
    show_explain(profile, as_json, duration, region)


@app.command("list", short_help="List the profiles, their flows and cached expiry.")
def list_profiles(as_json: JsonOpt = False) -> None:
    """List the profiles: flow, region, where the credentials come from, and cached credentials' expiry.
    Profiles written by `awsenv populate` follow, grouped by their sso-session. Makes no AWS call.

    Example: awsenv list --json
    """
    show_list(as_json)
