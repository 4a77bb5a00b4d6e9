"""A chain's first credentials from the sources beyond keys and SSO, each through botocore's own provider or fetcher.

credential_process (ProcessProvider), credential_source (EnvProvider, ContainerProvider, InstanceMetadataProvider
through CanonicalNameCredentialSourcer), web identity (AssumeRoleWithWebIdentityCredentialFetcher) and `aws login`
(LoginProvider). What awsenv adds around them (plan, cache, lock, explain) lives elsewhere; this module only turns a
root step into Credentials and botocore's failures into AwsenvError messages that never quote what a program printed.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone
from typing import Optional

from awsenv.aws import clients
from awsenv.aws.faults import unreachable
from awsenv.errors import AwsError, ConfigError
from awsenv.model import (AssumeRoleWithWebIdentity, ContainerCredentials, CredentialProcess, Credentials,
                          EnvironmentKeys, InstanceMetadata, LoginSession, SourceStep)


def credentials(step: SourceStep, region: Optional[str]) -> Credentials:
    if isinstance(step, CredentialProcess):
        return _process(step)
    if isinstance(step, AssumeRoleWithWebIdentity):
        return _web_identity(step, region)
    if isinstance(step, LoginSession):
        return _login(step, region)
    return _credential_source(step)


# --- credential_process -------------------------------------------------------------------------------------------


class _StderrToUser:
    """The Popen that botocore's ProcessProvider runs: stdout piped, stderr left on the user's terminal (a password
    manager may prompt there), and nothing of it handed back, so no error message can repeat it."""

    def __init__(self, args, stdout=None, stderr=None, chain_env: Optional[dict] = None) -> None:
        self.program = args[0] if args else ""
        self._process = subprocess.Popen(args, stdout=subprocess.PIPE, env=chain_env)

    @property
    def returncode(self) -> Optional[int]:
        return self._process.returncode

    def communicate(self):
        out, _ = self._process.communicate()
        return out, b""


def _process(step: CredentialProcess) -> Credentials:
    from botocore.credentials import ProcessProvider
    from botocore.exceptions import CredentialRetrievalError

    from awsenv.env import CHAIN_VARIABLE

    # Tell an `awsenv credential-process` further down which profiles are being served, so a loop stops at once.
    env = dict(os.environ)
    try:
        serving = json.loads(env.get(CHAIN_VARIABLE) or "[]")
    except ValueError:
        serving = []
    if not serving or serving[-1] != step.profile:
        env[CHAIN_VARIABLE] = json.dumps(list(serving) + [step.profile])
    started: list[_StderrToUser] = []

    def popen(args, stdout=None, stderr=None):
        started.append(_StderrToUser(args, chain_env=env))
        return started[-1]

    config = {"profiles": {step.profile: {"credential_process": step.command}}}
    provider = ProcessProvider(profile_name=step.profile, load_config=lambda: config, popen=popen)
    what = f"profile {step.profile!r}: credential_process"
    try:
        loaded = provider.load()
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        raise AwsError(f"{what} cannot run {os.path.basename(exc.filename or _program(step.command))!r}: "
                       f"{exc.strerror}", hint="check the command in the profile and that it is on PATH") from None
    except CredentialRetrievalError as exc:
        status = started[-1].returncode if started else None
        if status:
            raise AwsError(f"{what} {_program(step.command)!r} failed (exit status {status})",
                           hint="its own messages, if any, are above; run the command by hand to see what it "
                                "needs") from None
        reason = ("did not answer with Version 1" if "version" in str(exc).lower()
                  else "left out AccessKeyId or SecretAccessKey")
        raise AwsError(f"{what} {_program(step.command)!r} {reason}",
                       hint="its JSON must hold \"Version\": 1, AccessKeyId and SecretAccessKey") from None
    except (ValueError, TypeError, AttributeError):
        # Not JSON, not an object, or an Expiration that is not a time: never repeat any of it (it may hold a secret).
        raise AwsError(f"{what} {_program(step.command)!r} did not print a valid credential_process JSON document",
                       hint="it must print one JSON object with \"Version\": 1, AccessKeyId, SecretAccessKey and "
                            "optionally SessionToken and an ISO 8601 Expiration") from None
    if loaded is None:
        raise ConfigError(f"{what} is empty")
    return _as_credentials(loaded, refresh=False)


def _program(command: str) -> str:
    from botocore.compat import compat_shell_split

    try:
        words = compat_shell_split(command)
    except ValueError:
        return "?"
    return os.path.basename(words[0]) if words else "?"


# --- credential_source ---------------------------------------------------------------------------------------------

_CANONICAL = {EnvironmentKeys: "Environment", InstanceMetadata: "Ec2InstanceMetadata",
              ContainerCredentials: "EcsContainer"}


def _credential_source(step) -> Credentials:
    from botocore.credentials import CanonicalNameCredentialSourcer, EnvProvider
    from botocore.exceptions import BotoCoreError

    name = _CANONICAL[type(step)]
    what = f"profile {step.profile!r}: credential_source = {name}"
    try:
        # The session's own providers carry its metadata endpoint, timeouts and IMDSv1 settings.
        session = clients.session(step.profile)
        resolver = session.get_component("credential_provider")
        sourcer = CanonicalNameCredentialSourcer(
            [EnvProvider(), resolver.get_provider("container-role"), resolver.get_provider("iam-role")])
        loaded = sourcer.source_credentials(name)
    except (BotoCoreError, ValueError) as exc:
        raise AwsError(f"{what}: could not get credentials ({type(exc).__name__})", hint=_source_hint(step)) from None
    if loaded is None:
        raise AwsError(f"{what}: the source gave no credentials", hint=_source_hint(step))
    return _as_credentials(loaded, refresh=False)


def _source_hint(step) -> str:
    if isinstance(step, InstanceMetadata):
        return ("run it on an EC2 instance with an instance profile (IMDSv2), or set "
                "AWS_EC2_METADATA_SERVICE_ENDPOINT; AWS_EC2_METADATA_DISABLED=true turns it off")
    if isinstance(step, ContainerCredentials):
        return (f"the container endpoint {step.endpoint} must answer; check AWS_CONTAINER_AUTHORIZATION_TOKEN "
                "(or _FILE)")
    return "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"


# --- web identity --------------------------------------------------------------------------------------------------


def _web_identity(step: AssumeRoleWithWebIdentity, region: Optional[str]) -> Credentials:
    from botocore.credentials import AssumeRoleWithWebIdentityCredentialFetcher
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.utils import FileWebIdentityTokenLoader

    from awsenv.aws.sts import explain_client_error

    session = clients.session(step.profile)
    region = region or session.get_config_variable("region") or clients.DEFAULT_REGION
    params: dict = {"RoleSessionName": step.session_name}
    if step.duration is not None:
        params["DurationSeconds"] = step.duration
    fetcher = AssumeRoleWithWebIdentityCredentialFetcher(
        client_creator=clients.creator(session, region),
        web_identity_token_loader=FileWebIdentityTokenLoader(step.token_file), role_arn=step.role_arn,
        extra_args=params, cache={})  # awsenv's cache and lock wrap this step instead
    try:
        data = fetcher.fetch_credentials()
    except OSError as exc:
        raise ConfigError(f"profile {step.profile!r}: cannot read the web identity token file {step.token_file}: "
                          f"{exc.strerror}", hint="check web_identity_token_file (or AWS_WEB_IDENTITY_TOKEN_FILE)"
                          ) from None
    except ClientError as exc:
        raise explain_client_error(step.profile, "AssumeRoleWithWebIdentity", exc,
                                   {"RoleArn": step.role_arn, **params}) from None
    except BotoCoreError as exc:
        raise AwsError(*unreachable(step.profile, "AssumeRoleWithWebIdentity", exc, region, clients.MAX_ATTEMPTS,
                                    place="STS")) from None
    return Credentials(data["access_key"], data["secret_key"], data.get("token"), _utc(data.get("expiry_time")))


# --- aws login -----------------------------------------------------------------------------------------------------


class LoginSignInNeeded(AwsError):
    """The `aws login` session is missing or has ended: only a new sign-in gives credentials."""


def _login(step: LoginSession, region: Optional[str]) -> Credentials:
    from botocore import exceptions
    from botocore.credentials import LoginProvider

    session = clients.session(step.profile)
    if region:
        session.set_config_variable("region", region)
    provider = LoginProvider(load_config=lambda: session.full_config, client_creator=clients.creator(session),
                             profile_name=step.profile)
    what = f"profile {step.profile!r}: login session"
    again = f"sign in again with `awsenv login {step.profile}` (or `aws login --profile {step.profile}`)"
    try:
        loaded = provider.load()
        if loaded is None:
            raise LoginSignInNeeded(f"{what}: no cached sign-in", hint=again)
        return _as_credentials(loaded, refresh=True)
    except exceptions.MissingDependencyException:
        raise ConfigError(f"{what}: reading `aws login` sessions needs botocore's CRT support",
                          hint="install it: pip install 'awsenv[login]' (or 'botocore[crt]')") from None
    except exceptions.LoginRefreshRequired:
        raise LoginSignInNeeded(f"{what} has ended (its refresh token expired or the password changed)",
                                hint=again) from None
    except exceptions.LoginInsufficientPermissions:
        raise AwsError(f"{what}: refreshing was refused (signin:CreateOAuth2Token is not allowed)",
                       hint="attach SignInLocalDevelopmentAccess to the user, then " + again) from None
    except exceptions.LoginTokenLoadError:
        raise LoginSignInNeeded(f"{what}: no usable cached sign-in for {step.session}", hint=again) from None
    except (exceptions.ClientError, exceptions.BotoCoreError) as exc:
        raise AwsError(f"{what}: refreshing failed ({type(exc).__name__})", hint=again) from None


# --- botocore's credential objects → ours ---------------------------------------------------------------------------


def _as_credentials(loaded, refresh: bool) -> Credentials:
    """Read botocore credentials. `refresh=False` reads what was just fetched without letting botocore fetch again
    (it would, for anything under 15 minutes: a second run of the process); the AWS CLI reads `_expiry_time` too."""
    if refresh or not hasattr(loaded, "_access_key"):
        frozen = loaded.get_frozen_credentials()
        access, secret, token = frozen.access_key, frozen.secret_key, frozen.token
    else:
        access, secret, token = loaded._access_key, loaded._secret_key, loaded._token
    return Credentials(access, secret, token or None, _utc(getattr(loaded, "_expiry_time", None)))


def _utc(moment) -> Optional[datetime]:
    if moment is None:
        return None
    if isinstance(moment, str):
        from botocore.utils import parse_timestamp

        moment = parse_timestamp(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
