"""The roots of a chain beyond keys and SSO, chosen from a profile's keys and awsenv's environment: pure, no I/O.

Which one applies follows the AWS CLI's precedence (web identity, SSO, keys, login session, credential_process; a
role's credential_source names its own root). awsenv/aws/sources.py turns each chosen step into credentials.
"""

from __future__ import annotations

from typing import Mapping, Optional

from awsenv.errors import ConfigError
from awsenv.plan.checks import check_role, default_session_name, no_credentials
from awsenv.model import (AssumeRoleWithWebIdentity, ContainerCredentials, CredentialProcess, EnvironmentKeys,
                          InstanceMetadata, LoginSession, Profile, StaticKeys, Step, StoredKeys)


def has_own_source(profile: Profile) -> bool:
    return bool(profile.source_profile or profile.credential_source or profile.is_sso or profile.has_keys
                or profile.login_session or profile.credential_process)


def web_identity_root(profile: Profile, environ: Mapping[str, str],
                      is_target: bool) -> Optional[AssumeRoleWithWebIdentity]:
    """AssumeRoleWithWebIdentity when the profile has web_identity_token_file, or (the target only, when it has no
    source of its own) when AWS_WEB_IDENTITY_TOKEN_FILE is set. The variables fill in what the profile leaves out;
    they never override it, and never apply to a source profile."""
    values = {"token": profile.web_identity_token_file, "role": profile.role_arn, "session": profile.role_session_name}
    from_env: list[str] = []
    if is_target and (profile.web_identity_token_file or not has_own_source(profile)):
        for key, variable in (("token", "AWS_WEB_IDENTITY_TOKEN_FILE"), ("role", "AWS_ROLE_ARN"),
                              ("session", "AWS_ROLE_SESSION_NAME")):
            if not values[key] and environ.get(variable):
                values[key] = environ[variable]
                from_env.append(variable)
    if not values["token"]:
        return None
    if not values["role"]:
        raise ConfigError(f"profile {profile.name!r} has a web identity token file but no role_arn",
                          hint="set role_arn in the profile (or AWS_ROLE_ARN)")
    check_role(Profile(name=profile.name, role_arn=values["role"], role_session_name=values["session"]))
    session = values["session"] or default_session_name(profile.name)
    return AssumeRoleWithWebIdentity(profile.name, values["role"], session, values["token"], tuple(from_env))


def key_step(profile: Profile) -> StaticKeys:
    """A profile's own keys: those in the files win over those stored with `awsenv keys` (as the AWS CLI sees them)."""
    if not profile.has_keys and profile.stored_key is not None:
        return StoredKeys(profile.name, profile.stored_key.generation)
    return StaticKeys(profile.name)


def own_root(profile: Profile) -> Step:
    """A non-role profile's own root, in the AWS CLI's order: SSO, keys, login session, credential_process."""
    if profile.is_sso:
        raise AssertionError("SSO roots are built by awsenv.plan.rules._sso_step")
    if profile.has_any_keys:
        return key_step(profile)
    if profile.login_session:
        return LoginSession(profile.name, profile.login_session)
    if profile.credential_process:
        return CredentialProcess(profile.name, profile.credential_process)
    raise ConfigError(*no_credentials(profile))


_CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


def credential_source_root(profile: Profile, environ: Mapping[str, str]) -> Step:
    """The root named by credential_source (names compared without case, as botocore does)."""
    name = (profile.credential_source or "").strip().lower()
    if name == "environment":
        if not (environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY")):
            raise ConfigError(f"profile {profile.name!r} has credential_source = Environment, but "
                              "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
                              hint="set them in the environment, or use source_profile instead")
        return EnvironmentKeys(profile.name)
    if name == "ec2instancemetadata":
        return InstanceMetadata(profile.name, environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or None)
    if name == "ecscontainer":
        relative, full = environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), environ.get(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI")
        if not (relative or full):
            raise ConfigError(f"profile {profile.name!r} has credential_source = EcsContainer, but neither "
                              "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
                              hint="run it inside the container (ECS, EKS Pod Identity), or use another source")
        return ContainerCredentials(profile.name, "http://169.254.170.2" + relative if relative else full)
    raise ConfigError(f"profile {profile.name!r}: credential_source {profile.credential_source!r} is not one of "
                      + ", ".join(_CREDENTIAL_SOURCES), hint="use one of those names, or source_profile")
