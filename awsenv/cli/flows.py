"""`awsenv user|role|sso|export PROFILE`: credentials as code for the current shell."""

from __future__ import annotations

from awsenv.cli.app import app
from awsenv.cli.options import (CredentialOptions, DurationOpt, FormatOpt, MfaCodeOpt, NoBrowserOpt, NoCacheOpt,
                                ProfileArg, RegionOpt, ShellOpt, WriteProfileOpt)
from awsenv.env import credentials_delta
from awsenv.flow import Request, Result, obtain

_FLOWS = {
    "user": ("IAM user: GetSessionToken with the profile's keys, asking for the MFA code when mfa_serial is set.",
             "awsenv user dev"),
    "role": ("IAM role: AssumeRole along the profile's source_profile chain, with external_id and MFA.",
             "awsenv role prod --duration 1h"),
    "sso": ("IAM Identity Center: sign in through the browser once, then get the role's credentials.",
            "awsenv sso dev"),
    "export": ("Whichever of user, role or sso fits the profile.", "awsenv export prod"),
}


def profile_or_pick(profile: str | None, flow: str) -> str:
    if profile:
        return profile
    from awsenv import config
    from awsenv.picker import pick_profile

    profiles = config.load().profiles
    fitting = [n for n, p in profiles.items() if p.flow != "none" and (flow in ("export", "credential-process",
                                                                                "exec", "shell") or p.flow == flow)]
    return pick_profile(fitting, flow)


def request_for(profile: str, flow: str, options: CredentialOptions) -> Request:
    return Request(profile=profile, flow=flow if flow in ("user", "role", "sso") else "export",
                   mfa_code=options.mfa_code, duration=options.duration, region=options.region,
                   use_cache=not options.no_cache, browser=not options.no_browser)


def write_profile_if_asked(result: Result, options: CredentialOptions) -> None:
    if options.write_profile is None:
        return
    from awsenv.config import credentials_path
    from awsenv.credentials_file import write_profile
    from awsenv.engine import say

    name = options.write_profile or f"{result.plan.target}-temporary"
    write_profile(credentials_path(), name, result.credentials, result.plan.region)
    say(f"wrote profile {name!r} to {credentials_path()}")


def print_credentials(flow: str, profile: str | None, options: CredentialOptions) -> None:
    from awsenv.output import choose_dialect, emit

    dialect = choose_dialect(options.shell, options.format)  # an unknown shell fails before any AWS call
    name = profile_or_pick(profile, flow)
    result = obtain(request_for(name, flow, options))
    write_profile_if_asked(result, options)
    delta = credentials_delta(result.credentials, name, result.plan.region)
    emit(delta, dialect, flow, name)


def _register(flow: str) -> None:
    summary, example = _FLOWS[flow]

    def command(profile: ProfileArg = None, shell: ShellOpt = None, format: FormatOpt = None,
                mfa_code: MfaCodeOpt = None, duration: DurationOpt = None, region: RegionOpt = None,
                no_cache: NoCacheOpt = False, write_profile: WriteProfileOpt = None,
                no_browser: NoBrowserOpt = False) -> None:
        print_credentials(flow, profile, CredentialOptions(shell, format, mfa_code, duration, region, no_cache,
                                                           write_profile, no_browser))

    command.__doc__ = f"{summary}\n\nExample: eval \"$({example})\""
    app.command(flow)(command)


for _flow in _FLOWS:
    _register(_flow)
