"""The `mfa_prompt` key: where an MFA code is asked when there is no terminal. Checked with the plan, before any
call; awsenv/resolve/mfa_dialog.py does the asking."""

from __future__ import annotations

from typing import Optional

from awsenv.errors import ConfigError

CHOICES = ("terminal", "zenity", "kdialog", "osascript")


def check_setting(profile: str, value: Optional[str]) -> Optional[str]:
    """The profile's mfa_prompt in lower case, or None; ConfigError (exit 2) names the profile and the key."""
    if value is None:
        return None
    choice = value.strip().lower()
    if choice not in CHOICES:
        raise ConfigError(f"profile {profile!r}: mfa_prompt {value!r} is not one of {', '.join(CHOICES)}",
                          hint="mfa_prompt names where the MFA code is asked when there is no terminal")
    return choice
