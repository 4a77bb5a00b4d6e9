"""`awsenv console PROFILE`: open the AWS console signed in as the profile (or print the URL)."""

from __future__ import annotations

import sys

import typer

from awsenv.cli.app import app
from awsenv.cli.flows import profile_or_pick, request_for
from awsenv.cli.options import (CredentialOptions, DurationOpt, MfaCodeOpt, NoBrowserOpt, NoCacheOpt, ProfileArg,
                                RegionOpt)


@app.command("console")
def console(profile: ProfileArg = None, print_url: bool = typer.Option(
                False, "--print", help="Print the sign-in URL on stdout instead of opening a browser."),
            mfa_code: MfaCodeOpt = None, duration: DurationOpt = None, region: RegionOpt = None,
            no_cache: NoCacheOpt = False, no_browser: NoBrowserOpt = False) -> None:
    """Open the AWS console signed in as PROFILE (a federation sign-in URL, valid for 15 minutes).

    Example: awsenv console prod --region eu-west-1
    """
    from awsenv import aws, config
    from awsenv.console import signin_url
    from awsenv.engine import say
    from awsenv.flow import obtain
    from awsenv.model import Credentials

    name = profile_or_pick(profile, "console")
    options = CredentialOptions(mfa_code=mfa_code, duration=duration, region=region, no_cache=no_cache,
                                no_browser=no_browser)
    loaded = config.load()
    target = loaded.profile(name)
    if target.flow == "user":
        # The sign-in service does not take GetSessionToken credentials; a federation token it does.
        if target.mfa_serial:
            say(f"profile {name!r}: a console session for an IAM user cannot carry MFA; "
                "use a role profile with mfa_serial when policies require MFA")
        keys = Credentials(target.aws_access_key_id or "", target.aws_secret_access_key or "",
                           target.aws_session_token)
        if not target.has_keys:  # keys stored with `awsenv keys`
            from awsenv import keystore

            keys = keystore.load(name)
        from awsenv.durations import parse_duration

        seconds = parse_duration(duration) if duration else None
        creds = aws.get_federation_token(name, keys, region or target.region, f"awsenv-{name}", seconds)
        chosen_region = region or target.region
    else:
        result = obtain(request_for(name, "export", options))
        creds, chosen_region = result.credentials, result.plan.region
    url = signin_url(name, creds, chosen_region)
    if print_url:
        sys.stdout.write(url + "\n")
        return
    import webbrowser

    if no_browser or not webbrowser.open(url):
        say("open this URL in a browser (it signs you in; it is valid for 15 minutes):")
        print(url, file=sys.stderr)
    else:
        say(f"opened the AWS console for profile {name!r} in the browser")
