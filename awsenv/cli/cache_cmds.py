"""`awsenv cache list|clear`: what awsenv has cached (no secrets), and forgetting it."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import complete_profile
from awsenv.errors import ConfigError


cache_app = typer.Typer(help="What awsenv has cached (no secrets shown), and forgetting it.", no_args_is_help=True)
app.add_typer(cache_app, name="cache", short_help="Show or forget cached credentials (no secrets).")


def _cache():
    from awsenv.resolve.obtain import open_cache

    cache = open_cache()
    if cache is None:
        raise ConfigError("the cache directory cannot be used (see above)",
                          hint="set AWSENV_CACHE_DIR to a directory only you can write to")
    return cache


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@cache_app.command("list", short_help="List cached credentials and their expiry.")
def cache_list(as_json: Annotated[bool, typer.Option("--json", help="One JSON document instead of a table.")]
               = False) -> None:
    """List cached credentials: the profile they belong to, what obtained them, and until when they are valid.

    Example: awsenv cache list
    """
    cache = _cache()
    now = datetime.now(timezone.utc)
    rows = []
    for key, entry in cache.entries():
        creds = entry["credentials"]
        rows.append({"profile": entry.get("profile"), "for": entry.get("target"), "kind": entry.get("kind"),
                     "expires": _iso(creds.expiration), "seconds_left": max(int(creds.seconds_left(now)), 0),
                     "entry": key})
    rows.sort(key=lambda row: (str(row["profile"]), str(row["kind"]), row["expires"]))
    if as_json:
        sys.stdout.write(json.dumps({"directory": cache.directory, "entries": rows}, indent=2) + "\n")
        return
    if not rows:
        print(f"awsenv: nothing cached in {cache.directory}", file=sys.stderr)
        return
    table = [("PROFILE", "OBTAINED BY", "FOR", "EXPIRES", "LEFT")]
    for row in rows:
        left = row["seconds_left"]
        table.append((str(row["profile"]), str(row["kind"]), str(row["for"]), row["expires"],
                      f"{left // 3600}h{left % 3600 // 60:02d}m" if left else "expired"))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() + "\n")


@cache_app.command("clear", short_help="Forget cached credentials: all, or one profile's.")
def cache_clear(profile: Annotated[Optional[str], typer.Argument(
        help="Forget only this profile's credentials (and the sessions obtained on the way to them).",
        autocompletion=complete_profile, metavar="[PROFILE]", show_default=False)] = None) -> None:
    """Forget cached credentials: all of them, or one profile's. The next call asks AWS (and for MFA) again.

    Example: awsenv cache clear prod
    """
    cache = _cache()
    removed = cache.clear(profile)
    what = f"for profile {profile!r}" if profile else "in total"
    print(f"awsenv: removed {len(removed)} cached credential{'s' if len(removed) != 1 else ''} {what}",
          file=sys.stderr)
