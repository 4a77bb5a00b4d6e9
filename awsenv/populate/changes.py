"""What `awsenv populate SESSION` changes in the config file: a pure decision from what IAM Identity Center lists and
the profiles the file already has. No AWS call and no file access here.

A generated profile carries `awsenv_generated = SESSION`. An ordinary key survives the AWS CLI's own edits
(`aws configure set` rewrites a value and keeps the others) and botocore reads it like any key it does not use,
so a re-run, `awsenv list` and `aws` all see it. Only sections with the marker of this session are ever changed:
- a listed pair with a generated profile: the keys awsenv owns are set where they differ (`region` only when it is
  missing or `--region` is given), and the user's other keys and comments stay. Its name stays as long as it still
  fits the pair (names.still_fits): other accounts appearing or going away never rename it (scripts and kubeconfigs
  use the name); a new name for its own account (or a new prefix) renames it when the new name is free, and a note
  says so;
- a listed pair without one: a new profile, unless a hand-written profile of this session already uses that account
  and role (skipped), or its name is taken by a profile awsenv did not generate (refused: that profile is kept);
- a generated profile whose pair is no longer listed is stale: reported, removed only with `--prune`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

from awsenv.populate.names import Assignment, prefix_of, still_fits

MARKER = "awsenv_generated"


@dataclass
class Update:
    name: str  # the profile's name in the file now
    new_name: str  # the same unless it is renamed
    values: dict[str, str]  # the keys to set: only those whose value differs


@dataclass
class Changes:
    added: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    updated: list[Update] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # stale generated profiles kept (no --prune)
    kept: list[str] = field(default_factory=list)  # generated profiles of this session still there afterwards
    notes: list[str] = field(default_factory=list)  # what to tell the user on stderr

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or any(u.values or u.new_name != u.name for u in self.updated))


def _pair(values: Mapping[str, object]) -> tuple[str, str]:
    return str(values.get("sso_account_id", "")), str(values.get("sso_role_name", ""))


def _body(session: str, item: Assignment, region: str) -> dict[str, str]:
    body = {"sso_session": session, "sso_account_id": item.account_id, "sso_role_name": item.role_name}
    if region:
        body["region"] = region
    body[MARKER] = session
    return body


def plan_changes(session: str, named: Mapping[Assignment, str], profiles: Mapping[str, Mapping[str, object]],
                 elsewhere: set[str], region: str, region_given: bool, prune: bool) -> Changes:
    """`profiles`: the config file's profiles as botocore reads them; `elsewhere`: names only the credentials file
    has; `named`: every listed pair and its name."""
    changes = Changes()
    owned = {name: values for name, values in profiles.items() if values.get(MARKER) == session}
    by_pair: dict[tuple[str, str], str] = {}
    listed = {(item.account_id, item.role_name): item for item in named}
    for name in sorted(owned):
        pair = _pair(owned[name])
        if pair in listed and pair not in by_pair:
            by_pair[pair] = name
    stale = sorted(name for name in owned if name not in by_pair.values())
    blocked = _blocked(session, profiles, set(owned), elsewhere, [] if prune else stale)

    targets = {}
    for pair, current in by_pair.items():
        item = listed[pair]
        targets[current] = current if still_fits(current, named[item], item) else named[item]
    _settle(targets, blocked)
    for current, target in sorted(targets.items()):
        item = listed[_pair(owned[current])]
        wanted = current if still_fits(current, named[item], item) else named[item]
        if target != wanted:
            why = blocked.get(wanted, "another generated profile keeps that name")
            changes.notes.append(f"kept the name {current!r}: {wanted!r}, the name the rule now gives it, is taken "
                                 f"({why})")
        elif target != current and prefix_of(current, item) is None:
            changes.notes.append(f"renamed {current!r} to {target!r}: IAM Identity Center now names account "
                                 f"{item.account_id} {item.account_name!r}")
        values = owned[current]
        desired = _body(session, item, region if (region_given or "region" not in values) else "")
        update = {k: v for k, v in desired.items() if values.get(k) != v}
        changes.updated.append(Update(current, target, update))
        changes.kept.append(target)

    covered = {_pair(values): name for name, values in profiles.items()
               if name not in owned and values.get("sso_session") == session and all(_pair(values))}
    taken = {**blocked, **{name: "a generated profile of another account keeps that name" for name in targets.values()}}
    for item, name in sorted(named.items(), key=lambda entry: entry[1].lower()):
        pair = (item.account_id, item.role_name)
        if pair in by_pair:
            continue
        if pair in covered:
            changes.notes.append(f"skipped {item.account_id}/{item.role_name}: the hand-written profile "
                                 f"{covered[pair]!r} already uses it")
        elif name in taken:
            changes.notes.append(f"did not write {name!r} ({item.account_id}/{item.role_name}): that name is taken "
                                 f"({taken[name]}), which was left as it is; --prefix gives names of their own")
        else:
            changes.added.append((name, _body(session, item, region)))
            changes.kept.append(name)
    if prune:
        changes.removed = stale
    else:
        changes.stale = stale
    return changes


def _blocked(session: str, profiles: Mapping[str, Mapping[str, object]], owned: set[str], elsewhere: set[str],
             stale: list[str]) -> dict[str, str]:
    """Names no generated profile of this session may take, and why."""
    blocked = {name: "a profile in the credentials file" for name in elsewhere}
    for name, values in profiles.items():
        if name not in owned:
            other = values.get(MARKER)
            blocked[name] = (f"a profile generated for sso-session {other!r}" if other
                             else "a profile awsenv did not write")
    for name in stale:
        blocked[name] = f"a stale generated profile: `awsenv populate {session} --prune` removes it"
    return blocked


def _settle(targets: dict[str, str], blocked: Mapping[str, str]) -> None:
    """Keep the current name of a generated profile whose new name is blocked or wanted by another one."""
    changed = True
    while changed:
        changed = False
        counts: dict[str, int] = {}
        for target in targets.values():
            counts[target] = counts.get(target, 0) + 1
        for current, target in targets.items():
            if target != current and (target in blocked or counts[target] > 1):
                targets[current] = current
                changed = True
                break


def describe_stale(session: str, names: list[str], profiles: Mapping[str, Mapping[str, object]],
                   removed: bool) -> Optional[str]:
    if not names:
        return None
    listed = ", ".join(f"{name} ({'/'.join(_pair(profiles[name]))})" for name in names)
    if removed:
        return f"removed {len(names)} generated profile(s) whose account or role is no longer assigned: {listed}"
    return (f"{len(names)} generated profile(s) of sso-session {session!r} name an account or role that is no longer "
            f"assigned: {listed}; `awsenv populate {session} --prune` removes them")


def previous_prefix(session: str, assignments: list[Assignment], profiles: Mapping[str, Mapping[str, object]]) -> str:
    """The --prefix the generated profiles of this session were written with, when they all agree (else "")."""
    by_pair = {(item.account_id, item.role_name): item for item in assignments}
    found = set()
    for name, values in profiles.items():
        item = by_pair.get(_pair(values)) if values.get(MARKER) == session else None
        prefix = prefix_of(name, item) if item else None
        if prefix is not None:
            found.add(prefix)
    return found.pop() if len(found) == 1 else ""
