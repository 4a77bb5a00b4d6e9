"""`awsenv role` against the strict STS gate: chains, external_id, MFA sessions, durations, and the AWS CLI v2."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import datetime, timezone

import pyotp

import pytest

from tests.aws_data_path import aws_data_path
from tests.helpers import MFA_SERIAL, TOTP_SEED, aws_cli_v2, parse_posix_exports
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.in_process

PROD = "arn:aws:iam::111111111111:role/prod-admin"
STAGING = "arn:aws:iam::222222222222:role/staging-admin"
HOP1 = "arn:aws:iam::333333333333:role/hop-one"
HOP2 = "arn:aws:iam::444444444444:role/hop-two"
HOP3 = "arn:aws:iam::555555555555:role/hop-three"


def _mfa_roles(home, sts, with_process: bool = True) -> None:
    """prod and staging: two roles on the base keys that share one MFA device and require MFA."""
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[PROD] = RoleRule(external_id="prod-ext-7", require_mfa=True)
    sts.roles[STAGING] = RoleRule(require_mfa=True)
    home.write_base_keys()
    process = f"mfa_process = {home.mfa_process()}" if with_process else ""
    home.write_config(f"""\
        [profile base]
        region = us-east-1
        [profile prod]
        role_arn = {PROD}
        source_profile = base
        external_id = prod-ext-7
        mfa_serial = {MFA_SERIAL}
        {process}
        region = eu-central-1
        [profile staging]
        role_arn = {STAGING}
        source_profile = base
        mfa_serial = {MFA_SERIAL}
        {process}
        region = eu-west-2
        """)


def _chain(home, sts) -> None:
    """base keys -> one -> two -> three, no MFA; every hop after the first is role chaining."""
    home.write_base_keys()
    home.write_config(f"""\
        [profile base]
        region = us-east-1
        [profile one]
        role_arn = {HOP1}
        source_profile = base
        [profile two]
        role_arn = {HOP2}
        source_profile = one
        external_id = two-ext
        [profile three]
        role_arn = {HOP3}
        source_profile = two
        role_session_name = third-hop
        duration_seconds = 7200
        region = ap-southeast-2
        [profile three-default]
        role_arn = {HOP3}
        source_profile = two
        role_session_name = third-hop
        [profile keyed]
        role_arn = {HOP1}
        source_profile = keyed
        role_session_name = keyed-self
        [profile over-keyed]
        role_arn = {HOP3}
        source_profile = keyed
        role_session_name = over-keyed
        """)
    home.write_credentials("""\
        [base]
        aws_access_key_id = AKIAIOSFODNN7BASEKEY
        aws_secret_access_key = base/secret+key
        [keyed]
        aws_access_key_id = AKIAIOSFODNN7KEYEDKY
        aws_secret_access_key = keyed/secret+key
        """)
    sts.roles[HOP2] = RoleRule(external_id="two-ext")


def _exports(home, *args: str) -> dict[str, str]:
    done = home.run(*args, "--shell", "bash")
    assert done.returncode == 0, done.stderr
    return parse_posix_exports(done.stdout)


def _identity(home, sts, env: dict[str, str]) -> dict:
    """`aws sts get-caller-identity` of the Debian AWS CLI v2 with exported credentials."""
    clean = {k: v for k, v in home.env().items() if not k.startswith("AWS_ENDPOINT")}
    clean["AWS_DEFAULT_REGION"] = "us-east-1"
    clean.update(env)
    done = subprocess.run([aws_cli_v2(), "sts", "get-caller-identity", "--endpoint-url", sts.url, "--output", "json"],
                          env=clean, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _explain(home, *args: str) -> dict:
    done = home.run("explain", *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _planned(doc: dict) -> list[tuple[str, dict]]:
    return [(step["api"].split(":")[1], {**step["params"], **({"TokenCode": True} if step["mfa_code"] else {})})
            for step in doc["steps"] if step["will_call"]]


def _recorded(sts, since: int = 0) -> list[tuple[str, dict]]:
    out = []
    for call in sts.calls[since:]:
        if call.action == "GetCallerIdentity":
            continue
        params = dict(call.params)
        if "DurationSeconds" in params:
            params["DurationSeconds"] = int(params["DurationSeconds"])
        if "TokenCode" in params:
            params["TokenCode"] = True
        out.append((call.action, params))
    return out


@pytest.mark.process
def test_seed_case_one_code_mfa_session_then_role_with_external_id(home, sts):
    _mfa_roles(home, sts)
    planned = _explain(home, "prod")
    env = _exports(home, "role", "prod")
    assert sts.actions() == ["GetSessionToken", "AssumeRole"]
    gst, assume = sts.calls
    assert gst.caller == "AKIAIOSFODNN7BASEKEY" and gst.params["SerialNumber"] == MFA_SERIAL
    assert assume.caller == gst.issued  # the role is assumed with the MFA session, not the long-lived keys
    assert "TokenCode" not in assume.params and assume.params["ExternalId"] == "prod-ext-7"
    assert len(sts.codes_sent()) == 1 and home.mfa_runs() == 1
    assert _planned(planned) == _recorded(sts) and planned["mfa_present"] is True and planned["mfa_codes"] == 1
    assert env["AWS_REGION"] == "eu-central-1" and env["AWSENV_PROFILE"] == "prod"
    identity = _identity(home, sts, env)
    assert identity["Arn"] == "arn:aws:sts::111111111111:assumed-role/prod-admin/awsenv-prod"
    # The second time everything comes from the cache, and explain says so.
    again = _exports(home, "role", "prod")
    assert again["AWS_ACCESS_KEY_ID"] == env["AWS_ACCESS_KEY_ID"]
    assert sts.actions() == ["GetSessionToken", "AssumeRole"] and home.mfa_runs() == 1
    cached = _explain(home, "prod")
    assert cached["calls"] == [] and cached["mfa_codes"] == 0 and cached["steps"][-1]["cached_until"]


@pytest.mark.process
def test_two_roles_sharing_a_serial_need_one_code(home, sts):
    _mfa_roles(home, sts)
    first = _exports(home, "role", "prod")
    planned = _explain(home, "staging")
    assert planned["calls"] == ["sts:AssumeRole"] and planned["mfa_codes"] == 0
    mark = len(sts.calls)
    second = _exports(home, "export", "staging")
    assert _planned(planned) == _recorded(sts, mark)
    assert sts.actions() == ["GetSessionToken", "AssumeRole", "AssumeRole"]
    assert len(sts.codes_sent()) == 1 and home.mfa_runs() == 1
    assert sts.calls[1].caller == sts.calls[2].caller == sts.calls[0].issued
    assert _identity(home, sts, first)["Arn"].startswith("arn:aws:sts::111111111111:assumed-role/prod-admin/")
    assert _identity(home, sts, second)["Arn"].startswith("arn:aws:sts::222222222222:assumed-role/staging-admin/")


def test_two_hours_put_the_code_on_assume_role_and_say_why(home, sts):
    _mfa_roles(home, sts)
    planned = _explain(home, "prod", "--duration", "2h")
    done = home.run("role", "prod", "--duration", "2h", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    assert "longer than the 1h" in done.stderr
    assert sts.actions() == ["AssumeRole"]
    call = sts.calls[0]
    assert call.caller == "AKIAIOSFODNN7BASEKEY"
    assert call.params["DurationSeconds"] == "7200" and call.params["SerialNumber"] == MFA_SERIAL
    assert _planned(planned) == _recorded(sts)
    expiration = datetime.fromisoformat(parse_posix_exports(done.stdout)["AWS_CREDENTIAL_EXPIRATION"]
                                        .replace("Z", "+00:00"))
    left = (expiration - datetime.now(timezone.utc)).total_seconds()
    assert 7200 - 120 < left <= 7200 + 5


@pytest.mark.process
def test_three_hop_chain_ends_as_the_last_role_with_chained_hops_capped(home, sts):
    _chain(home, sts)
    planned = _explain(home, "three")
    assert [n for n in planned["notes"] if "three" in n and "1h" in n]
    done = home.run("role", "three", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    assert "caps the session at 1h" in done.stderr
    assert [(c.action, c.params.get("RoleArn")) for c in sts.calls] == [
        ("AssumeRole", HOP1), ("AssumeRole", HOP2), ("AssumeRole", HOP3)]
    assert [c.caller for c in sts.calls] == ["AKIAIOSFODNN7BASEKEY", sts.calls[0].issued, sts.calls[1].issued]
    assert sts.calls[2].params["DurationSeconds"] == "3600"  # the gate refuses more for a chained call
    assert _planned(planned) == _recorded(sts)
    env = parse_posix_exports(done.stdout)
    assert env["AWS_REGION"] == "ap-southeast-2"
    assert _identity(home, sts, env)["Arn"] == "arn:aws:sts::555555555555:assumed-role/hop-three/third-hop"


def test_loops_and_missing_sources_exit_2_before_any_call(home, sts):
    home.write_base_keys()
    home.write_config(f"""\
        [profile a]
        role_arn = {HOP1}
        source_profile = b
        [profile b]
        role_arn = {HOP2}
        source_profile = a
        [profile self]
        role_arn = {HOP1}
        source_profile = self
        [profile orphan]
        role_arn = {HOP1}
        source_profile = one
        [profile one]
        role_arn = {HOP2}
        source_profile = nowhere
        """)
    for profile, shown in (("a", "a -> b -> a"), ("self", "self -> self"), ("orphan", "orphan -> one -> nowhere")):
        for command in (("role", profile), ("export", profile), ("explain", profile)):
            done = home.run(*command)
            assert done.returncode == 2, (command, done.stderr)
            assert done.stdout == ""
            assert shown in done.stderr, done.stderr
    assert sts.calls == []


@pytest.mark.process
def test_chain_resolution_matches_the_aws_cli_v2(home, sts, tmp_path):
    """Differential: the AWS CLI v2 resolves the same profiles (its own AssumeRole calls go through the gate)."""
    aws = aws_cli_v2()
    _chain(home, sts)
    data = aws_data_path(tmp_path / "aws-data", {"sts": sts.url})
    for profile in ("three-default", "keyed", "over-keyed"):
        start = len(sts.calls)
        ours = _identity(home, sts, _exports(home, "role", profile, "--no-cache"))["Arn"]
        our_roles = [c.params["RoleArn"] for c in sts.calls[start:] if c.action == "AssumeRole"]
        start = len(sts.calls)
        done = subprocess.run([aws, "sts", "get-caller-identity", "--profile", profile, "--endpoint-url", sts.url,
                               "--output", "json"], env=home.env(AWS_DATA_PATH=data, AWS_DEFAULT_REGION="us-east-1"), capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        theirs = json.loads(done.stdout)["Arn"]
        their_roles = [c.params["RoleArn"] for c in sts.calls[start:] if c.action == "AssumeRole"]
        assert their_roles, "the AWS CLI did not go through the gate"
        assert (profile, ours) == (profile, theirs)
        assert our_roles == their_roles
    # With duration_seconds = 7200 on a chained hop the AWS CLI sends 7200 and STS refuses; awsenv caps it.
    done = subprocess.run([aws, "sts", "get-caller-identity", "--profile", "three", "--endpoint-url", sts.url],
                          env=home.env(AWS_DATA_PATH=data, AWS_DEFAULT_REGION="us-east-1"), capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "role chaining" in done.stderr
    assert home.run("role", "three", "--no-cache").returncode == 0


def test_a_used_code_is_never_sent_again(home, sts):
    _mfa_roles(home, sts, with_process=False)
    code = pyotp.TOTP(TOTP_SEED).now()
    first = home.run("role", "prod", "--duration", "2h", "--mfa-code", code, "--no-cache")
    assert first.returncode == 0, first.stderr
    again = home.run("role", "staging", "--duration", "2h", "--mfa-code", code, "--no-cache")
    # awsenv remembers the code across processes: it does not send it, and with no terminal to ask for another
    assert again.returncode == 1 and again.stdout == ""
    assert sts.codes_sent() == [code]
    assert "already used" in again.stderr


def test_code_refused_by_sts_as_used_is_reported_plainly(home, sts, tmp_path):
    _mfa_roles(home, sts)
    code = pyotp.TOTP(TOTP_SEED).now()
    sts.used_codes.add((MFA_SERIAL, code))  # another tool has just used it
    done = home.run("role", "prod", "--duration", "2h", "--mfa-code", code)
    assert done.returncode == 1 and done.stdout == ""
    assert "'prod'" in done.stderr and "AccessDenied" in done.stderr
    assert "wait for the next code" in done.stderr
    assert code not in done.stderr
    _said_rejected_not_used(done.stderr)


def _said_rejected_not_used(stderr: str) -> None:
    """STS answers a wrong, an expired and a used code alike: awsenv may not claim one of them."""
    reasons = "it was wrong, expired or already used (AWS does not say which)"
    assert f"AWS rejected the MFA code: {reasons}" in stderr
    assert stderr.count("already used") == stderr.count(reasons)


def test_a_wrong_code_is_called_rejected_not_used(home, sts):
    _mfa_roles(home, sts)
    totp = pyotp.TOTP(TOTP_SEED)
    wrong = next(c for c in (str(d) * 6 for d in range(10)) if not totp.verify(c, valid_window=1))
    done = home.run("role", "prod", "--duration", "2h", "--mfa-code", wrong)
    assert done.returncode == 1 and done.stdout == "" and wrong not in done.stderr
    _said_rejected_not_used(done.stderr)
    assert sts.codes_sent() == [wrong] and [c.status for c in sts.calls] == [403]


def test_wrong_serial_says_check_mfa_serial(home, sts):
    _mfa_roles(home, sts)
    sts.seeds.clear()  # the gate knows no such device
    done = home.run("role", "prod", "--duration", "2h", "--mfa-code", "123456")
    assert done.returncode == 1 and done.stdout == ""
    assert "unable to validate" in done.stderr and "mfa_serial" in done.stderr


def test_missing_external_id_and_missing_mfa_are_access_denied_with_hints(home, sts):
    _chain(home, sts)
    sts.roles[HOP1] = RoleRule(external_id="needed")
    done = home.run("role", "one")
    assert done.returncode == 1 and done.stdout == ""
    assert "'one'" in done.stderr and "AccessDenied" in done.stderr and "external_id" in done.stderr
    sts.roles[HOP1] = RoleRule(require_mfa=True)
    done = home.run("role", "one")
    assert done.returncode == 1 and "mfa_serial" in done.stderr


@pytest.mark.process
def test_revoked_cached_mfa_session_is_dropped_and_opened_again_once(home, sts):
    _mfa_roles(home, sts, with_process=False)
    totp = pyotp.TOTP(TOTP_SEED)
    assert home.run("role", "prod", "--mfa-code", totp.now()).returncode == 0
    sts.expired.add(sts.calls[0].issued)  # AWS no longer accepts the cached MFA session
    following = totp.at(datetime.now(timezone.utc).timestamp() + 30)
    done = home.run("role", "staging", "--mfa-code", following, "--shell", "bash")
    assert done.returncode == 0, done.stderr
    assert "ExpiredToken" in done.stderr and "obtained again" in done.stderr
    assert sts.actions() == ["GetSessionToken", "AssumeRole", "AssumeRole", "GetSessionToken", "AssumeRole"]
    assert sts.calls[4].caller == sts.calls[3].issued
    assert _identity(home, sts, parse_posix_exports(done.stdout))["Arn"].startswith(
        "arn:aws:sts::222222222222:assumed-role/staging-admin/")


def test_refused_keys_are_reported_with_what_to_check(home, sts):
    _chain(home, sts)
    sts.invalid.add("AKIAIOSFODNN7BASEKEY")
    done = home.run("role", "one")
    assert done.returncode == 1 and done.stdout == ""
    assert "InvalidClientTokenId" in done.stderr and "aws_access_key_id" in done.stderr
    assert len(sts.calls) == 1  # no retry: the keys are not from the cache


def test_user_flow_reuses_the_mfa_session_a_role_opened(home, sts):
    _mfa_roles(home, sts)
    home.config.write_text(home.config.read_text().replace(
        "[profile base]\n", f"[profile base]\nmfa_serial = {MFA_SERIAL}\n", 1))
    _exports(home, "role", "prod")
    user = _exports(home, "user", "base")
    assert sts.actions() == ["GetSessionToken", "AssumeRole"] and home.mfa_runs() == 1
    assert user["AWS_ACCESS_KEY_ID"] == sts.calls[0].issued


def test_the_mfa_session_is_explained_once_not_before_every_code(home, sts):
    _mfa_roles(home, sts, with_process=False)
    totp = pyotp.TOTP(TOTP_SEED)
    explained = "prod: one MFA code opens a 12h MFA session"

    def role(*extra: str, step: int):  # each run a later code: STS takes one step either side, each code once
        return home.run(*extra, "role", "prod", "--shell", "sh", "--mfa-code", totp.at(time.time() + 30 * step))

    first = role(step=0)
    assert first.returncode == 0 and explained in first.stderr
    assert home.run("cache", "clear").returncode == 0
    again = role(step=1)  # a new MFA session, a new code: the explanation is not repeated (--debug traces it)
    assert again.returncode == 0 and "MFA session" not in again.stderr
    assert len(sts.codes_sent()) == 2
    assert explained in home.run("explain", "prod").stdout
