"""`awsenv login PROFILE`: sign in to IAM Identity Center (or refresh the sign-in) without fetching credentials."""

from __future__ import annotations

from typing import Annotated

import typer

from awsenv.cli.app import app
from awsenv.cli.options import NoBrowserOpt, ProfileArg, UseDeviceCodeOpt

ForceOpt = Annotated[bool, typer.Option("--force", help="Sign in again even when the saved sign-in is still valid "
                                                     "(with a new client registration when the saved one only allows "
                                                     "the device code).")]


@app.command("login", short_help="Sign in to IAM Identity Center (no credentials).")
def login(profile: ProfileArg = None, no_browser: NoBrowserOpt = False, force: ForceOpt = False,
          use_device_code: UseDeviceCodeOpt = False) -> None:
    """IAM Identity Center only: refresh the sign-in, or sign in through the browser, like `aws sso login`.

    The token is kept in the AWS CLI's cache (~/.aws/sso/cache), so the AWS CLI and SDKs share it.
    Prints nothing on stdout.

    Example: awsenv login dev
    """
    from awsenv.config import profiles as config
    from awsenv.sso import role as sso
    from awsenv.terminal import say
    from awsenv.errors import UsageError
    from awsenv.model import SsoRoleCredentials
    from awsenv.terminal import pick_profile
    from awsenv.plan.rules import resolve_plan
    from awsenv.sso.login import describe

    loaded = config.load()
    if not profile:
        profile = pick_profile([n for n, p in loaded.profiles.items() if p.is_sso], "login")
    plan = resolve_plan(loaded, profile)
    root = plan.steps[0]
    if not isinstance(root, SsoRoleCredentials):
        raise UsageError(f"profile {profile!r} does not use IAM Identity Center (its flow is {plan.flow})",
                         hint=f"`awsenv login` is for SSO profiles; use `awsenv {plan.flow} {profile}`")
    token = sso.login(root.profile, root.session, browser=not no_browser, force=force, log=say,
                      use_device_code=use_device_code)
    say(f"the IAM Identity Center sign-in for {describe(root.session)} is valid until "
        f"{token.expires_at.strftime('%Y-%m-%d %H:%M:%SZ')}")
