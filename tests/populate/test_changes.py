"""Generated profile names, the line-preserving INI editor, and what populate decides to change."""

from __future__ import annotations

import shlex

from hypothesis import given, strategies as st

from awsenv.config.ini_lines import IniLines, profile_name
from awsenv.populate.changes import MARKER, plan_changes
from awsenv.populate.names import Assignment, clean, profile_names


def test_clean_names():
    assert clean("Production Account") == "Production-Account"
    assert clean("Zürich Ops") == "Zurich-Ops"
    assert clean("Ørsted Straße") == "Orsted-Strasse"
    assert clean("R&D [eu] 'team'") == "R-D-eu-team"
    assert clean(" -- spaced  --  out -- ") == "spaced-out"
    assert clean("本番") == ""
    assert clean("a;b#c`d$e\"f\\g/h") == "a-b-c-d-e-f-g-h"


@given(st.text())
def test_any_name_is_safe_in_a_shell_and_never_looks_like_an_option(text):
    name = clean(text)
    assert shlex.quote(name) == name or name == ""
    assert not name.startswith(("-", ".")) and "--" not in name


def test_duplicates_get_their_account_id_and_nothing_is_overwritten():
    named, problems = profile_names([Assignment("444444444444", "Sandbox", "Admin"),
                                     Assignment("555555555555", "sandbox", "Admin"),
                                     Assignment("555555555555", "sandbox", "ReadOnly"),
                                     Assignment("666666666666", "本番", "Admin")], prefix="corp-")
    assert sorted(named.values()) == ["corp-666666666666.Admin", "corp-Sandbox-444444444444.Admin",
                                      "corp-sandbox-555555555555.Admin", "corp-sandbox.ReadOnly"]
    assert problems == []


def test_pairs_that_still_collide_are_left_out_and_reported():
    named, problems = profile_names([Assignment("1", "a", "x+y"), Assignment("1", "a", "x=y"),
                                     Assignment("1", "a", "z")])
    assert list(named.values()) == ["a.z"]
    assert len(problems) == 1 and "1/x+y" in problems[0] and "'a.x-y'" in problems[0]


def test_profile_header_names_follow_botocore():
    assert profile_name("profile dev") == "dev"
    assert profile_name("profile 'a b'") == "a b"
    assert profile_name("default") == "default"
    assert profile_name("sso-session corp") is None
    assert profile_name("profile a b") is None


def _edit(text: str, action) -> str:
    ini = IniLines(text.encode())
    action(ini, {s.header: s for s in ini.sections})
    return ini.render().decode()


def test_set_key_rewrites_in_place_and_drops_continuations():
    text = "[profile a]\nREGION = x\n  more\n# note\nother = 1\n\n[profile b]\n"
    out = _edit(text, lambda ini, s: ini.set_key(s["profile a"], "region", "y"))
    assert out == "[profile a]\nregion = y\n# note\nother = 1\n\n[profile b]\n"


def test_new_key_goes_after_the_last_option_not_after_the_next_sections_comment():
    text = "[profile a]\nx = 1\n\n# about b\n[profile b]\n"
    out = _edit(text, lambda ini, s: ini.set_key(s["profile a"], "y", "2"))
    assert out == "[profile a]\nx = 1\ny = 2\n\n# about b\n[profile b]\n"


def test_append_then_remove_restores_the_file():
    for text in ("", "[default]\nregion = x\n", "[default]\nregion = x", "# c\n\n[a]\nk = v\n\n# tail\n"):
        added = _edit(text, lambda ini, s: ini.append_section("profile g", {"k": "v"}))
        assert added.count("[profile g]") == 1
        removed = _edit(added, lambda ini, s: ini.remove(s["profile g"]))
        assert removed == (text + "\n" if text and not text.endswith("\n") else text)


def test_indented_bracket_line_inside_a_value_is_not_a_header():
    ini = IniLines(b"[profile a]\ns3 =\n  [not a header]\n")
    assert [s.header for s in ini.sections] == ["profile a"]


def test_lone_cr_line_endings_count_as_lines():
    ini = IniLines(b"[a]\rk = v\r[b]\r")
    assert [s.header for s in ini.sections] == ["a", "b"]


def _gen(account: str, role: str, session: str = "corp", **extra) -> dict:
    return {"sso_session": session, "sso_account_id": account, "sso_role_name": role, "region": "us-east-1",
            MARKER: session, **extra}


def test_plan_touches_only_this_sessions_generated_profiles():
    named = {Assignment("1", "a", "R"): "a.R", Assignment("2", "b", "R"): "b.R", Assignment("3", "c", "R"): "c.R"}
    profiles = {
        "a.R": _gen("1", "R", output="json"),  # ours, unchanged
        "b.R": {"region": "eu-west-1"},  # hand-written, same name: refused
        "old.R": _gen("9", "R"),  # ours, stale
        "x.R": _gen("3", "R", session="other"),  # another session's
        "mine": {"sso_session": "corp", "sso_account_id": "3", "sso_role_name": "R"},  # covers 3/R
    }
    changes = plan_changes("corp", named, profiles, set(), "us-east-1", False, prune=False)
    assert changes.added == [] and changes.removed == [] and changes.stale == ["old.R"]
    assert [(u.name, u.new_name, u.values) for u in changes.updated] == [("a.R", "a.R", {})]
    assert changes.empty
    assert any("did not write 'b.R'" in note for note in changes.notes)
    assert any("skipped 3/R" in note and "'mine'" in note for note in changes.notes)
    pruned = plan_changes("corp", named, profiles, set(), "us-east-1", False, prune=True)
    assert pruned.removed == ["old.R"] and not pruned.empty


def test_plan_renames_and_keeps_a_name_whose_new_one_is_taken():
    named = {Assignment("1", "new", "R"): "new.R", Assignment("2", "two", "R"): "two.R"}
    profiles = {"old.R": _gen("1", "R"), "old2.R": _gen("2", "R"), "two.R": {"output": "json"}}
    changes = plan_changes("corp", named, profiles, {"elsewhere.R"}, "us-east-1", False, prune=False)
    assert {(u.name, u.new_name) for u in changes.updated} == {("old.R", "new.R"), ("old2.R", "old2.R")}
    assert any("kept the name 'old2.R'" in note for note in changes.notes)


def test_plan_names_taken_in_the_credentials_file_are_refused():
    changes = plan_changes("corp", {Assignment("1", "a", "R"): "a.R"}, {}, {"a.R"}, "us-east-1", False, False)
    assert changes.added == [] and "did not write 'a.R'" in changes.notes[0]


def test_plan_region_is_set_only_when_missing_unless_asked():
    named = {Assignment("1", "a", "R"): "a.R"}
    mine = {"a.R": _gen("1", "R", region="ap-south-1")}
    assert plan_changes("corp", named, mine, set(), "us-east-1", False, False).updated[0].values == {}
    assert plan_changes("corp", named, mine, set(), "eu-west-1", True, False).updated[0].values == {
        "region": "eu-west-1"}
    bare = {"a.R": {k: v for k, v in _gen("1", "R").items() if k != "region"}}
    assert plan_changes("corp", named, bare, set(), "us-east-1", False, False).updated[0].values == {
        "region": "us-east-1"}


def test_a_stale_profiles_name_goes_to_a_new_account_only_when_pruned():
    named = {Assignment("2", "a", "R"): "a.R"}
    profiles = {"a.R": _gen("1", "R")}  # account 1, once named "a", is gone; account 2 is now named "a"
    kept = plan_changes("corp", named, profiles, set(), "us-east-1", False, prune=False)
    assert kept.added == [] and kept.stale == ["a.R"] and "--prune" in kept.notes[0]
    pruned = plan_changes("corp", named, profiles, set(), "us-east-1", False, prune=True)
    assert pruned.removed == ["a.R"] and [name for name, _ in pruned.added] == ["a.R"]
    assert pruned.added[0][1]["sso_account_id"] == "2"


def test_refusals_say_whose_the_name_is():
    named = {Assignment("1", "a", "R"): "a.R", Assignment("2", "b", "R"): "b.R", Assignment("3", "c", "R"): "c.R"}
    profiles = {"a.R": {"output": "json"}, "b.R": _gen("2", "R", session="other")}
    notes = plan_changes("corp", named, profiles, {"c.R"}, "r", False, False).notes
    assert "a profile awsenv did not write" in notes[0]
    assert "generated for sso-session 'other'" in notes[1]
    assert "credentials file" in notes[2]


def test_the_diff_never_shows_a_secret_from_a_neighbouring_profile():
    from awsenv.populate.config_edit import unified_diff

    old = b"[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t/value\n"
    new = old + b"\n[profile g]\nk = v\n"
    diff = unified_diff("config", old, new)
    assert "s3cr3t" not in diff and "aws_secret_access_key = <hidden>\n" in diff
    assert "+[profile g]\n" in diff and "AKIAEXAMPLE" in diff


def test_values_that_would_break_the_file_are_left_out():
    named, problems = profile_names([Assignment("1", "a", "Admin\n[profile x]"), Assignment("2", "b", "R")])
    assert list(named.values()) == ["b.R"] and "cannot be written" in problems[0]


def test_rename_keeps_a_comment_after_the_header():
    out = _edit("[profile a] ; mine\r\nk = v", lambda ini, s: ini.rename(s["profile a"], "profile b"))
    assert out == "[profile b] ; mine\r\nk = v"


def test_previous_prefix_is_found_only_when_all_agree():
    from awsenv.populate.changes import previous_prefix

    pairs = [Assignment("1", "a", "R"), Assignment("2", "b", "R")]
    assert previous_prefix("corp", pairs, {"x-a.R": _gen("1", "R"), "x-b.R": _gen("2", "R")}) == "x-"
    assert previous_prefix("corp", pairs, {"x-a.R": _gen("1", "R"), "y-b.R": _gen("2", "R")}) == ""
    assert previous_prefix("corp", pairs, {"x-a.R": _gen("1", "R", session="other")}) == ""
    assert previous_prefix("corp", pairs, {}) == ""
