"""`awsenv console PROFILE`: open the AWS console signed in as the profile (or print the URL)."""

from __future__ import annotations

import sys
from typing import Callable, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.flows import profile_or_pick
from awsenv.cli.options import MfaCodeOpt, NoCacheOpt, ProfileArg

ServiceOpt = typer.Option(None, "--service", "-s", metavar="NAME", show_default=False,
                          help="Open this service: s3, ec2, lambda, cloudformation, iam, cloudwatch, … .")
DestinationOpt = typer.Option(None, "--destination", metavar="URL", show_default=False,
                              help="Open this console URL (https, on the profile's partition's console).")
BookmarkOpt = typer.Option(None, "--bookmark", "-b", metavar="NAME", show_default=False,
                           help="Open a page named in the profile's awsenv_console_bookmarks.")
ContainerOpt = typer.Option(False, "--container", "-c",
                            help="Open in the profile's own Firefox container (or Chromium profile), "
                                 "so several accounts stay signed in side by side.")
HANDOFF_WAIT = 60.0  # seconds the default browser has to come for the page

DurationOpt = typer.Option(None, "--duration", metavar="DURATION", show_default=False,
                           help="Console session: 15m..12h for roles and SSO (default 12h), at most 1h for role "
                                "chains, up to 36h for IAM users.")
RegionOpt = typer.Option(None, "--region", metavar="REGION", show_default=False,
                         help="Region of the console page, overriding the profile's.")
NoBrowserOpt = typer.Option(False, "--no-browser",
                            help="Open nothing: show the sign-in URL on stderr (an SSO sign-in prints its URL too).")
PrintOpt = typer.Option(False, "--print", help="Print the sign-in URL on stdout instead of opening a browser.")


@app.command("console", short_help="Open the AWS console signed in as a profile.")
def console(profile: ProfileArg = None, service: Optional[str] = ServiceOpt,
            destination: Optional[str] = DestinationOpt,
            bookmark: Optional[str] = BookmarkOpt, container: bool = ContainerOpt, print_url: bool = PrintOpt,
            mfa_code: MfaCodeOpt = None, duration: Optional[str] = DurationOpt, region: Optional[str] = RegionOpt,
            no_cache: NoCacheOpt = False, no_browser: bool = NoBrowserOpt) -> None:
    """Open the AWS console signed in as PROFILE, on a given page, optionally in the profile's own container.

    The console session lasts 12h for role and SSO credentials (--duration to change), as long as the
    credentials for role chains, and as long as the federation token for IAM users.

    Example: awsenv console prod --service s3 --container
    """
    from awsenv.console.signin import ConsoleRequest, sign_in
    from awsenv.terminal import say

    name = profile_or_pick(profile, "console")
    opener = None if print_url or no_browser else _opener(name, container)  # a wrong browser fails before AWS
    signed = sign_in(ConsoleRequest(name, service=service, destination=destination, bookmark=bookmark,
                                    region=region, duration=duration, mfa_code=mfa_code, use_cache=not no_cache,
                                    browser=not no_browser))
    if print_url:
        from awsenv.console.browser import container_url

        sys.stdout.write((container_url(name, signed.url) if container else signed.url) + "\n")
        return
    where = opener(signed.url) if opener else None
    if where is None:
        say("open this URL in a browser (it signs you in; it is valid for 15 minutes):")
        print(signed.url, file=sys.stderr)
        return
    until = f"; the console session lasts until {signed.ends:%Y-%m-%d %H:%M} UTC" if signed.ends else ""
    say(f"opened {signed.destination} for profile {name!r} {where}{until}")


def _opener(name: str, container: bool) -> Callable[[str], Optional[str]]:
    """How to open the URL: a function that opens it and says where (None when no browser could open it)."""
    from awsenv.console import browser
    from awsenv.errors import UsageError

    chosen = browser.configured()
    if not container:
        if chosen is not None:
            return lambda url: _launch(chosen, browser.command(chosen, url), f"with {chosen.origin}")

        from awsenv.sso.device import can_launch_browser

        return _default_browser if can_launch_browser() else lambda url: None
    chosen = chosen or browser.installed()
    if chosen is None:
        raise UsageError("--container needs Firefox (with a container extension) or a Chromium-family browser, "
                         "and none was found", hint="set AWSENV_BROWSER to your browser, e.g. 'firefox {url}'")
    if chosen.family == "firefox":
        browser.container_url(name, "https://console.aws.amazon.com/")  # checks AWSENV_CONTAINER_EXTENSION now
        return lambda url: _launch(chosen, browser.command(chosen, browser.container_url(name, url)),
                                   f"in Firefox container {name!r}")
    if chosen.family == "chromium":
        profile_dir = browser.chromium_profile_dir(name)
        extra = (f"--user-data-dir={profile_dir}", "--no-first-run", "--no-default-browser-check")
        return lambda url: _launch(chosen, browser.command(chosen, url, extra),
                                   f"in its own browser profile ({profile_dir})")
    raise UsageError(f"--container: awsenv cannot tell whether {chosen.template[0]!r} ({chosen.origin}) is Firefox "
                     "or a Chromium-family browser",
                     hint="set AWSENV_BROWSER_FAMILY=firefox or AWSENV_BROWSER_FAMILY=chromium")


def _default_browser(url: str) -> Optional[str]:
    """The system's default browser, sent to a one-time loopback redirect so that no argv holds the URL."""
    from awsenv.console.handoff import open_in_default_browser

    return "in the default browser" if open_in_default_browser(url, HANDOFF_WAIT) else None


def _launch(chosen, argv: list[str], where: str) -> str:
    from awsenv.console.browser import launch

    launch(argv, chosen.origin)
    return where
