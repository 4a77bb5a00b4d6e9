"""`awsenv login PROFILE`: sign in to IAM Identity Center (or refresh the sign-in), or sign in with console
credentials as `aws login` does, without fetching role credentials."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from awsenv.cli.app import app
from awsenv.cli.options import NoBrowserOpt, ProfileArg, UseDeviceCodeOpt

ForceOpt = Annotated[bool, typer.Option("--force", help="Sign in again even when the saved sign-in is still valid "
                                                     "(with a new client registration when the saved one only allows "
                                                     "the device code).")]
IfNeededOpt = Annotated[bool, typer.Option("--if-needed", help="Sign in only when no valid or refreshable sign-in "
                                                             "is saved (exit 0 either way): for scripts and rc files.")]
AwsLoginOpt = Annotated[bool, typer.Option(
    "--aws-login", help="Sign in with console credentials (as `aws login` does) and make PROFILE use them: writes "
                        "its login_session (the profile is created when missing).")]
RemoteOpt = Annotated[bool, typer.Option(
    "--remote", help="Console sign-in from a machine without a browser: print the URL, then paste the code the "
                     "browser shows.")]
LoginRegionOpt = Annotated[Optional[str], typer.Option(
    "--region", metavar="REGION", help="Console sign-in: the region to sign in to (default: the profile's; written "
                                       "into the profile when it has none).", show_default=False)]


@app.command("login", short_help="Sign in: IAM Identity Center or console credentials.")
def login(profile: ProfileArg = None, no_browser: NoBrowserOpt = False, force: ForceOpt = False,
          use_device_code: UseDeviceCodeOpt = False, aws_login: AwsLoginOpt = False, remote: RemoteOpt = False,
          region: LoginRegionOpt = None, if_needed: IfNeededOpt = False) -> None:
    """Refresh a sign-in, or sign in through the browser: IAM Identity Center profiles like `aws sso login`,
    console-credential profiles (login_session) like `aws login`.

    Tokens are kept in the AWS CLI's caches (~/.aws/sso/cache, ~/.aws/login/cache), so the AWS CLI and SDKs share
    them. Prints nothing on stdout.

    Examples: awsenv login dev · awsenv login me --aws-login · awsenv login me --remote
    """
    from awsenv.config import profiles as config
    from awsenv.errors import UsageError
    from awsenv.terminal import pick_profile

    loaded = config.load()
    if not profile:
        profile = pick_profile([n for n, p in loaded.profiles.items() if p.is_sso or p.login_session], "login")
    if aws_login:
        _console_login(profile, loaded.profiles.get(profile), True, force, remote, not no_browser, region)
        return
    found = loaded.profiles.get(profile)
    if found is not None and found.flow == "none":
        raise UsageError(f"profile {profile!r} has no way to sign in yet (no IAM Identity Center settings, no "
                         "login_session)",
                         hint=f"`awsenv login {profile} --aws-login` signs in with console credentials and makes it "
                              "a login_session profile")
    from awsenv.model import LoginSession
    from awsenv.plan.rules import resolve_plan

    plan = resolve_plan(loaded, profile)
    root = plan.steps[0]
    if isinstance(root, LoginSession):  # the profile, or the one its role chain starts from
        _console_login(root.profile, loaded.profiles.get(root.profile), False, force, remote, not no_browser, region)
        return
    if remote or region:
        raise UsageError(f"{'--remote' if remote else '--region'} is for the console sign-in "
                         "(login_session profiles, or --aws-login)")
    _sso_login(plan, profile, no_browser, force, use_device_code, if_needed)


def _sso_login(plan, profile: str, no_browser: bool, force: bool, use_device_code: bool,
               if_needed: bool = False) -> None:
    from awsenv.errors import UsageError
    from awsenv.model import SsoRoleCredentials
    from awsenv.sso import role as sso
    from awsenv.sso.login import describe
    from awsenv.terminal import say

    root = plan.steps[0]
    if not isinstance(root, SsoRoleCredentials):
        raise UsageError(f"profile {profile!r} uses neither IAM Identity Center nor a console sign-in (its flow is "
                         f"{plan.flow})",
                         hint=f"`awsenv login {profile} --aws-login` makes it sign in with console credentials; "
                              f"or use `awsenv {plan.flow} {profile}`")
    if if_needed and not force:
        from awsenv.sso.login import MIN_USABLE
        from awsenv.sso.token_cache import read_token

        saved = read_token(root.session)
        if saved is not None and saved.seconds_left() > MIN_USABLE:
            say(f"the IAM Identity Center sign-in for {describe(root.session)} is still valid until "
                f"{saved.expires_at.strftime('%Y-%m-%d %H:%M:%SZ')}; nothing to do")
            return
    token = sso.login(root.profile, root.session, browser=not no_browser, force=force, log=say,
                      use_device_code=use_device_code)
    say(f"the IAM Identity Center sign-in for {describe(root.session)} is valid until "
        f"{token.expires_at.strftime('%Y-%m-%d %H:%M:%SZ')}")


def _console_login(profile: str, found, aws_login: bool, force: bool, remote: bool, browser: bool,
                   region: Optional[str]) -> None:
    from awsenv.aws import signin as aws_signin
    from awsenv.errors import UsageError
    from awsenv.sso import console_login as console
    from awsenv.terminal import Terminal, say

    if aws_login:
        console.refuse_other_sources(found)
    configured = aws_signin.region_of(profile)  # the profile's region, else AWS_REGION / AWS_DEFAULT_REGION
    if region is None:
        region = configured
    if region is None:
        with Terminal.open() or _no_terminal(profile) as terminal:
            answer = terminal.ask(f"No region is set for profile {profile}. AWS region to sign in to "
                                  f"[{aws_signin.DEFAULT_REGION}]: ")
        region = (answer or "").strip() or aws_signin.DEFAULT_REGION
    if not region.replace("-", "").isalnum():
        raise UsageError(f"{region!r} is not a region name", hint="e.g. --region eu-west-1")

    def confirm(question: str) -> bool:
        terminal = Terminal.open()
        if terminal is None:
            return False
        with terminal:
            return (terminal.ask(question) or "").strip().lower() in ("y", "yes")

    write_region = not (found is not None and found.region) and region != configured
    outcome = console.login(profile, region, write_region, aws_login, force,
                            remote, browser, say, confirm)
    if outcome.profile_written:
        say(f"profile {profile!r} now signs in as {outcome.session}")
    how = {"valid": "the saved sign-in", "refreshed": "refreshed", "signed in": "a new sign-in"}[outcome.how]
    say(f"profile {profile!r} is signed in as {outcome.session} ({how}); its credentials last until "
        f"{outcome.expires_at.replace('T', ' ')} and renew themselves for up to 12 hours after the sign-in")


def _no_terminal(profile: str):
    from awsenv.errors import UsageError

    raise UsageError(f"profile {profile!r} has no region to sign in to, and there is no terminal to ask for one",
                     hint=f"add --region: `awsenv login {profile} --aws-login --region eu-west-1`")
