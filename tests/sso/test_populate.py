"""`awsenv populate SESSION` as a subprocess against the SSO stand-in: names, ownership, idempotence, the file's bytes."""

from __future__ import annotations

import configparser
import json
import os
import shlex
import subprocess
import textwrap

import pytest

from tests.helpers import aws_cli_v2, need_binary, run_parallel
from tests.servers.sso_server import organisation
from tests.sso_fixtures import SSO_CONFIG, mode

pytestmark = pytest.mark.in_process

SESSION_ONLY = """\
# my AWS config
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
"""
# What the stand-in's organisation becomes; 111111111111/Admin is left out: the hand-written [profile dev] has it.
NAMES = {
    "dev.ReadOnly": ("111111111111", "ReadOnly"),
    "Production-Account.AdministratorAccess": ("222222222222", "AdministratorAccess"),
    "Production-Account.ReadOnly": ("222222222222", "ReadOnly"),
    "Zurich-Ops.Ops": ("333333333333", "Ops"),
    "Sandbox-444444444444.Admin": ("444444444444", "Admin"),
    "sandbox-555555555555.Admin": ("555555555555", "Admin"),
    "666666666666.Admin": ("666666666666", "Admin"),
    "R-D-eu-team.Developer": ("777777777777", "Developer"),
}


@pytest.fixture
def org(sso_home, sso):
    """The organisation, served one item a page, and a valid sign-in."""
    sso.assignments = organisation()
    sso.page_size = 1
    sso_home.write_token()
    return sso_home


def _profiles(path) -> dict[str, dict[str, str]]:
    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    return {section.split(" ", 1)[1]: dict(parser[section]) for section in parser.sections()
            if section.startswith("profile ")}


def _generated(path, session: str = "corp") -> dict[str, dict[str, str]]:
    return {name: values for name, values in _profiles(path).items() if values.get("awsenv_generated") == session}


def _generated_of(data: bytes, path) -> dict[str, dict[str, str]]:
    copy = path.with_name("config.before")
    copy.write_bytes(data)
    return _generated(copy)


def test_names_keys_and_pagination(org, sso):
    done = org.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    generated = _generated(org.home.config)
    assert set(generated) == set(NAMES)
    for name, (account, role) in NAMES.items():
        assert generated[name] == {"sso_session": "corp", "sso_account_id": account, "sso_role_name": role,
                                   "region": "us-east-1", "awsenv_generated": "corp"}
        assert shlex.quote(name) == name  # safe unquoted in a shell
    assert _profiles(org.home.config)["dev"]["region"] == "eu-west-1"  # the hand-written profile is untouched
    assert sso.count("ListAccounts") == 7  # 7 accounts, one a page
    assert sso.count("ListAccountRoles") == 9  # two of them have two roles
    assert "skipped 111111111111/Admin" in done.stderr and "'dev'" in done.stderr
    assert "8 added" in done.stderr


def test_second_run_leaves_the_file_byte_identical(org):
    assert org.run("populate", "corp").returncode == 0
    before = org.home.config.read_bytes()
    inode = os.stat(org.home.config).st_ino
    done = org.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    assert org.home.config.read_bytes() == before
    assert os.stat(org.home.config).st_ino == inode  # not even rewritten with the same bytes
    assert "up to date" in done.stderr


def test_every_other_byte_is_kept_and_a_hand_written_name_is_refused(org):
    original = ("# team config: do not reorder\n" + SESSION_ONLY.replace("# my AWS config\n", "") +
                "\n; hand-written, with its own comment\n[profile Zurich-Ops.Ops]\nregion = eu-central-2\n"
                "output = table\n\n[default]\nregion = eu-west-1\n# last line, no final newline")
    org.home.config.write_text(original)
    done = org.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    text = org.home.config.read_text()
    assert text.startswith(original + "\n")  # what was there is there, byte for byte; the new profiles follow
    assert "did not write 'Zurich-Ops.Ops'" in done.stderr and "--prefix" in done.stderr
    profiles = _profiles(org.home.config)
    assert profiles["Zurich-Ops.Ops"] == {"region": "eu-central-2", "output": "table"}
    assert set(_generated(org.home.config)) == set(NAMES) - {"Zurich-Ops.Ops"} | {"dev.Admin"}
    second = org.run("populate", "corp")
    assert org.home.config.read_text() == text and "did not write 'Zurich-Ops.Ops'" in second.stderr


def test_crlf_file_gets_crlf_lines(org):
    org.home.config.write_bytes(SESSION_ONLY.replace("\n", "\r\n").encode())
    assert org.run("populate", "corp").returncode == 0
    data = org.home.config.read_bytes()
    assert data.startswith(SESSION_ONLY.replace("\n", "\r\n").encode())
    assert b"\n" not in data.replace(b"\r\n", b"") and data.count(b"[profile ") == 9
    assert org.run("populate", "corp").returncode == 0
    assert org.home.config.read_bytes() == data


def test_a_symlinked_config_stays_a_symlink_and_keeps_its_mode(org):
    dotfiles = org.root / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "aws-config"
    target.write_text(SESSION_ONLY)
    target.chmod(0o644)
    org.home.config.unlink()
    org.home.config.symlink_to(target)
    done = org.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    assert org.home.config.is_symlink() and os.readlink(org.home.config) == str(target)
    assert set(_generated(target)) == set(NAMES) | {"dev.Admin"}
    assert mode(target) == 0o644
    assert [p.name for p in dotfiles.iterdir()] == ["aws-config"]  # no temporary file left behind


def test_dry_run_prints_a_diff_and_writes_nothing(org, tmp_path):
    before = org.home.config.read_bytes()
    done = org.run("populate", "corp", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert org.home.config.read_bytes() == before
    lines = done.stdout.splitlines()
    assert lines[0] == f"--- {org.home.config}" and lines[1] == f"+++ {org.home.config}"
    assert "+[profile R-D-eu-team.Developer]" in lines and "+awsenv_generated = corp" in lines
    assert "dry run, nothing written" in done.stderr
    # The diff is exactly the change a real run makes.
    copy = tmp_path / "config-copy"
    copy.write_bytes(before)
    need_binary("patch")
    patched = subprocess.run(["patch", "-s", str(copy)], input=done.stdout, text=True, capture_output=True)
    assert patched.returncode == 0, patched.stderr
    assert org.run("populate", "corp").returncode == 0
    assert copy.read_bytes() == org.home.config.read_bytes()
    again = org.run("populate", "corp", "--dry-run")
    assert again.returncode == 0 and again.stdout == ""


def test_stale_profiles_are_reported_and_pruned_only_when_asked(org, sso):
    # A hand-written profile of the session whose assignment is gone is never stale: awsenv did not write it.
    mine = "\n[profile mine]\nsso_session = corp\nsso_account_id = 999999999999\nsso_role_name = Gone\n"
    org.write_config(textwrap.dedent(SSO_CONFIG) + mine)
    hand_written = org.home.config.read_text()
    assert org.run("populate", "corp").returncode == 0
    with_all = org.home.config.read_bytes()
    del sso.assignments["777777777777"]
    sso.assignments["222222222222"] = ("Production Account", ["ReadOnly"])
    done = org.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    assert org.home.config.read_bytes() == with_all
    assert "2 generated profile(s)" in done.stderr and "--prune" in done.stderr
    assert "R-D-eu-team.Developer (777777777777/Developer)" in done.stderr
    assert "Production-Account.AdministratorAccess (222222222222/AdministratorAccess)" in done.stderr

    pruned = org.run("populate", "corp", "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert "removed 2 generated profile(s)" in pruned.stderr
    assert set(_generated(org.home.config)) == set(NAMES) - {"R-D-eu-team.Developer",
                                                              "Production-Account.AdministratorAccess"}
    assert org.home.config.read_text().startswith(hand_written) and "mine" not in pruned.stderr
    # Exactly the file a first run against the smaller organisation writes.
    result = org.home.config.read_bytes()
    org.write_config(textwrap.dedent(SSO_CONFIG) + mine)
    assert org.run("populate", "corp").returncode == 0
    assert org.home.config.read_bytes() == result


@pytest.mark.process
def test_user_edits_to_generated_profiles_survive_and_aws_cli_edits_keep_the_mark(org, sso):
    aws = aws_cli_v2()
    assert org.run("populate", "corp").returncode == 0
    text = org.home.config.read_text()
    text = text.replace("[profile Zurich-Ops.Ops]\n", "[profile Zurich-Ops.Ops]\n# on call only\noutput = json\n")
    org.home.config.write_text(text)
    env = org.env()
    edited = subprocess.run([aws, "configure", "set", "region", "ap-southeast-2", "--profile", "Zurich-Ops.Ops"],
                            env=env, capture_output=True, text=True)
    assert edited.returncode == 0, edited.stderr
    edited_bytes = org.home.config.read_bytes()
    done = org.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    assert org.home.config.read_bytes() == edited_bytes  # the region set by hand stays; nothing else to do
    profile = _profiles(org.home.config)["Zurich-Ops.Ops"]
    assert profile["region"] == "ap-southeast-2" and profile["output"] == "json"
    assert profile["awsenv_generated"] == "corp"
    # --region is the one way to set every generated profile's region again
    assert org.run("populate", "corp", "--region", "eu-west-3").returncode == 0
    assert {v["region"] for v in _generated(org.home.config).values()} == {"eu-west-3"}
    assert "# on call only\noutput = json\n" in org.home.config.read_text()


def test_a_renamed_account_renames_its_profile_and_keeps_the_users_keys(org, sso):
    assert org.run("populate", "corp").returncode == 0
    text = org.home.config.read_text().replace("[profile Zurich-Ops.Ops]\n", "[profile Zurich-Ops.Ops]\noutput = json\n")
    org.home.config.write_text(text)
    sso.assignments["333333333333"] = ("Zurich Operations", ["Ops"])
    done = org.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    assert "1 renamed" in done.stderr
    profiles = _profiles(org.home.config)
    assert "Zurich-Ops.Ops" not in profiles and profiles["Zurich-Operations.Ops"]["output"] == "json"
    assert org.home.config.read_text() == text.replace("[profile Zurich-Ops.Ops]", "[profile Zurich-Operations.Ops]")


def test_an_account_going_away_never_renames_another_accounts_profile(org, sso):
    # Two accounts named Sandbox got their ids; when one goes away the other keeps its name (scripts use it).
    assert org.run("populate", "corp").returncode == 0
    written = org.home.config.read_bytes()
    del sso.assignments["555555555555"]
    for args in (("--dry-run",), (), ("--prune",)):
        done = org.run("populate", "corp", *args)
        assert done.returncode == 0, done.stderr
        assert "0 renamed" in done.stderr or "up to date" in done.stderr
        assert "Sandbox.Admin" not in done.stdout + done.stderr
    generated = _generated(org.home.config)
    assert generated["Sandbox-444444444444.Admin"]["sso_account_id"] == "444444444444"
    assert set(generated) == set(NAMES) - {"sandbox-555555555555.Admin"}
    # It comes back: a new profile with its id, and the first one still keeps its name.
    sso.assignments["555555555555"] = ("sandbox", ["Admin"])
    assert org.run("populate", "corp").returncode == 0
    assert _generated(org.home.config) == _generated_of(written, org.home.config)


def test_an_account_appearing_never_renames_the_profile_of_its_namesake(org, sso):
    del sso.assignments["555555555555"]
    assert org.run("populate", "corp").returncode == 0
    assert "Sandbox.Admin" in _generated(org.home.config)
    sso.assignments["555555555555"] = ("sandbox", ["Admin"])
    done = org.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stderr and "0 renamed" in done.stderr
    generated = _generated(org.home.config)
    assert generated["Sandbox.Admin"]["sso_account_id"] == "444444444444"
    assert generated["sandbox-555555555555.Admin"]["sso_account_id"] == "555555555555"


def test_the_dry_run_says_which_profile_an_account_rename_renames(org, sso):
    assert org.run("populate", "corp").returncode == 0
    before = org.home.config.read_bytes()
    sso.assignments["444444444444"] = ("Playground", ["Admin"])
    dry = org.run("populate", "corp", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert org.home.config.read_bytes() == before
    assert ("renamed 'Sandbox-444444444444.Admin' to 'Playground.Admin': IAM Identity Center now names account "
            "444444444444 'Playground'") in dry.stderr
    assert "1 renamed" in dry.stderr and "dry run" in dry.stderr
    assert "-[profile Sandbox-444444444444.Admin]" in dry.stdout and "+[profile Playground.Admin]" in dry.stdout
    done = org.run("populate", "corp")
    assert done.returncode == 0 and "1 renamed" in done.stderr
    generated = _generated(org.home.config)
    assert generated["Playground.Admin"]["sso_account_id"] == "444444444444"
    assert "sandbox-555555555555.Admin" in generated  # the other Sandbox keeps its name


def test_prefix_and_region(org):
    done = org.run("populate", "corp", "--prefix", "corp-", "--region", "eu-north-1")
    assert done.returncode == 0, done.stderr
    generated = _generated(org.home.config)
    assert set(generated) == {"corp-" + name for name in NAMES}
    assert {v["region"] for v in generated.values()} == {"eu-north-1"}
    again = org.run("populate", "corp")  # the prefix is remembered: nothing renamed
    assert again.returncode == 0 and "up to date" in again.stderr and "'corp-'" in again.stderr
    dropped = org.run("populate", "corp", "--prefix", "")
    assert dropped.returncode == 0 and f"{len(NAMES)} renamed" in dropped.stderr
    assert set(_generated(org.home.config)) == set(NAMES)
    bad = org.run("populate", "corp", "--prefix", "a b;")
    assert bad.returncode == 2 and bad.stdout == "" and "--prefix" in bad.stderr


def test_each_generated_profile_exports_straight_away(org, sso):
    assert org.run("populate", "corp").returncode == 0
    for name, (account, role) in NAMES.items():
        sso.calls.clear()
        done = org.run("export", name, "--format", "json")
        assert done.returncode == 0, (name, done.stderr)
        variables = json.loads(done.stdout)
        assert variables["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
        assert variables["AWS_REGION"] == "us-east-1"
        assert [(c.api, c.params.get("account_id"), c.params.get("role_name")) for c in sso.calls] == [
            ("GetRoleCredentials", account, role)]


@pytest.mark.process
def test_the_aws_cli_reads_the_generated_file(org):
    aws = aws_cli_v2()
    assert org.run("populate", "corp").returncode == 0
    env = org.env()
    listed = subprocess.run([aws, "configure", "list-profiles"], env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert set(NAMES) | {"dev", "legacy"} == set(listed.stdout.split())
    got = subprocess.run([aws, "configure", "get", "sso_account_id", "--profile", "R-D-eu-team.Developer"],
                         env=env, capture_output=True, text=True)
    assert got.stdout.strip() == "777777777777"


def test_signs_in_when_needed(sso_home, sso):
    sso.assignments = organisation()
    sso_home.write_config(SESSION_ONLY)
    done = sso_home.run("populate", "corp", browser=True)
    assert done.returncode == 0, done.stderr
    assert sso.count("Authorize") == 1 and len(sso_home.browser_opens()) == 1  # the one-click sign-in
    assert set(_generated(sso_home.home.config)) == set(NAMES) | {"dev.Admin"}


def test_a_sign_in_the_portal_refuses_is_replaced_once(sso_home, sso):
    sso.assignments = organisation()
    sso_home.write_token(access="at-revoked-on-the-server")
    done = sso_home.run("populate", "corp", browser=True)
    assert done.returncode == 0, done.stderr
    assert "signing in again" in done.stderr
    assert sso.count("Authorize") == 1 and sso.count("ListAccounts") == 2
    assert sso_home.token()["accessToken"] != "at-revoked-on-the-server"
    assert len(_generated(sso_home.home.config)) == len(NAMES)


def test_without_a_way_to_sign_in_it_names_the_session_and_what_to_do(sso_home, sso):
    sso_home.write_config(SESSION_ONLY)
    before = sso_home.home.config.read_bytes()
    done = sso_home.run("populate", "corp")
    assert done.returncode == 1 and done.stdout == ""
    assert "sso-session 'corp'" in done.stderr and "None" not in done.stderr
    assert "awsenv populate corp" in done.stderr
    assert sso_home.home.config.read_bytes() == before


def test_unknown_session_is_a_usage_error(org):
    done = org.run("populate", "nope")
    assert done.returncode == 2 and done.stdout == ""
    assert "[sso-session nope]" in done.stderr and "corp" in done.stderr


def test_list_groups_generated_profiles_by_session_and_completion_offers_them(org):
    assert org.run("populate", "corp").returncode == 0
    rows = {row["profile"]: row for row in json.loads(org.run("list", "--json").stdout)}
    assert {name for name, row in rows.items() if row["generated_from"] == "corp"} == set(NAMES)
    assert rows["dev"]["generated_from"] is None and rows["Zurich-Ops.Ops"]["source"] == "sso-session corp"
    lines = org.run("list").stdout.splitlines()
    heading = lines.index("generated by `awsenv populate corp` (8 profiles):")
    assert [line.split()[0] for line in lines[1:heading] if line] == ["dev", "legacy"]
    assert sorted(line.split()[0] for line in lines[heading + 1:]) == sorted(NAMES)

    def complete(words: str) -> list[str]:
        env = org.env(_AWSENV_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(words.split(" ")) - 1))
        done = org.home.run(env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("awsenv export Zur") == ["Zurich-Ops.Ops"]
    assert sorted(complete("awsenv sso Production-")) == ["Production-Account.AdministratorAccess",
                                                          "Production-Account.ReadOnly"]
    assert complete("awsenv populate co") == ["corp"]


@pytest.mark.process
def test_parallel_runs_write_each_profile_once(org):
    results = run_parallel(org.env(), 3, "populate", "corp", cwd=str(org.root))
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    assert sum("8 added" in r.stderr for r in results) == 1
    assert sum("up to date" in r.stderr for r in results) == 2
    assert set(_generated(org.home.config)) == set(NAMES)
    assert org.home.config.read_text().count("[profile ") == 2 + len(NAMES)
