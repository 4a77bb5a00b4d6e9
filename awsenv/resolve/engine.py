"""Walk a plan from its root to its target, through the cache, calling AWS only on a miss."""

from __future__ import annotations

import hashlib
import logging
import os
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Callable, Optional

from awsenv.aws import sts as aws
from awsenv.cache.format import DEFAULT_MIN_TTL
from awsenv.cache.store import CredentialCache, entry_key
from awsenv.paths import cache_dir
from awsenv.config.profiles import AwsConfig
from awsenv.errors import AwsenvError, AwsError, ConfigError
from awsenv.files import UnsafeDirectory
from awsenv.terminal import say
from awsenv.resolve import mfa_dialog
from awsenv.resolve.mfa_codes import CodeSource
from awsenv.model import (READ_IN_PLACE, SOURCE_STEPS, AssumeRole, Credentials, EnvironmentKeys, GetSessionToken,
                          LoginSession, Plan, SsoRoleCredentials, StaticKeys, Step, StoredKeys)


trace = logging.getLogger("awsenv")

MFA_PROMPTS = 3  # codes asked for on the terminal before a refused one ends the run


def _digest(secret: Optional[str]) -> Optional[str]:
    return hashlib.sha256(secret.encode()).hexdigest()[:16] if secret else None


@dataclass
class FlowOptions:
    mfa_code: Optional[str] = None
    min_ttl: float = DEFAULT_MIN_TTL
    browser: bool = True
    use_device_code: bool = False
    may_prompt: Optional[Callable[[], bool]] = None  # whether an MFA prompt may be shown now (None: always)
    unattended: bool = False  # nobody may be asked: no MFA prompt, no sign-in (a renewal before a shell's prompt)


class Engine:
    def __init__(self, config: AwsConfig, options: FlowOptions, cache: Optional[CredentialCache],
                 log: Callable[[str], None] = say) -> None:
        self.config = config
        self.options = options
        self.cache = cache
        self.log = log
        # Used MFA codes are remembered even under --no-cache: that record holds no credentials.
        self.codes = CodeSource(options.mfa_code, cache.directory if cache else cache_dir(), log,
                                may_prompt=(lambda: False) if options.unattended else options.may_prompt)
        self.calls: list[str] = []  # the AWS calls made, in order, for --debug and tests
        self._static_keys: dict[str, str] = {}  # profile → cache key of its keys

    def is_cached(self, plan: Plan) -> bool:
        """Whether the target's credentials would be served from the cache with no AWS call."""
        index = len(plan.steps) - 1
        if isinstance(plan.steps[index], READ_IN_PLACE):
            return True
        return self.cache is not None and self.cache.get(self.step_key(plan, index), self.options.min_ttl) is not None

    def step_key(self, plan: Plan, index: int) -> str:
        step = plan.steps[index]
        if isinstance(step, StoredKeys):
            # The index's generation changes whenever other keys are stored for the profile; never the secret.
            return entry_key({"kind": "stored-keys", "profile": step.profile, "generation": step.generation})
        if isinstance(step, StaticKeys):
            if step.profile not in self._static_keys:  # `awsenv list`: thousands of roles on the same keys
                profile = self.config.profile(step.profile)
                self._static_keys[step.profile] = entry_key({
                    "kind": "keys", "id": profile.aws_access_key_id, "secret": _digest(profile.aws_secret_access_key),
                    "token": _digest(profile.aws_session_token)})
            return self._static_keys[step.profile]
        if isinstance(step, EnvironmentKeys):
            return entry_key({"kind": "keys", "id": os.environ.get("AWS_ACCESS_KEY_ID"),
                              "secret": _digest(os.environ.get("AWS_SECRET_ACCESS_KEY")),
                              "token": _digest(os.environ.get("AWS_SESSION_TOKEN")
                                               or os.environ.get("AWS_SECURITY_TOKEN"))})
        parts: dict = {"kind": type(step).__name__, **_fields(step)}
        parts.pop("profile", None)
        parts.pop("mfa_process", None)
        parts.pop("mfa_prompt", None)
        parts.pop("from_environment", None)
        for name in ("source_identity", "tags", "transitive_tag_keys"):
            if not parts.get(name):
                # Absent from the key when not set: the cache entries made before these settings existed stay valid.
                # When set, the key differs: credentials tagged otherwise, or with another source identity, are
                # other credentials.
                parts.pop(name, None)
        if not isinstance(step, (SsoRoleCredentials, *SOURCE_STEPS)):
            # No region: STS credentials work in every region, so roles in different regions share one MFA session.
            parts["source"] = self.step_key(plan, index - 1)
        return entry_key(parts)

    def credentials(self, plan: Plan) -> Credentials:
        if any(getattr(step, "mfa_serial", None) for step in plan.steps):
            mfa_dialog.environment_setting()  # a bad AWSENV_MFA_PROMPT is a usage error before any call
        try:
            return self._obtain(plan, len(plan.steps) - 1)
        except AwsError as error:
            _name_the_target(error, plan)
            raise

    def _obtain(self, plan: Plan, index: int) -> Credentials:
        step = plan.steps[index]
        if isinstance(step, StoredKeys):
            from awsenv.keys import store as keystore  # here: only a cache miss that needs the keys loads keyring

            trace.debug("reading the keys of profile %s from the keyring", step.profile)
            return keystore.load(step.profile)
        if isinstance(step, StaticKeys):
            profile = self.config.profile(step.profile)
            return Credentials(profile.aws_access_key_id or "", profile.aws_secret_access_key or "",
                               profile.aws_session_token)
        if isinstance(step, EnvironmentKeys):
            from awsenv.aws import sources

            return sources.credentials(step, plan.region)
        if self.cache is None or _chosen_each_time(step):
            return self._call(plan, index)
        key = self.step_key(plan, index)
        hit = self.cache.get(key, self.options.min_ttl)
        if hit is not None:
            trace.debug("%s for %s: served from cache entry %s", type(step).__name__, step.profile, key)
            return hit
        trace.debug("%s for %s: not cached (entry %s); taking its lock", type(step).__name__, step.profile, key)
        with ExitStack() as held:
            try:
                held.enter_context(self.cache.lock(key, f"{type(step).__name__} for profile {step.profile!r}"))
            except (UnsafeDirectory, OSError) as exc:
                where = f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) and exc.filename else exc
                self.log(f"not caching credentials: {where}")
                self.cache = None  # for the rest of this run: one warning, nothing written
                return self._call(plan, index)
            hit = self.cache.get(key, self.options.min_ttl)  # another process may have done it meanwhile
            if hit is not None:
                return hit
            try:
                creds = self._call(plan, index)
            except AwsenvError as error:
                stale = self._still_valid(key, step, error) if isinstance(error, aws.StsUnreachable) else None
                if stale is not None:
                    return stale
                _say_what_was_cached(error, self.cache.read(key), step.profile)
                raise
            self.cache.put(key, creds, {"profile": step.profile, "kind": type(step).__name__,
                                        "target": plan.target})
            return creds

    def _still_valid(self, key: str, step: Step, down: aws.StsUnreachable) -> Optional[Credentials]:
        """Offline: cached credentials due for renewal but not yet expired are served, the failed renewal logged
        (as botocore does in its advisory window); with none, None (the failure stands)."""
        stale = self.cache.get(key, 0) if self.cache is not None else None
        if stale is None:
            return None
        minutes = int(stale.seconds_left() // 60)
        self.log(f"{down.message}; serving the cached credentials of profile {step.profile!r}, still valid until "
                 f"{stale.expiration:%Y-%m-%dT%H:%M:%SZ} ({minutes} min left)")
        return stale

    def _call(self, plan: Plan, index: int) -> Credentials:
        step = plan.steps[index]
        self.calls.append(f"{type(step).__name__}({step.profile})")
        trace.debug("calling %s for profile %s", step, step.profile)
        if isinstance(step, SsoRoleCredentials):
            from awsenv.sso import role as sso

            return sso.role_credentials(step, self.options, self.cache, self.log)
        if isinstance(step, LoginSession):
            from awsenv.sso.console_login import credentials_for

            return credentials_for(step, plan.region, self.options.browser, self.log, self.cache is not None)
        if isinstance(step, SOURCE_STEPS):
            from awsenv.aws import sources

            return sources.credentials(step, plan.region)
        below = index - 1
        source_cached = (self.cache is not None and not isinstance(plan.steps[below], READ_IN_PLACE)
                         and self.cache.get(self.step_key(plan, below), self.options.min_ttl) is not None)
        try:
            return self._request(plan, step, self._obtain(plan, below))
        except aws.SourceRefused as refused:
            if not source_cached:
                raise
            # A cached session AWS no longer accepts (revoked, or its clock ran ahead): drop it, get it again once.
            self.log(f"{refused.message}; the cached credentials it used are dropped and obtained again")
            self.cache.remove(self.step_key(plan, below))
            return self._request(plan, step, self._obtain(plan, below))

    def _request(self, plan: Plan, step: Step, source: Credentials) -> Credentials:
        if isinstance(step, GetSessionToken):
            return self._with_code(step, lambda code: aws.get_session_token(
                step.profile, source, plan.region, step.duration, step.mfa_serial, code))
        if isinstance(step, AssumeRole):
            return self._with_code(step, lambda code: aws.assume_role(
                step.profile, source, plan.region, step.role_arn, step.session_name, step.duration,
                step.external_id, step.mfa_serial, code, source_identity=step.source_identity, tags=step.tags,
                transitive_tag_keys=step.transitive_tag_keys))
        raise ConfigError(f"unknown step {step!r}")

    def _with_code(self, step: Step, call: Callable[[Optional[str]], Credentials]) -> Credentials:
        serial = getattr(step, "mfa_serial", None)
        if not serial:
            return call(None)
        prompt = mfa_dialog.environment_setting() or getattr(step, "mfa_prompt", None)
        code, origin = self.codes.next(step.profile, serial, getattr(step, "mfa_process", None), prompt=prompt)
        for prompt in range(1, MFA_PROMPTS + 1):
            try:
                return call(code)
            except aws.MfaCodeRejected as rejected:
                # Only a code typed at the terminal is asked for again: --mfa-code and mfa_process fail at once.
                if origin != "prompt" or prompt == MFA_PROMPTS:
                    raise
                self.log(f"{rejected.message}")
                code, origin = self.codes.next(step.profile, serial, None, again=True, prompt=prompt)
        raise AssertionError("unreachable")


def _name_the_target(error: AwsError, plan: Plan) -> None:
    """A refusal at a hop below the target (the source profile's keys, its MFA session) also says which profile and
    role it was for: the user asked for those."""
    if f"profile {plan.target!r}" in error.message:
        return
    role = getattr(plan.steps[-1], "role_arn", None)
    error.message += f" (for profile {plan.target!r}" + (f", role {role})" if role else ")")


def _say_what_was_cached(error: AwsenvError, entry: Optional[dict], profile: str) -> None:
    """Put in front of a failed renewal's message why the cached credentials were not served instead."""
    if entry is None or getattr(error, "cached_entry_told", False):
        return  # nothing cached, or a step nearer the root already said it
    error.cached_entry_told = True
    left = entry["credentials"].seconds_left()
    if left <= 0:
        error.message = f"the cached credentials of profile {profile!r} expired and renewing them failed: " \
                        f"{error.message}"
    else:
        error.message = (f"the cached credentials of profile {profile!r} have only {left // 60:.0f} min left, too "
                         f"few to hand out, and renewing them failed: {error.message}")


def _chosen_each_time(step: Step) -> bool:
    """An SSO profile without sso_account_id/sso_role_name: the user picks each run, so nothing is cached for it."""
    return isinstance(step, SsoRoleCredentials) and not (step.account_id and step.role_name)


_PLAIN = {str, int, bool, float, type(None)}


def _fields(step: Step) -> dict:
    from dataclasses import asdict, is_dataclass

    # A shallow copy, as asdict() would give for these flat records; asdict's deep copy costs more than the rest of
    # `awsenv list` on a big config. A nested record (SsoSession) is still converted in full.
    values = dict(vars(step)) if hasattr(step, "__dict__") else asdict(step)
    for name, value in values.items():
        if type(value) not in _PLAIN and is_dataclass(value):
            values[name] = asdict(value)
    if isinstance(step, SsoRoleCredentials):
        values["session"] = {"name": step.session.name, "start_url": step.session.start_url,
                             "region": step.session.region}
    return values
