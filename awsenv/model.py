"""The data that flows through awsenv: profiles, plans and credentials. Plain frozen records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping, Optional, Union

from awsenv import redact


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: Optional[str] = field(default=None, repr=False)
    expiration: Optional[datetime] = None  # tz-aware UTC; None for long-lived keys

    def __post_init__(self) -> None:
        # Every credential made is masked in --debug traces and tracebacks from now on.
        redact.remember_secret(self.secret_access_key, self.session_token)
        redact.remember_key_id(self.access_key_id)

    def __repr__(self) -> str:
        shown = self.access_key_id[:4] + "…" + self.access_key_id[-4:]
        return f"Credentials(access_key_id={shown!r}, secret=***, expiration={self.expiration!r})"

    __str__ = __repr__

    def seconds_left(self, now: datetime | None = None) -> float:
        if self.expiration is None:
            return float("inf")
        now = now or datetime.now(timezone.utc)
        return (self.expiration - now).total_seconds()


@dataclass(frozen=True)
class SsoSession:
    name: str
    start_url: str
    region: str
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredKeyInfo:
    """What awsenv's key index says about keys kept in the keyring for a profile: never the secret."""

    key_id: str  # shortened, e.g. AKIA…WXYZ
    stored_at: str  # ISO 8601 UTC
    generation: str  # random, new at every store: names the stored key in cache keys


@dataclass(frozen=True)
class Profile:
    """The keys of one AWS profile that awsenv understands, after the AWS CLI's merge rules."""

    name: str
    region: Optional[str] = None
    awsenv_generated: Optional[str] = None  # the sso-session `awsenv populate` wrote this profile for
    aws_access_key_id: Optional[str] = None
    aws_secret_access_key: Optional[str] = field(default=None, repr=False)
    aws_session_token: Optional[str] = field(default=None, repr=False)
    role_arn: Optional[str] = None
    source_profile: Optional[str] = None
    credential_source: Optional[str] = None
    credential_process: Optional[str] = None
    external_id: Optional[str] = None
    role_session_name: Optional[str] = None
    duration_seconds: Optional[str] = None
    mfa_serial: Optional[str] = None
    mfa_process: Optional[str] = None
    sso_session: Optional[str] = None
    sso_start_url: Optional[str] = None
    sso_region: Optional[str] = None
    sso_account_id: Optional[str] = None
    sso_role_name: Optional[str] = None
    sso_registration_scopes: Optional[str] = None
    awsenv_console_bookmarks: Optional[str] = None  # `awsenv console PROFILE --bookmark NAME`
    web_identity_token_file: Optional[str] = None
    login_session: Optional[str] = None
    source_identity: Optional[str] = None  # SourceIdentity on this role's AssumeRole (aws-vault's name)
    session_tags: Optional[str] = None  # `k1=v1,k2=v2`: Tags on this role's AssumeRole
    transitive_session_tags: Optional[str] = None  # `k1,k2`: TransitiveTagKeys, among session_tags' keys
    mfa_prompt: Optional[str] = None  # terminal | zenity | kdialog | osascript: where a code is asked with no terminal
    stored_key: Optional[StoredKeyInfo] = None  # keys kept with `awsenv keys` (not a config file setting)

    @property
    def has_keys(self) -> bool:
        return bool(self.aws_access_key_id and self.aws_secret_access_key)

    @property
    def has_any_keys(self) -> bool:
        """Keys in the config or credentials file, or in the keyring."""
        return self.has_keys or self.stored_key is not None

    @property
    def is_role(self) -> bool:
        return bool(self.role_arn)

    @property
    def is_sso(self) -> bool:
        return bool(self.sso_session or self.sso_start_url or self.sso_account_id)

    @property
    def flow(self) -> str:
        """Which of awsenv's flows produces credentials for this profile (the AWS CLI's precedence)."""
        if self.is_role:
            return "role"
        if self.is_sso:
            return "sso"
        if self.has_any_keys:
            return "user"
        if self.login_session:
            return "login"
        if self.credential_process:
            return "process"
        return "none"


# Plan steps, named after the AWS call each one makes (StaticKeys makes none).


@dataclass(frozen=True)
class StaticKeys:
    profile: str


@dataclass(frozen=True)
class StoredKeys(StaticKeys):
    """Long-lived keys kept in the keyring (`awsenv keys`); `generation` changes whenever they are stored anew."""

    generation: str = ""


@dataclass(frozen=True)
class GetSessionToken:
    profile: str
    duration: Optional[int]
    mfa_serial: Optional[str] = None
    mfa_process: Optional[str] = None
    mfa_prompt: Optional[str] = None  # where the code is asked with no terminal (not part of the cache key)


@dataclass(frozen=True)
class AssumeRole:
    profile: str
    role_arn: str
    session_name: str
    duration: Optional[int]
    external_id: Optional[str] = field(default=None, repr=False)  # semi-secret: kept out of --debug traces
    mfa_serial: Optional[str] = None  # set when this call itself carries SerialNumber + TokenCode
    mfa_process: Optional[str] = None
    chained: bool = False  # the caller is a temporary session: STS caps the duration at 1 h
    source_identity: Optional[str] = None  # SourceIdentity: who is calling; AWS keeps it along the chain
    tags: tuple[tuple[str, str], ...] = ()  # session tags (Key, Value), in the profile's order
    transitive_tag_keys: tuple[str, ...] = ()  # the tags that pass on to the roles this session assumes
    mfa_prompt: Optional[str] = None  # where the code is asked with no terminal (not part of the cache key)


@dataclass(frozen=True)
class SsoRoleCredentials:
    profile: str
    session: SsoSession
    account_id: Optional[str]
    role_name: Optional[str]


# Roots that get a chain's first credentials from somewhere other than the files or SSO (awsenv/aws/sources.py).


@dataclass(frozen=True)
class CredentialProcess:
    """Run the profile's credential_process program (no shell) and read its Version 1 JSON."""

    profile: str
    command: str


@dataclass(frozen=True)
class EnvironmentKeys:
    """credential_source = Environment: AWS_ACCESS_KEY_ID and friends of awsenv's own environment. No call."""

    profile: str


@dataclass(frozen=True)
class InstanceMetadata:
    """credential_source = Ec2InstanceMetadata: the instance role's credentials from IMDS (v2 session token)."""

    profile: str
    endpoint: Optional[str] = None  # AWS_EC2_METADATA_SERVICE_ENDPOINT when set, else botocore's default


@dataclass(frozen=True)
class ContainerCredentials:
    """credential_source = EcsContainer: the task role's credentials from the container credentials endpoint."""

    profile: str
    endpoint: str


@dataclass(frozen=True)
class AssumeRoleWithWebIdentity:
    profile: str
    role_arn: str
    session_name: str
    token_file: str  # read afresh for every call: the token rotates
    from_environment: tuple[str, ...] = ()  # which of these came from AWS_* variables rather than the profile
    duration: Optional[int] = None


@dataclass(frozen=True)
class LoginSession:
    """The AWS CLI's `aws login` session: its cached credentials, refreshed through its refresh token when due."""

    profile: str
    session: str  # the login_session value (a console principal's ARN)


SourceStep = Union[CredentialProcess, EnvironmentKeys, InstanceMetadata, ContainerCredentials,
                   AssumeRoleWithWebIdentity, LoginSession]
SOURCE_STEPS = (CredentialProcess, EnvironmentKeys, InstanceMetadata, ContainerCredentials,
                AssumeRoleWithWebIdentity, LoginSession)
# Roots that need no call and are never cached: their credentials are read where they lie.
READ_IN_PLACE = (StaticKeys, EnvironmentKeys)

Step = Union[StaticKeys, StoredKeys, GetSessionToken, AssumeRole, SsoRoleCredentials, CredentialProcess,
             EnvironmentKeys, InstanceMetadata, ContainerCredentials, AssumeRoleWithWebIdentity, LoginSession]


@dataclass(frozen=True)
class Plan:
    """What it takes to get credentials for `target`: the steps root → target, and why."""

    target: str
    flow: str
    region: Optional[str]
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()

    @property
    def chain(self) -> tuple[str, ...]:
        names: list[str] = []
        for step in self.steps:
            if not names or names[-1] != step.profile:
                names.append(step.profile)
        return tuple(names)

    @property
    def reads_environment(self) -> bool:
        """Whether awsenv's own environment decides the credentials (so a stat of the files cannot vouch for them)."""
        return any(isinstance(step, (EnvironmentKeys, InstanceMetadata, ContainerCredentials))
                   or (isinstance(step, AssumeRoleWithWebIdentity) and step.from_environment)
                   for step in self.steps)

    @property
    def mfa_present(self) -> bool:
        """Whether the final credentials carry MFA context (aws:MultiFactorAuthPresent)."""
        mfa = False
        for step in self.steps:
            if isinstance(step, StaticKeys):
                mfa = False
            elif isinstance(step, GetSessionToken):
                mfa = step.mfa_serial is not None
            elif isinstance(step, AssumeRole):
                mfa = mfa or step.mfa_serial is not None
            else:
                mfa = False
        return mfa


EnvDelta = Mapping[str, Optional[str]]  # None means: unset this variable
