"""Choosing the account and role when the profile leaves them out, and role chains rooted in SSO."""

from __future__ import annotations

import pexpect

import pytest

from tests.helpers import AWSENV, parse_posix_exports

pytestmark = pytest.mark.in_process

NO_ROLE = """\
    [profile pick]
    sso_session = corp
    region = us-east-1

    [profile pickrole]
    sso_session = corp
    sso_account_id = 333333333333

    [sso-session corp]
    sso_start_url = https://example.awsapps.com/start
    sso_region = us-east-1
    """

CHAIN = """\
    [profile dev]
    sso_session = corp
    sso_account_id = 111111111111
    sso_role_name = Admin

    [profile deploy]
    source_profile = dev
    role_arn = arn:aws:iam::123456789012:role/deploy
    duration_seconds = 7200
    region = eu-central-1

    [sso-session corp]
    sso_start_url = https://example.awsapps.com/start
    sso_region = us-east-1
    """


def _many_accounts(sso) -> None:
    sso.page_size = 2
    sso.assignments = {"111111111111": ("dev", ["Admin"]), "222222222222": ("staging", ["Admin"]),
                       "333333333333": ("prod", ["Admin", "Billing", "ReadOnly"])}


def test_missing_account_without_a_terminal_exits_2_listing_every_page(sso_home, sso):
    _many_accounts(sso)
    sso_home.write_config(NO_ROLE)
    sso_home.write_token()
    done = sso_home.run("sso", "pick")
    assert done.returncode == 2
    assert done.stdout == ""
    for account, (name, _) in sso.assignments.items():
        assert account in done.stderr and name in done.stderr
    assert "sso_account_id" in done.stderr and "'pick'" in done.stderr
    assert sso.count("ListAccounts") == 2  # two pages
    assert sso.count("GetRoleCredentials") == 0


def test_missing_role_without_a_terminal_lists_the_roles_of_the_account(sso_home, sso):
    _many_accounts(sso)
    sso_home.write_config(NO_ROLE)
    sso_home.write_token()
    done = sso_home.run("sso", "pickrole")
    assert done.returncode == 2 and done.stdout == ""
    assert "Admin" in done.stderr and "Billing" in done.stderr and "ReadOnly" in done.stderr
    assert "sso_role_name" in done.stderr
    assert [c.params["account_id"] for c in sso.calls if c.api == "ListAccountRoles"] == ["333333333333"] * 2


@pytest.mark.process
def test_account_and_role_are_picked_on_the_terminal(sso_home, sso):
    _many_accounts(sso)
    sso_home.write_config(NO_ROLE)
    sso_home.write_token()
    out = sso_home.root / "out.sh"
    child = pexpect.spawn("/bin/sh", ["-c", f'"{AWSENV}" sso pick --shell sh --no-cache > "{out}"'],
                          env=sso_home.env(), encoding="utf-8", timeout=30, dimensions=(50, 200))
    child.expect("Choose the account")
    assert "staging" in child.before
    child.sendline("3")
    child.expect("Choose the role in account 333333333333")
    child.sendline("Billing")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    env = parse_posix_exports(out.read_text())
    assert env["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    [call] = [c for c in sso.calls if c.api == "GetRoleCredentials"]
    assert (call.params["account_id"], call.params["role_name"]) == ("333333333333", "Billing")


@pytest.mark.process
def test_a_picked_role_is_not_remembered_for_the_next_run(sso_home, sso):
    _many_accounts(sso)
    sso_home.write_config(NO_ROLE)
    sso_home.write_token()
    for role in ("Billing", "ReadOnly"):
        child = pexpect.spawn("/bin/sh", ["-c", f'"{AWSENV}" sso pickrole --format json > /dev/null'],
                              env=sso_home.env(), encoding="utf-8", timeout=30)
        child.expect("Choose the role")
        child.sendline(role)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
    picked = [c.params["role_name"] for c in sso.calls if c.api == "GetRoleCredentials"]
    assert picked == ["Billing", "ReadOnly"]


def test_chain_from_sso_assumes_the_role_with_the_sso_credentials_capped_at_1h(sso_home, sso, sts):
    sso_home.write_config(CHAIN)
    sso_home.write_token()
    done = sso_home.run("role", "deploy", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    env = parse_posix_exports(done.stdout)
    [assume] = [c for c in sts.calls if c.action == "AssumeRole"]
    assert assume.caller == sso.issued_keys[-1]  # signed with the SSO role credentials
    assert assume.params["RoleArn"] == "arn:aws:iam::123456789012:role/deploy"
    assert int(assume.params["DurationSeconds"]) <= 3600  # the gate refuses more for a chained session
    assert env["AWS_ACCESS_KEY_ID"] == assume.issued  # the shell ends up as the role, not as the SSO session
    assert env["AWS_REGION"] == "eu-central-1"
    assert "1h" in done.stderr
