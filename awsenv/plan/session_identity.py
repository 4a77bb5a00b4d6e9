"""Who is calling: a role profile's source_identity, session_tags and transitive_session_tags, checked with STS's
rules before any call, and the rules a role chain adds. Pure: no I/O.

The keys are aws-vault's: `source_identity = alice`, `session_tags = team=core,cost-center=42`,
`transitive_session_tags = team`. Every refusal is a ConfigError (exit 2) naming the profile and the key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional, Sequence

from awsenv.errors import ConfigError
from awsenv.model import Profile

MAX_TAGS = 50  # session tags on one AssumeRole
KEY_LENGTH = (1, 128)
VALUE_LENGTH = (0, 256)
# Tag keys and values: letters, separators (spaces), digits, and these. STS's pattern is [\p{L}\p{Z}\p{N}_.:/=+\-@]*.
_TAG_PUNCTUATION = set("_.:/=+-@")
# SourceIdentity: 2-64 of ASCII letters, digits and _+=,.@- (without re.ASCII, \w would let through letters STS refuses)
_SOURCE_IDENTITY = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_RESERVED = "aws:"


@dataclass(frozen=True)
class SessionIdentity:
    """What one AssumeRole carries: SourceIdentity, Tags and TransitiveTagKeys."""

    source_identity: Optional[str] = None
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.source_identity or self.tags)


def of_profile(profile: Profile) -> SessionIdentity:
    """The profile's three keys, parsed and checked; ConfigError names the profile and the key."""
    source = profile.source_identity
    if source is not None:
        source = source.strip()
        _check_source_identity(profile.name, source)
    tags = _parse_tags(profile.name, profile.session_tags)
    transitive = _parse_transitive(profile.name, profile.transitive_session_tags, tags)
    return SessionIdentity(source or None, tags, transitive)


def names_any(profile: Profile) -> bool:
    return any(value is not None for value in (profile.source_identity, profile.session_tags,
                                               profile.transitive_session_tags))


def unused_note(profile: Profile, flow: str) -> list[str]:
    """A warning when a profile that is not a role profile names the keys: only AssumeRole sends them."""
    if flow == "role" or not names_any(profile):
        return []
    return [f"warning: profile {profile.name!r} is not a role profile: its source_identity, session_tags and "
            "transitive_session_tags are sent only on AssumeRole, so they are not used"]


def refuse_on_web_identity(profile: Optional[Profile]) -> None:
    """A web identity role cannot send them: AssumeRoleWithWebIdentity has no such parameters."""
    if profile is not None and names_any(profile):
        raise ConfigError(f"profile {profile.name!r}: source_identity and session_tags are sent on AssumeRole; "
                          "AssumeRoleWithWebIdentity takes them from the web identity token's claims",
                          hint="set them in the identity provider's token, or on a role profile that uses this one "
                               "as its source_profile")


def _refuse(profile: str, key: str, problem: str, hint: str) -> ConfigError:
    return ConfigError(f"profile {profile!r}: {key} {problem}", hint=hint)


def _check_source_identity(profile: str, value: str) -> None:
    if value.lower().startswith(_RESERVED):
        raise _refuse(profile, "source_identity", f"{value!r} begins with `aws:`, which AWS reserves for itself",
                      "choose a value without the aws: prefix, such as your user name")
    if not _SOURCE_IDENTITY.fullmatch(value):
        raise _refuse(profile, "source_identity", f"{value!r} is not what STS accepts",
                      "2 to 64 characters: ASCII letters, digits and _ + = , . @ - (no spaces)")


def _tag_chars_ok(text: str) -> bool:
    return all(char in _TAG_PUNCTUATION or unicodedata.category(char)[0] in "LZN" for char in text)


_TAG_CHARS_HINT = "letters, digits, spaces and _ . : / = + - @"


def _parse_tags(profile: str, raw: Optional[str]) -> tuple[tuple[str, str], ...]:
    if raw is None or not raw.strip():
        return ()
    tags: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for number, item in enumerate(raw.split(","), start=1):
        item = item.strip()
        if not item:
            raise _refuse(profile, "session_tags", f"has an empty entry (number {number})",
                          "write it as key=value pairs separated by commas: team=core,project=x")
        if "=" not in item:
            raise _refuse(profile, "session_tags", f"entry {item!r} has no `=`",
                          "write it as key=value pairs separated by commas: team=core,project=x")
        key, value = (part.strip() for part in item.split("=", 1))
        if not KEY_LENGTH[0] <= len(key) <= KEY_LENGTH[1]:
            raise _refuse(profile, "session_tags", f"tag key {key!r} is {len(key)} characters long",
                          f"a tag key is {KEY_LENGTH[0]} to {KEY_LENGTH[1]} characters")
        if len(value) > VALUE_LENGTH[1]:
            raise _refuse(profile, "session_tags", f"the value of tag {key!r} is {len(value)} characters long",
                          f"a tag value is at most {VALUE_LENGTH[1]} characters")
        if not _tag_chars_ok(key):
            raise _refuse(profile, "session_tags", f"tag key {key!r} has a character STS refuses",
                          f"tag keys and values may hold {_TAG_CHARS_HINT}")
        if not _tag_chars_ok(value):
            raise _refuse(profile, "session_tags", f"the value of tag {key!r} has a character STS refuses",
                          f"tag keys and values may hold {_TAG_CHARS_HINT}")
        if key.lower().startswith(_RESERVED):
            raise _refuse(profile, "session_tags", f"tag key {key!r} begins with `aws:`, which AWS reserves",
                          "choose a key without the aws: prefix")
        folded = key.casefold()
        if folded in seen:
            raise _refuse(profile, "session_tags", f"names tag {key!r} twice ({seen[folded]!r} and {key!r}): "
                          "STS compares tag keys ignoring case", "keep one of them")
        seen[folded] = key
        tags.append((key, value))
    if len(tags) > MAX_TAGS:
        raise _refuse(profile, "session_tags", f"has {len(tags)} tags", f"STS takes at most {MAX_TAGS} session tags")
    return tuple(tags)


def _parse_transitive(profile: str, raw: Optional[str], tags: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    if raw is None or not raw.strip():
        return ()
    by_fold = {key.casefold(): key for key, _ in tags}
    keys: list[str] = []
    for item in raw.split(","):
        name = item.strip()
        if not name:
            raise _refuse(profile, "transitive_session_tags", "has an empty entry",
                          "list tag keys of session_tags separated by commas: team,project")
        key = by_fold.get(name.casefold())
        if key is None:
            known = ", ".join(k for k, _ in tags) or "none"
            raise _refuse(profile, "transitive_session_tags", f"names {name!r}, which is not a key of session_tags "
                          f"(its keys: {known})", "a transitive tag must also be set in session_tags")
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def chain_notes(hops: Sequence[tuple[str, SessionIdentity]]) -> list[str]:
    """The rules of a role chain, hop by hop from the first role assumed to the target; ConfigError when a profile
    asks for what AWS would refuse; else notes that say what each hop carries on.

    AWS keeps a source identity for the rest of the chain once a role session has it: a later AssumeRole need not
    name it again, and one that names a different value is denied (IAM User Guide, "Monitor and control actions
    taken with assumed roles", role chaining). Rather than send a request STS is known to deny, the plan refuses
    it with exit 2 before any call, naming both profiles. A later hop that names the same value sends it: that is
    allowed, and a trust policy that checks sts:SourceIdentity sees it either way.
    Likewise a session inherits the transitive tags of the session that assumed it, and an AssumeRole that passes a
    tag with the key of an inherited one fails (STS API Reference, AssumeRole, Tags): refused here too.
    """
    notes: list[str] = []
    carried: Optional[tuple[str, str]] = None  # (source identity, profile that set it)
    inherited: dict[str, tuple[str, str]] = {}  # folded key -> (key as written, profile that made it transitive)
    for name, identity in hops:
        if identity.source_identity is not None:
            if carried is not None and identity.source_identity != carried[0]:
                raise ConfigError(
                    f"profile {name!r}: source_identity {identity.source_identity!r} differs from "
                    f"{carried[0]!r}, which profile {carried[1]!r} set earlier in the chain; AWS keeps the first "
                    "source identity for the whole chain and denies an AssumeRole that asks for another",
                    hint=f"remove source_identity from profile {name!r} (it inherits {carried[0]!r}) or make both "
                         "the same")
            if carried is None:
                carried = (identity.source_identity, name)
        elif carried is not None:
            notes.append(f"{name}: carries the source identity {carried[0]} that {carried[1]} set (AWS keeps it "
                         "along the chain)")
        for key, _ in identity.tags:
            if key.casefold() in inherited:
                was, where = inherited[key.casefold()]
                raise ConfigError(
                    f"profile {name!r}: session_tags sets {key!r}, but profile {where!r} earlier in the chain made "
                    f"{was!r} a transitive tag; STS refuses a session tag with the key of an inherited one",
                    hint=f"remove {key!r} from the session_tags of profile {name!r} (it inherits it), or from the "
                         f"transitive_session_tags of profile {where!r}")
        if inherited:
            names = ", ".join(sorted(was for was, _ in inherited.values()))
            notes.append(f"{name}: inherits the transitive session tags {names}")
        for key in identity.transitive_tag_keys:
            inherited[key.casefold()] = (key, name)
    return notes
