"""The profiles and sso-sessions of the AWS config and credentials files, as the AWS CLI reads them (ini_read)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Mapping

from awsenv.config import ini_read
from awsenv.errors import ConfigError
from awsenv.model import Profile, SsoSession
from awsenv.paths import config_path, credentials_path

__all__ = ["AwsConfig", "config_path", "credentials_path", "load"]

_PROFILE_KEYS = {f.name for f in fields(Profile)} - {"name", "stored_key"}


@dataclass(frozen=True)
class AwsConfig:
    profiles: Mapping[str, Profile]
    sso_sessions: Mapping[str, SsoSession]
    files: tuple[str, ...]

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            raise ConfigError(f"profile {name!r} is not in {' or '.join(self.files)}", hint=self.suggest(name)) from None

    def suggest(self, name: str) -> str:
        import difflib

        close = difflib.get_close_matches(name, list(self.profiles), n=3, cutoff=0.5)
        if close:
            return "did you mean " + ", ".join(repr(c) for c in close) + "?"
        if self.profiles:
            return "known profiles: " + ", ".join(sorted(self.profiles)[:10]) + ("…" if len(self.profiles) > 10 else "")
        return "no profiles are configured: add a [profile NAME] section to the config file, or set AWS_CONFIG_FILE"


def _text_values(section: Mapping) -> dict[str, str]:
    # Nested blocks (e.g. `s3 =\n  addressing_style = path`) are not profile keys awsenv uses.
    return {k: v for k, v in section.items() if isinstance(v, str)}


def load(environ: Mapping[str, str] = os.environ) -> AwsConfig:
    """Profiles as the AWS CLI sees them: the config file's profiles, with the credentials file's keys on top."""
    cfg_path, cred_path = config_path(environ), credentials_path(environ)
    built = ini_read.profile_map(cfg_path, variable="AWS_CONFIG_FILE")
    merged: dict[str, dict[str, str]] = {name: _text_values(v) for name, v in built["profiles"].items()}
    for name, values in ini_read.sections(cred_path, variable="AWS_SHARED_CREDENTIALS_FILE").items():
        merged.setdefault(name, {}).update(_text_values(values))

    from awsenv.keys.index import read_index

    stored = read_index(environ, strict=False)  # keys kept with `awsenv keys`: the index only, never the keyring itself
    for name in stored:
        merged.setdefault(name, {})
    profiles = {
        name: Profile(name=name, stored_key=stored.get(name),
                      **{k: v for k, v in values.items() if k in _PROFILE_KEYS})
        for name, values in merged.items()
    }
    sessions = {}
    for name, values in built["sso_sessions"].items():
        scopes = tuple(s.strip() for s in values.get("sso_registration_scopes", "").split(",") if s.strip())
        sessions[name] = SsoSession(
            name=name, start_url=values.get("sso_start_url", ""), region=values.get("sso_region", ""), scopes=scopes
        )
    return AwsConfig(profiles=profiles, sso_sessions=sessions, files=(cfg_path, cred_path))
