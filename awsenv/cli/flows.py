"""`awsenv user|role|sso|export PROFILE`: credentials as code for the current shell; `awsenv credential-process
PROFILE`: the same credentials as the JSON document SDKs read."""

from __future__ import annotations

from awsenv.cli.app import app
from awsenv.cli.options import (CredentialOptions, DurationOpt, FormatOpt, MfaCodeOpt, NoBrowserOpt, NoCacheOpt,
                                OverwriteProfileOpt, ProfileArg, RegionOpt, ServiceOpt, ShellOpt, UnusedDurationOpt,
                                UnusedFormatOpt, UnusedMfaCodeOpt, UnusedShellOpt, UseDeviceCodeOpt, WriteProfileOpt)
from awsenv.commands.credentials import (print_credential_process, print_credentials, profile_or_pick, request_for,
                                         write_profile_if_asked)

__all__ = ["print_credentials", "profile_or_pick", "request_for", "write_profile_if_asked"]

# flow: (the one-line summary `awsenv --help` lists, the description, the example)
_FLOWS = {
    "user": ("Credentials of an IAM user profile (GetSessionToken).",
             "IAM user: GetSessionToken with the profile's keys, asking for the MFA code when mfa_serial is set.",
             "awsenv user dev"),
    "role": ("Credentials of an IAM role profile (AssumeRole).",
             "IAM role: AssumeRole along the profile's source_profile chain, with external_id and MFA. The SSO "
             "options are for a chain that starts at an IAM Identity Center profile.",
             "awsenv role prod --duration 1h"),
    "sso": ("Credentials of an IAM Identity Center (SSO) profile.",
            "IAM Identity Center: sign in through the browser once, then get the role's credentials.",
            "awsenv sso dev"),
    "export": ("Credentials of any profile, by whichever flow fits.",
               "Whichever of user, role or sso fits the profile.", "awsenv export prod"),
}


def user(profile: ProfileArg = None, shell: ShellOpt = None, format: FormatOpt = None, mfa_code: MfaCodeOpt = None,
         duration: DurationOpt = None, region: RegionOpt = None, no_cache: NoCacheOpt = False,
         write_profile: WriteProfileOpt = None, overwrite_profile: OverwriteProfileOpt = False,
         server: ServiceOpt = False) -> None:
    # an IAM user's keys never lead to an SSO sign-in: no browser options
    _print("user", profile, CredentialOptions(shell, format, mfa_code, duration, region, no_cache, write_profile,
                                              overwrite_profile=overwrite_profile), server)


def role(profile: ProfileArg = None, shell: ShellOpt = None, format: FormatOpt = None, mfa_code: MfaCodeOpt = None,
         duration: DurationOpt = None, region: RegionOpt = None, no_cache: NoCacheOpt = False,
         write_profile: WriteProfileOpt = None, no_browser: NoBrowserOpt = False,
         use_device_code: UseDeviceCodeOpt = False, overwrite_profile: OverwriteProfileOpt = False,
         server: ServiceOpt = False) -> None:
    # a role's source profile may be an SSO profile: the browser options are for its sign-in
    _print("role", profile, CredentialOptions(shell, format, mfa_code, duration, region, no_cache, write_profile,
                                              no_browser, use_device_code, overwrite_profile), server)


def sso(profile: ProfileArg = None, shell: ShellOpt = None, format: FormatOpt = None,
        mfa_code: UnusedMfaCodeOpt = None, duration: UnusedDurationOpt = None, region: RegionOpt = None,
        no_cache: NoCacheOpt = False, write_profile: WriteProfileOpt = None, no_browser: NoBrowserOpt = False,
        use_device_code: UseDeviceCodeOpt = False, overwrite_profile: OverwriteProfileOpt = False,
        server: ServiceOpt = False) -> None:
    _print("sso", profile, CredentialOptions(shell, format, mfa_code, duration, region, no_cache, write_profile,
                                             no_browser, use_device_code, overwrite_profile), server)


def export(profile: ProfileArg = None, shell: ShellOpt = None, format: FormatOpt = None, mfa_code: MfaCodeOpt = None,
           duration: DurationOpt = None, region: RegionOpt = None, no_cache: NoCacheOpt = False,
           write_profile: WriteProfileOpt = None, no_browser: NoBrowserOpt = False,
           use_device_code: UseDeviceCodeOpt = False, overwrite_profile: OverwriteProfileOpt = False,
           server: ServiceOpt = False) -> None:
    _print("export", profile, CredentialOptions(shell, format, mfa_code, duration, region, no_cache, write_profile,
                                                no_browser, use_device_code, overwrite_profile), server)


def _print(flow: str, profile, options: CredentialOptions, server: bool) -> None:
    """The credentials as code for the shell; with --server, the per-user credential service's exports instead."""
    if server:
        from awsenv.cli.service_cmds import print_served

        return print_served(flow, profile, options)
    print_credentials(flow, profile, options)


for _command in (user, role, sso, export):
    _summary, _description, _example = _FLOWS[_command.__name__]
    _command.__doc__ = f"{_description}\n\nExample: eval \"$({_example})\""
    app.command(_command.__name__, short_help=_summary)(_command)


@app.command("credential-process", short_help="Credentials as credential_process JSON, for the SDKs.")
def credential_process(profile: ProfileArg = None, shell: UnusedShellOpt = None, format: UnusedFormatOpt = None,
                       mfa_code: MfaCodeOpt = None, duration: DurationOpt = None, region: RegionOpt = None,
                       no_cache: NoCacheOpt = False, write_profile: WriteProfileOpt = None,
                       no_browser: NoBrowserOpt = False, use_device_code: UseDeviceCodeOpt = False,
                       overwrite_profile: OverwriteProfileOpt = False) -> None:
    """Print the profile's credentials as AWS credential_process JSON (Version 1), for any SDK or the AWS CLI.

    Put it in another profile of ~/.aws/config, never in PROFILE itself:

    \b
        [profile prod-sdk]
        credential_process = awsenv credential-process prod

    Cached credentials are served while they have at least 15 minutes left (AWSENV_MIN_TTL can ask for more), so
    the SDKs' own refresh does not run awsenv on every call. An MFA code is asked for on the terminal only; with no
    terminal and nothing cached it fails at once (set mfa_process in the profile to run unattended).

    Example: aws s3 ls --profile prod-sdk
    """
    print_credential_process(profile, CredentialOptions(shell, format, mfa_code, duration, region, no_cache,
                                                        write_profile, no_browser, use_device_code,
                                                        overwrite_profile))
