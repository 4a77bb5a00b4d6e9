"""`awsenv user|role|sso|export PROFILE`: credentials as code for the current shell; `awsenv credential-process
PROFILE`: the same credentials as the JSON document SDKs read."""

from __future__ import annotations

from awsenv.cli.app import app
from awsenv.cli.options import (CredentialOptions, DurationOpt, FormatOpt, MfaCodeOpt, NoBrowserOpt, NoCacheOpt,
                                OverwriteProfileOpt, ProfileArg, RegionOpt, ServiceOpt, ShellOpt, UseDeviceCodeOpt,
                                WriteProfileOpt)
from awsenv.commands.credentials import (print_credential_process, print_credentials, profile_or_pick, request_for,
                                         write_profile_if_asked)

__all__ = ["print_credentials", "profile_or_pick", "request_for", "write_profile_if_asked"]

_FLOWS = {
    "user": ("IAM user: GetSessionToken with the profile's keys, asking for the MFA code when mfa_serial is set.",
             "awsenv user dev"),
    "role": ("IAM role: AssumeRole along the profile's source_profile chain, with external_id and MFA.",
             "awsenv role prod --duration 1h"),
    "sso": ("IAM Identity Center: sign in through the browser once, then get the role's credentials.",
            "awsenv sso dev"),
    "export": ("Whichever of user, role or sso fits the profile.", "awsenv export prod"),
}


def _register(flow: str) -> None:
    summary, example = _FLOWS[flow]

    def command(profile: ProfileArg = None, shell: ShellOpt = None, format: FormatOpt = None,
                mfa_code: MfaCodeOpt = None, duration: DurationOpt = None, region: RegionOpt = None,
                no_cache: NoCacheOpt = False, write_profile: WriteProfileOpt = None,
                no_browser: NoBrowserOpt = False, use_device_code: UseDeviceCodeOpt = False,
                overwrite_profile: OverwriteProfileOpt = False, server: ServiceOpt = False) -> None:
        options = CredentialOptions(shell, format, mfa_code, duration, region, no_cache, write_profile, no_browser,
                                    use_device_code, overwrite_profile)
        if server:
            from awsenv.cli.service_cmds import print_served

            return print_served(flow, profile, options)
        print_credentials(flow, profile, options)

    command.__doc__ = f"{summary}\n\nExample: eval \"$({example})\""
    app.command(flow)(command)


for _flow in _FLOWS:
    _register(_flow)


@app.command("credential-process")
def credential_process(profile: ProfileArg = None, shell: ShellOpt = None, format: FormatOpt = None,
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
    --shell and --format are accepted for uniformity and ignored: the output is always the JSON document.

    Example: aws s3 ls --profile prod-sdk
    """
    print_credential_process(profile, CredentialOptions(shell, format, mfa_code, duration, region, no_cache,
                                                        write_profile, no_browser, use_device_code,
                                                        overwrite_profile))
