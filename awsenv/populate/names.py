"""Names for generated IAM Identity Center profiles: readable, stable, and safe to type unquoted in any shell.

`ACCOUNT.ROLE`, from the account's and the role's names as IAM Identity Center shows them:
- letters keep their case; accents are dropped (`Zürich` -> `Zurich`, `Ørsted` -> `Orsted`);
- every run of other characters (spaces, `/`, `[]`, quotes, `#`, `;`, `&`, non-Latin letters, …) becomes one `-`,
  and `-` or `.` at either end is dropped: the name holds only `A-Z a-z 0-9 . _ -` and never starts with `-`;
- an account name with nothing left (`本番` or none) is replaced by the account id;
- accounts whose names come out the same (ignoring case) all get their account id: `Sandbox-111111111111.Admin`;
- `--prefix` goes in front as given (it must itself hold only those characters).
These are the names of profiles written for the first time. A profile written before keeps its name for as long as
the name still fits its pair (`still_fits`): scripts and kubeconfigs refer to it, so an account appearing or going
away never renames another account's profile; only a new name for its own account (or a new prefix) does.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import Iterable, NamedTuple, Optional

SEPARATOR = "."
SAFE = re.compile(r"[A-Za-z0-9._-]*")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")
# Latin letters Unicode does not decompose into a base letter and an accent.
_FOLD = {"ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "đ": "d",
         "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H"}


class Assignment(NamedTuple):
    """One account and role the sign-in may use."""

    account_id: str
    account_name: str
    role_name: str


def clean(text: str) -> str:
    """`text` in the characters a profile name may hold (see the module's description)."""
    letters = "".join(_FOLD.get(c, c) for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _DASHES.sub("-", _UNSAFE_RUN.sub("-", letters)).strip("-.")


def _writable(value: str) -> bool:
    return bool(value) and value == value.strip() and value.isprintable()


def _account_part(assignment: Assignment) -> str:
    return clean(assignment.account_name) or assignment.account_id


def _name(prefix: str, account: str, role: str) -> str:
    return f"{prefix}{account}{SEPARATOR}{clean(role) or 'role'}"


def profile_names(assignments: Iterable[Assignment], prefix: str = "") -> tuple[dict[Assignment, str], list[str]]:
    """The name for each assignment, and what could not be named (pairs that still share a name once the account
    id is added, e.g. two roles of one account that differ only in characters that are dropped: left out rather
    than let one overwrite the other)."""
    listed, problems = [], []
    for item in sorted(set(assignments)):
        if _writable(item.account_id) and _writable(item.role_name):
            listed.append(item)
        else:
            problems.append(f"IAM Identity Center listed {item.account_id!r}/{item.role_name!r}, which cannot be "
                            "written as a value in the config file: left out")
    by_name: dict[str, list[Assignment]] = defaultdict(list)
    for item in listed:
        by_name[_name(prefix, _account_part(item), item.role_name).lower()].append(item)
    named: dict[Assignment, str] = {}
    for group in by_name.values():
        several_accounts = len({item.account_id for item in group}) > 1
        for item in group:
            account = _account_part(item)
            if several_accounts and account != item.account_id:
                account = f"{account}-{item.account_id}"
            named[item] = _name(prefix, account, item.role_name)
    final: dict[str, list[Assignment]] = defaultdict(list)
    for item, name in named.items():
        final[name.lower()].append(item)
    for group in final.values():
        if len(group) > 1:
            pairs = ", ".join(f"{item.account_id}/{item.role_name}" for item in group)
            problems.append(f"{pairs} would all be named {named[group[0]]!r}: none of them was written")
            for item in group:
                del named[item]
    return named, problems


def name_forms(item: Assignment) -> tuple[str, ...]:
    """The names, without prefix, a profile of this pair may have under its account's current name: `Account.Role`,
    and `Account-ID.Role` (the form it got when another account shared its name)."""
    account = _account_part(item)
    role = _name("", account, item.role_name)[len(account):]
    if account == item.account_id:
        return (account + role,)
    return (f"{account}-{item.account_id}{role}", account + role)


def prefix_of(name: str, item: Assignment) -> Optional[str]:
    """What is in front of one of `name_forms(item)` in `name`; None when `name` names no form of this pair (its
    account has another name now)."""
    for form in name_forms(item):  # the longer form first: `Sandbox-4.R` is not `Sandbox.R` behind a prefix
        if name.endswith(form):
            return name[:-len(form)]
    return None


def still_fits(current: str, wanted: str, item: Assignment) -> bool:
    """Whether a profile already named `current` keeps that name, `wanted` being the name a first run would give it:
    yes while it is a form of the pair's current account name with the same prefix."""
    prefix = prefix_of(current, item)
    return prefix is not None and prefix == prefix_of(wanted, item)
