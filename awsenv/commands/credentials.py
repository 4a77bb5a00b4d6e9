"""What `awsenv user|role|sso|export|credential-process PROFILE` do, apart from their command-line parsing: the
Typer commands (awsenv.cli) call these, and so do their simple forms run without the framework (awsenv.cli.simple).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Optional

from awsenv.env import credentials_delta
from awsenv.resolve.obtain import Request, Result, obtain


@dataclass
class CredentialOptions:
    shell: Optional[str] = None
    format: Optional[str] = None
    mfa_code: Optional[str] = None
    duration: Optional[str] = None
    region: Optional[str] = None
    no_cache: bool = False
    write_profile: Optional[str] = None
    no_browser: bool = False
    use_device_code: bool = False
    overwrite_profile: bool = False  # --write-profile may replace a section awsenv did not write


def profile_or_pick(profile: str | None, flow: str) -> str:
    """PROFILE as given; else $AWS_PROFILE (said on stderr); else a picker on the terminal; else a usage error."""
    if profile:
        return profile
    from_env = os.environ.get("AWS_PROFILE")
    if from_env:
        print(f"awsenv: using profile {from_env!r} from $AWS_PROFILE", file=sys.stderr)
        return from_env
    from awsenv.config import profiles as config
    from awsenv.terminal import pick_profile

    profiles = config.load().profiles
    fitting = [n for n, p in profiles.items() if p.flow != "none" and (flow in ("export", "credential-process",
                                                                                "exec", "shell", "console")
                                                                        or p.flow == flow)]
    return pick_profile(fitting, flow)


def request_for(profile: str, flow: str, options: CredentialOptions) -> Request:
    if options.write_profile is not None:  # a name that cannot be written is refused before any call to AWS
        from awsenv.config.credentials_file import check_section_name

        check_section_name(written_profile_name(profile, options))
    return Request(profile=profile, flow=flow if flow in ("user", "role", "sso") else "export",
                   mfa_code=options.mfa_code, duration=options.duration, region=options.region,
                   use_cache=not options.no_cache, browser=not options.no_browser,
                   use_device_code=options.use_device_code)


def written_profile_name(profile: str, options: CredentialOptions) -> str:
    return options.write_profile or f"{profile}-temporary"


def write_profile_if_asked(result: Result, options: CredentialOptions) -> None:
    if options.write_profile is None:
        return
    from awsenv.config.profiles import credentials_path
    from awsenv.config.credentials_file import write_profile
    from awsenv.terminal import say
    from awsenv.errors import AwsenvError

    name = written_profile_name(result.plan.target, options)
    path = credentials_path()
    try:
        replaced = write_profile(path, name, result.credentials, result.plan.region,
                                 take_over=options.overwrite_profile, warn=say)
    except OSError as exc:  # read-only, not ours, no space: the file is as it was
        raise AwsenvError(f"cannot write profile {name!r} to {path}: {exc.strerror or exc}; the file is unchanged",
                          hint="make that file and its directory writable, or set AWS_SHARED_CREDENTIALS_FILE "
                               "to a file you can write") from None
    say(f"replaced the credentials of profile {name!r} in {path}" if replaced else
        f"wrote profile {name!r} to {path}")


def print_credentials(flow: str, profile: str | None, options: CredentialOptions) -> None:
    from awsenv.shells.output import choose_dialect, emit

    dialect = choose_dialect(options.shell, options.format)  # an unknown shell fails before any AWS call
    name = profile_or_pick(profile, flow)
    result = obtain(request_for(name, flow, options))
    write_profile_if_asked(result, options)
    delta = credentials_delta(result.credentials, name, result.plan.region, result.person_needed_at)
    emit(delta, dialect, flow, name)


def print_credential_process(profile: str | None, options: CredentialOptions) -> None:
    from awsenv.env import CHAIN_VARIABLE, credential_process_chain
    from awsenv.errors import ConfigError
    from awsenv.cache.format import CREDENTIAL_PROCESS_MIN_TTL, min_ttl
    from awsenv.shells.output import credential_process_json, write_product

    name = profile_or_pick(profile, "credential-process")
    serving = credential_process_chain(os.environ)
    if name in serving:
        raise ConfigError(
            f"profile {name!r} asks awsenv for its own credentials: a credential_process loop "
            f"({' -> '.join(serving + [name])})",
            hint=f"put `credential_process = awsenv credential-process {name}` in a separate profile "
                 f"(e.g. [profile {name}-sdk]) and leave {name!r} with its role, keys or SSO settings")
    os.environ[CHAIN_VARIABLE] = json.dumps(serving + [name])  # seen by mfa_process, browsers, ...
    request = request_for(name, "credential-process", options)
    request.min_ttl = min_ttl(floor=CREDENTIAL_PROCESS_MIN_TTL)
    result = obtain(request)
    write_profile_if_asked(result, options)
    write_product(credential_process_json(result.credentials))
