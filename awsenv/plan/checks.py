"""The rules a profile's values must follow before any AWS call, and the words plans use: pure, no I/O.

The planning rules (awsenv.plan.rules) and the chain roots (awsenv.plan.roots) both check profiles here, and
`explain` names flows with the same words.
"""

from __future__ import annotations

import re

from awsenv.errors import ConfigError
from awsenv.model import Profile

FLOW_WORDS = {"user": "IAM user", "role": "IAM role", "sso": "IAM Identity Center (SSO)",
              "process": "credential_process", "login": "`aws login` session"}

# STS's character sets are ASCII: without re.ASCII, \w would let through letters STS refuses.
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+", re.ASCII)
_SESSION_NAME_CHARS = re.compile(r"[^\w+=,.@-]", re.ASCII)
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_SERIAL = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
_SECURITY_KEY = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:u2f/")  # IAM's ARN for FIDO security keys and passkeys


def default_session_name(profile: str) -> str:
    name = "awsenv-" + _SESSION_NAME_CHARS.sub("-", profile)
    return name[:64]


def flow_words(flow: str) -> str:
    return FLOW_WORDS.get(flow, flow)


def with_article(flow: str) -> str:
    words = flow_words(flow)
    return ("a " if words.startswith("credential_process") else "an ") + words


def no_credentials(profile: Profile) -> tuple[str, str]:
    return (f"profile {profile.name!r} has no credentials: no keys, role_arn, SSO settings, credential_process, "
            "web_identity_token_file or login_session",
            "add aws_access_key_id/aws_secret_access_key, a role_arn with source_profile or credential_source, "
            "sso_session, or credential_process")


def check_role(profile: Profile) -> None:
    if not _ROLE_ARN.fullmatch(profile.role_arn or ""):
        raise ConfigError(f"profile {profile.name!r}: role_arn {profile.role_arn!r} is not a role ARN",
                          hint="it looks like arn:aws:iam::123456789012:role/NAME")
    if profile.role_session_name is not None and not _SESSION_NAME.fullmatch(profile.role_session_name):
        raise ConfigError(f"profile {profile.name!r}: role_session_name must be 2-64 of letters, digits and +=,.@_-")
    if profile.external_id is not None and not _EXTERNAL_ID.fullmatch(profile.external_id):
        raise ConfigError(f"profile {profile.name!r}: external_id must be 2-1224 of letters, digits and +=,.@:/_-")
    check_serial(profile)


def check_serial(profile: Profile) -> None:
    if profile.mfa_serial is not None and not _SERIAL.fullmatch(profile.mfa_serial):
        raise ConfigError(f"profile {profile.name!r}: mfa_serial {profile.mfa_serial!r} is not an MFA device ARN "
                          "or serial number", hint="it looks like arn:aws:iam::123456789012:mfa/NAME")
    if profile.mfa_serial is not None and _SECURITY_KEY.search(profile.mfa_serial):
        raise ConfigError(f"profile {profile.name!r}: mfa_serial {profile.mfa_serial!r} is a security key "
                          "(FIDO/U2F passkey); STS accepts only a one-time code from a virtual or hardware TOTP device",
                          hint="register a virtual MFA device and set its ARN, arn:aws:iam::123456789012:mfa/NAME")
