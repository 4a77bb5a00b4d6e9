"""Which AWS calls a profile needs, and why: every rule in one pure function, with no I/O."""

from __future__ import annotations

from typing import Mapping, Optional

from awsenv.config.profiles import AwsConfig
from awsenv.durations import (
    ASSUME_ROLE_RANGE,
    CHAINED_MAX,
    chaining_cap,
    GET_SESSION_TOKEN_RANGE,
    check_range,
    format_seconds,
    parse_duration,
)
from awsenv.errors import ConfigError, UsageError
from awsenv.model import (AssumeRole, AssumeRoleWithWebIdentity, EnvironmentKeys, GetSessionToken, Plan, Profile,
                          SsoRoleCredentials, SsoSession, StaticKeys, Step)
from awsenv.plan.checks import (check_role, check_serial, default_session_name, flow_words, no_credentials,
                                 with_article)
from awsenv.plan.roots import credential_source_root, key_step, own_root, web_identity_root
from awsenv.plan.regions import checked_region, unknown_region_warning
from awsenv.plan.mfa_prompt import check_setting
from awsenv.plan.session_identity import (SessionIdentity, chain_notes, of_profile, refuse_on_web_identity,
                                          unused_note)

# The MFA session (GetSessionToken with the code) that role profiles sharing one serial reuse.
MFA_SESSION_SECONDS = 43200

def resolve_plan(config: AwsConfig, name: str, flow: str = "export", duration: Optional[str | int] = None,
                 region: Optional[str] = None, environ: Mapping[str, str] = {}) -> Plan:
    """The steps from a root credential to `name`'s credentials. `flow` is the command asked for.

    `environ` is awsenv's environment, read (never changed) for credential_source = Environment, the metadata
    and container endpoints, and the AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN / AWS_ROLE_SESSION_NAME variables.
    """
    profile = _target_profile(config, name, environ)
    web_identity = web_identity_root(profile, environ, is_target=True)
    actual = "role" if web_identity else profile.flow
    if actual == "none":
        raise ConfigError(*no_credentials(profile))
    if flow != "export" and flow != actual:
        raise UsageError(
            f"profile {name!r} is {with_article(actual)} profile, not {with_article(flow)} profile",
            hint=f"use `awsenv {actual} {name}` or `awsenv export {name}`",
        )
    requested = _requested_duration(profile, duration, actual)
    if actual == "user":
        steps, notes = _user_steps(profile, requested)
    elif actual == "sso":
        steps, notes = (_sso_step(config, profile),), []
        if requested is not None:
            notes.append("IAM Identity Center sets the session length of SSO role credentials; --duration is ignored")
    elif actual in ("process", "login"):
        steps, notes = [own_root(profile)], []
        if requested is not None:
            notes.append(f"{flow_words(actual)} decides how long its credentials last; --duration is ignored")
    else:
        steps, notes = _role_steps(config, profile, requested, environ)
    notes.extend(_both_places(config, steps))
    notes.extend(unused_note(profile, actual))
    if region is None and profile.region is not None and not profile.region.strip():
        notes.append(f"warning: profile {name!r} has an empty region; no region is exported")
    region = checked_region(region, name, profile.region)
    unknown = unknown_region_warning(region)
    if unknown:
        notes.append(unknown)
    return Plan(target=name, flow=actual, region=region, steps=tuple(steps), notes=tuple(notes))


def _target_profile(config: AwsConfig, name: str, environ: Mapping[str, str]) -> Profile:
    """The profile asked for; in a pod or CI job with no config file, `default` may live in the variables alone."""
    if name not in config.profiles and name == "default" and environ.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        return Profile(name="default")
    return config.profile(name)


def _both_places(config: AwsConfig, steps: list[Step]) -> list[str]:
    root = steps[0]
    if type(root) is not StaticKeys:
        return []
    profile = config.profile(root.profile)
    if profile.stored_key is not None:
        return [f"warning: profile {profile.name} has keys both in the files and in the keyring; the files' keys "
                f"are used (as by the AWS CLI): move them with `awsenv keys import {profile.name}`, or drop the "
                f"stored ones with `awsenv keys remove {profile.name}`"]
    return []


def _requested_duration(profile: Profile, duration: Optional[str | int], flow: str = "role") -> Optional[int]:
    bounds, what = (GET_SESSION_TOKEN_RANGE, "GetSessionToken") if flow == "user" else (ASSUME_ROLE_RANGE,
                                                                                         "AssumeRole")
    if duration is not None:
        return duration if isinstance(duration, int) else parse_duration(duration, bounds, what)
    if profile.duration_seconds is not None:  # an empty value too is a mistake, not "no duration"
        try:
            return parse_duration(profile.duration_seconds, bounds, what)
        except UsageError as error:
            raise ConfigError(f"profile {profile.name!r}: duration_seconds {profile.duration_seconds!r} is not a "
                              "number of seconds", hint=error.hint) from None
    return None


def _user_steps(profile: Profile, requested: Optional[int]) -> tuple[list[Step], list[str]]:
    if requested is not None:
        check_range(requested, GET_SESSION_TOKEN_RANGE, "GetSessionToken")
    check_serial(profile)
    notes = []
    if profile.aws_session_token:
        notes.append("these keys carry a session token: GetSessionToken needs an IAM user's long-lived keys")
    if requested is None and profile.mfa_serial and not profile.aws_session_token:
        # The same request as a role's MFA session on these keys and serial: one cached session serves both.
        requested = MFA_SESSION_SECONDS
    step = GetSessionToken(profile.name, requested, profile.mfa_serial, profile.mfa_process,
                           check_setting(profile.name, profile.mfa_prompt))
    return [key_step(profile), step], notes


def _sso_step(config: AwsConfig, profile: Profile) -> SsoRoleCredentials:
    if profile.sso_session:
        session = config.sso_sessions.get(profile.sso_session)
        if session is None:
            raise ConfigError(f"profile {profile.name!r} names sso_session {profile.sso_session!r}, "
                              f"but there is no [sso-session {profile.sso_session}] section",
                              hint="add the section with sso_start_url and sso_region")
    else:
        session = SsoSession(name="", start_url=profile.sso_start_url or "", region=profile.sso_region or "")
    if not session.start_url or not session.region:
        raise ConfigError(f"profile {profile.name!r}: the SSO start URL or region is missing",
                          hint="set sso_start_url and sso_region (in the [sso-session] section or the profile)")
    return SsoRoleCredentials(profile.name, session, profile.sso_account_id, profile.sso_role_name)


def _walk_chain(config: AwsConfig, target: Profile,
                environ: Mapping[str, str] = {}) -> tuple[list[Profile], Step]:
    """Role profiles from the target down to the root, and the root step that supplies the first credentials.

    The AWS CLI's precedence: a web identity token file makes the profile a web identity root; the target's
    role_arn wins over keys it also holds; in a source profile, keys win over its role_arn (the chain stops there);
    a role profile naming itself as source_profile means "my own keys".
    """
    roles: list[Profile] = []
    visited = [target.name]
    current = target
    while True:
        web_identity = web_identity_root(current, environ, is_target=current is target)
        if web_identity:
            return roles, web_identity
        if current.is_role and (current is target or not current.has_any_keys):
            check_role(current)
            source = current.source_profile
            if source and current.credential_source:
                raise ConfigError(f"profile {current.name!r} has both source_profile and credential_source",
                                  hint="keep one of them")
            if current.credential_source:
                roles.append(current)
                return roles, credential_source_root(current, environ)
            if not source:
                raise ConfigError(f"profile {current.name!r} has role_arn but no source_profile",
                                  hint="set source_profile to a profile with credentials, or credential_source")
            roles.append(current)
            if source == current.name and current.has_any_keys:
                return roles, key_step(current)
            if source in visited:
                raise ConfigError(f"source_profile loop: {' -> '.join(visited + [source])}",
                                  hint="one of these profiles must have keys or SSO settings instead of source_profile")
            if source not in config.profiles:
                raise ConfigError(f"profile {current.name!r} names source_profile {source!r}, which does not exist "
                                  f"(chain: {' -> '.join(visited + [source])})", hint=config.suggest(source))
            visited.append(source)
            current = config.profiles[source]
        elif current.is_sso:
            return roles, _sso_step(config, current)
        elif current.has_any_keys or current.login_session or current.credential_process:
            return roles, own_root(current)
        else:
            message, hint = no_credentials(current)
            raise ConfigError(f"{message} (chain: {' -> '.join(visited)})", hint=hint)


def _role_steps(config: AwsConfig, target: Profile, requested: Optional[int],
                environ: Mapping[str, str] = {}) -> tuple[list[Step], list[str]]:
    roles, root = _walk_chain(config, target, environ)
    if isinstance(root, AssumeRoleWithWebIdentity):
        refuse_on_web_identity(config.profiles.get(root.profile))
    if isinstance(root, AssumeRoleWithWebIdentity) and not roles:
        # The target itself: STS takes DurationSeconds on this call too.
        if requested is not None:
            check_range(requested, ASSUME_ROLE_RANGE, "AssumeRoleWithWebIdentity")
        notes = [f"{root.profile}: the role comes from {', '.join(root.from_environment)} in the environment"
                 ] if root.from_environment else []
        return [AssumeRoleWithWebIdentity(root.profile, root.role_arn, root.session_name, root.token_file,
                                          root.from_environment, requested)], notes
    steps: list[Step] = [root]
    notes: list[str] = []
    # Only an IAM user's long-lived keys can open an MFA session, and only AssumeRole on them escapes the 1h
    # role-chaining cap; keys with a session token, SSO role credentials, and what the other sources hand out
    # (credential_process, IMDS, the container endpoint, web identity, a login session) are temporary sessions.
    if isinstance(root, StaticKeys):
        long_lived = not config.profile(root.profile).aws_session_token
    elif isinstance(root, EnvironmentKeys):
        long_lived = not (environ.get("AWS_SESSION_TOKEN") or environ.get("AWS_SECURITY_TOKEN"))
    else:
        long_lived = False
    if isinstance(root, StaticKeys) and not long_lived:
        notes.append(f"{root.profile}: its keys carry a session token (temporary credentials), so AssumeRole on them "
                     "is role chaining: at most 1h, and MFA goes on the AssumeRole call itself")
    root_profile = config.profile(root.profile) if isinstance(root, StaticKeys) else None
    if root_profile and root_profile.mfa_serial and not any(p.mfa_serial for p in roles):
        notes.append(f"{root_profile.name} has mfa_serial, but as in the AWS CLI only a role profile's own "
                     f"mfa_serial counts: no MFA code is sent for {target.name} (set mfa_serial there if its role "
                     "requires MFA)")
    hops: list[tuple[str, SessionIdentity]] = []
    for profile in reversed(roles):
        is_target = profile is roles[0]
        identity = of_profile(profile)
        hops.append((profile.name, identity))
        wanted = requested if is_target else _requested_duration(profile, None)
        if wanted is not None:
            check_range(wanted, ASSUME_ROLE_RANGE, "AssumeRole")
        if profile.mfa_serial and long_lived and (wanted or CHAINED_MAX) <= CHAINED_MAX:
            steps.append(GetSessionToken(root.profile, MFA_SESSION_SECONDS, profile.mfa_serial, profile.mfa_process,
                                         check_setting(profile.name, profile.mfa_prompt)))
            notes.append(f"{profile.name}: one MFA code opens a {format_seconds(MFA_SESSION_SECONDS)} MFA session "
                         f"for {profile.mfa_serial}, reused by every role with that serial; AssumeRole then runs on it "
                         "without the code, so aws:MultiFactorAuthPresent holds (role chaining: at most 1h; "
                         "ask for --duration over 1h to put the code on AssumeRole instead)")
            steps.append(_assume(profile, wanted, mfa=False, chained=True, identity=identity))
        elif profile.mfa_serial:
            why = (f"{format_seconds(wanted or 0)} is longer than the 1h that role chaining allows" if long_lived
                   else "its source is a temporary session, which cannot open an MFA session")
            notes.append(f"{profile.name}: AssumeRole carries the MFA code itself because {why}; "
                         "this code opens no MFA session, so other roles will ask for their own")
            steps.append(_assume(profile, wanted, mfa=True, chained=not long_lived, notes=notes, identity=identity))
        else:
            steps.append(_assume(profile, wanted, mfa=False, chained=not long_lived, notes=notes,
                                 identity=identity))
        long_lived = False
    notes.extend(chain_notes(hops))
    return steps, notes


def mfa_session_note(profile: str, serial: str) -> str:
    """Why a role asks for a code and then runs on an MFA session (said once per MFA session: awsenv.resolve.notes)."""
    return (f"{profile}: one MFA code opens a {format_seconds(MFA_SESSION_SECONDS)} MFA session for {serial}, reused "
            "by every role with that serial; AssumeRole then runs on it without the code, so "
            "aws:MultiFactorAuthPresent holds (role chaining: at most 1h; ask for --duration over 1h to put the code "
            "on AssumeRole instead)")


def _assume(profile: Profile, wanted: Optional[int], mfa: bool, chained: bool,
            notes: Optional[list[str]] = None, identity: SessionIdentity = SessionIdentity()) -> AssumeRole:
    duration = wanted if wanted is not None else CHAINED_MAX
    if chained and duration > CHAINED_MAX:
        if notes is not None:
            notes.append(f"{profile.name}: {chaining_cap(duration)}; asking STS for 1h")
        duration = CHAINED_MAX
    return AssumeRole(
        profile=profile.name,
        role_arn=profile.role_arn or "",
        session_name=profile.role_session_name or default_session_name(profile.name),
        duration=duration,
        external_id=profile.external_id,
        mfa_serial=profile.mfa_serial if mfa else None,
        mfa_process=profile.mfa_process if mfa else None,
        mfa_prompt=check_setting(profile.name, profile.mfa_prompt) if mfa else None,
        chained=chained,
        source_identity=identity.source_identity,
        tags=identity.tags,
        transitive_tag_keys=identity.transitive_tag_keys,
    )
