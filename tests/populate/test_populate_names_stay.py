"""Names that stay: a profile `awsenv populate` wrote keeps its name when other accounts or roles appear or go away
(scripts and kubeconfigs use it); only a new name for its own account, or a new prefix, renames it."""

from __future__ import annotations

from typing import Optional

from awsenv.populate.changes import MARKER, plan_changes, previous_prefix
from awsenv.populate.names import Assignment, prefix_of, profile_names, still_fits

SANDBOX_4 = Assignment("444444444444", "Sandbox", "Admin")
SANDBOX_5 = Assignment("555555555555", "Sandbox", "Admin")
OPS = Assignment("333333333333", "Zurich Ops", "Ops")


def _gen(item: Assignment) -> dict:
    return {"sso_session": "corp", "sso_account_id": item.account_id, "sso_role_name": item.role_name,
            "region": "us-east-1", MARKER: "corp"}


def _populate(listed: list[Assignment], profiles: dict, prefix: Optional[str] = None, prune: bool = False):
    """What the command decides: the remembered prefix, the first-run names, then the changes."""
    if prefix is None:
        prefix = previous_prefix("corp", listed, profiles)
    named, problems = profile_names(listed, prefix)
    assert problems == []
    return plan_changes("corp", named, profiles, set(), "us-east-1", False, prune)


def _renames(changes) -> dict[str, str]:
    return {u.name: u.new_name for u in changes.updated if u.new_name != u.name}


def test_an_account_going_away_leaves_the_other_ones_name_alone():
    profiles = {"Sandbox-444444444444.Admin": _gen(SANDBOX_4), "Sandbox-555555555555.Admin": _gen(SANDBOX_5)}
    for prune in (False, True):
        changes = _populate([SANDBOX_4], profiles, prune=prune)
        assert _renames(changes) == {} and changes.added == []
        assert changes.kept == ["Sandbox-444444444444.Admin"]
        assert (changes.removed if prune else changes.stale) == ["Sandbox-555555555555.Admin"]
    assert _populate([SANDBOX_4], {"Sandbox-444444444444.Admin": _gen(SANDBOX_4)}).empty


def test_an_account_of_the_same_name_appearing_gets_the_id_and_the_first_keeps_its_name():
    changes = _populate([SANDBOX_4, SANDBOX_5], {"Sandbox.Admin": _gen(SANDBOX_4)})
    assert _renames(changes) == {}
    assert [name for name, _ in changes.added] == ["Sandbox-555555555555.Admin"]
    assert sorted(changes.kept) == ["Sandbox-555555555555.Admin", "Sandbox.Admin"]


def test_a_prefix_is_remembered_when_a_same_named_account_appears():
    profiles = {"corp-Sandbox.Admin": _gen(SANDBOX_4)}
    assert previous_prefix("corp", [SANDBOX_4, SANDBOX_5], profiles) == "corp-"
    changes = _populate([SANDBOX_4, SANDBOX_5], profiles)
    assert _renames(changes) == {} and [name for name, _ in changes.added] == ["corp-Sandbox-555555555555.Admin"]


def test_a_renamed_account_renames_its_profile_and_says_so():
    profiles = {"Zurich-Ops.Ops": _gen(OPS), "Sandbox.Admin": _gen(SANDBOX_4)}
    changes = _populate([OPS._replace(account_name="Zurich Operations"), SANDBOX_4], profiles)
    assert _renames(changes) == {"Zurich-Ops.Ops": "Zurich-Operations.Ops"}
    assert changes.notes == ["renamed 'Zurich-Ops.Ops' to 'Zurich-Operations.Ops': IAM Identity Center now names "
                             "account 333333333333 'Zurich Operations'"]


def test_a_disambiguated_name_follows_its_own_accounts_rename_only():
    profiles = {"Sandbox-444444444444.Admin": _gen(SANDBOX_4), "Sandbox-555555555555.Admin": _gen(SANDBOX_5)}
    changes = _populate([SANDBOX_4._replace(account_name="Play"), SANDBOX_5], profiles)
    assert _renames(changes) == {"Sandbox-444444444444.Admin": "Play.Admin"}


def test_a_new_prefix_renames_without_an_account_note():
    changes = _populate([SANDBOX_4], {"Sandbox.Admin": _gen(SANDBOX_4)}, prefix="corp-")
    assert _renames(changes) == {"Sandbox.Admin": "corp-Sandbox.Admin"} and changes.notes == []


def test_which_names_still_fit_their_pair():
    assert prefix_of("Sandbox-444444444444.Admin", SANDBOX_4) == ""
    assert prefix_of("x-Sandbox.Admin", SANDBOX_4) == "x-"
    assert prefix_of("Play.Admin", SANDBOX_4) is None
    assert prefix_of("666666666666.Admin", Assignment("666666666666", "本番", "Admin")) == ""
    assert still_fits("Sandbox.Admin", "Sandbox-444444444444.Admin", SANDBOX_4)
    assert still_fits("Sandbox-444444444444.Admin", "Sandbox.Admin", SANDBOX_4)
    assert not still_fits("Sandbox.Admin", "x-Sandbox.Admin", SANDBOX_4)
    assert not still_fits("sandbox.Admin", "Sandbox.Admin", SANDBOX_4)  # the account's own name changed case
    assert still_fits("Zurich-Ops.Ops", "Zurich-Ops.Ops", OPS._replace(account_name="Zürich  Ops"))
