"""The secrets this process holds, and text with them masked: every --debug line and every traceback passes here.

Credentials register their secret key, session token and key id when they are made (awsenv.model), MFA codes when
they are handed out (awsenv.resolve.mfa_codes). Masking is by exact value, so nothing else in a trace is touched: a secret
or token becomes `****`, a key id `****` plus its last 4 characters, an MFA code `******`.
"""

from __future__ import annotations

_MASKS: dict[str, str] = {}  # value -> what replaces it
_SHORTEST = 6  # shorter values would mask ordinary words and numbers (an MFA code has 6 digits)


def remember_secret(*values: object) -> None:
    for value in values:
        if isinstance(value, str) and len(value) >= _SHORTEST:
            _MASKS[value] = "****"


def remember_key_id(value: object) -> None:
    if isinstance(value, str) and len(value) >= _SHORTEST:
        _MASKS.setdefault(value, "****" + value[-4:])


def remember_code(value: object) -> None:
    if isinstance(value, str) and len(value) >= _SHORTEST:
        _MASKS.setdefault(value, "*" * len(value))


def scrub(text: str) -> str:
    """`text` with every value remembered so far masked; the longest first, so a token is never half masked."""
    for value in sorted(_MASKS, key=len, reverse=True):
        if value in text:
            text = text.replace(value, _MASKS[value])
    return text
