"""Profiles → plan: one test per rule of the role flow (chain walk, MFA strategy, durations, names)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from awsenv.config import profiles as config
from awsenv.errors import ConfigError, UsageError
from awsenv.model import AssumeRole, SsoRoleCredentials, StaticKeys
from awsenv.plan.checks import default_session_name
from awsenv.plan.rules import MFA_SESSION_SECONDS, resolve_plan

SERIAL = "arn:aws:iam::123456789012:mfa/alice"
OTHER_SERIAL = "arn:aws:iam::123456789012:mfa/bob"
KEYS = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n"


def _config(tmp_path, config_text: str, credentials_text: str = f"[base]\n{KEYS}"):
    (tmp_path / "config").write_text(config_text)
    (tmp_path / "credentials").write_text(credentials_text)
    return config.load({"AWS_CONFIG_FILE": str(tmp_path / "config"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")})


def _role(name: str, source: str = "base", account: str = "111111111111", **keys: str) -> str:
    lines = [f"[profile {name}]", f"role_arn = arn:aws:iam::{account}:role/{name}", f"source_profile = {source}"]
    lines += [f"{k} = {v}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def _kinds(plan) -> list[str]:
    return [type(step).__name__ for step in plan.steps]


def test_role_without_mfa_is_one_assume_role_on_the_keys(tmp_path):
    plan = resolve_plan(_config(tmp_path, _role("prod", external_id="ext-1", region="eu-west-1")), "prod")
    assert _kinds(plan) == ["StaticKeys", "AssumeRole"]
    step = plan.steps[1]
    assert (step.role_arn, step.external_id, step.duration, step.chained, step.mfa_serial) == (
        "arn:aws:iam::111111111111:role/prod", "ext-1", 3600, False, None)
    assert plan.region == "eu-west-1" and plan.flow == "role" and plan.chain == ("base", "prod")
    assert plan.mfa_present is False


def test_mfa_role_opens_an_mfa_session_and_assumes_without_the_code(tmp_path):
    plan = resolve_plan(_config(tmp_path, _role("prod", mfa_serial=SERIAL)), "prod")
    assert _kinds(plan) == ["StaticKeys", "GetSessionToken", "AssumeRole"]
    session, assume = plan.steps[1:]
    assert (session.profile, session.mfa_serial, session.duration) == ("base", SERIAL, MFA_SESSION_SECONDS)
    assert assume.mfa_serial is None and assume.chained and assume.duration == 3600
    assert plan.mfa_present is True
    assert any("MultiFactorAuthPresent" in note for note in plan.notes)


def test_two_roles_with_one_serial_plan_the_same_mfa_session(tmp_path):
    loaded = _config(tmp_path, _role("prod", mfa_serial=SERIAL, region="us-east-1")
                     + _role("staging", account="222222222222", mfa_serial=SERIAL, region="eu-west-2"))
    assert resolve_plan(loaded, "prod").steps[1] == resolve_plan(loaded, "staging").steps[1]


@pytest.mark.parametrize("duration, via_session", [("1h", True), ("3600", True), ("15m", True),
                                                   ("3601", False), ("2h", False), ("12h", False)])
def test_over_one_hour_puts_the_code_on_assume_role(tmp_path, duration, via_session):
    plan = resolve_plan(_config(tmp_path, _role("prod", mfa_serial=SERIAL)), "prod", duration=duration)
    if via_session:
        assert _kinds(plan) == ["StaticKeys", "GetSessionToken", "AssumeRole"]
    else:
        assert _kinds(plan) == ["StaticKeys", "AssumeRole"]
        step = plan.steps[1]
        assert step.mfa_serial == SERIAL and not step.chained and step.duration > 3600
        assert any("longer than the 1h" in note for note in plan.notes)
    assert plan.mfa_present is True


def test_duration_seconds_in_the_profile_counts_like_the_option(tmp_path):
    plan = resolve_plan(_config(tmp_path, _role("prod", mfa_serial=SERIAL, duration_seconds="7200")), "prod")
    assert _kinds(plan) == ["StaticKeys", "AssumeRole"] and plan.steps[1].duration == 7200
    # the option wins over the profile
    plan = resolve_plan(_config(tmp_path, _role("prod", mfa_serial=SERIAL, duration_seconds="7200")), "prod",
                        duration="1h")
    assert _kinds(plan) == ["StaticKeys", "GetSessionToken", "AssumeRole"]


@pytest.mark.parametrize("duration", ["899", "43201", "0"])
def test_assume_role_duration_out_of_range_is_a_usage_error(tmp_path, duration):
    with pytest.raises(UsageError):
        resolve_plan(_config(tmp_path, _role("prod")), "prod", duration=duration)


def test_chained_hops_are_capped_at_one_hour_with_a_note(tmp_path):
    loaded = _config(tmp_path, _role("one") + _role("two", source="one", duration_seconds="7200")
                     + _role("three", source="two"))
    plan = resolve_plan(loaded, "three", duration="4h")
    assert _kinds(plan) == ["StaticKeys", "AssumeRole", "AssumeRole", "AssumeRole"]
    assert [s.duration for s in plan.steps[1:]] == [3600, 3600, 3600]
    assert [s.chained for s in plan.steps[1:]] == [False, True, True]
    assert [s.profile for s in plan.steps] == ["base", "one", "two", "three"]
    assert sum("caps the session at 1h" in note for note in plan.notes) == 2


def test_first_hop_keeps_its_long_duration(tmp_path):
    plan = resolve_plan(_config(tmp_path, _role("one", duration_seconds="7200") + _role("two", source="one")), "two")
    assert [s.duration for s in plan.steps[1:]] == [7200, 3600]


def test_mfa_on_a_chained_hop_goes_on_its_own_assume_role(tmp_path):
    loaded = _config(tmp_path, _role("one", mfa_serial=SERIAL) + _role("two", source="one", mfa_serial=OTHER_SERIAL))
    plan = resolve_plan(loaded, "two")
    assert _kinds(plan) == ["StaticKeys", "GetSessionToken", "AssumeRole", "AssumeRole"]
    assert plan.steps[1].mfa_serial == SERIAL and plan.steps[2].mfa_serial is None
    assert plan.steps[3].mfa_serial == OTHER_SERIAL and plan.steps[3].chained
    assert any("temporary session" in note for note in plan.notes)


def test_each_hop_uses_its_own_mfa_serial_external_id_and_session_name(tmp_path):
    """As in botocore: nothing is inherited from the source profile except its credentials."""
    loaded = _config(tmp_path, _role("one", mfa_serial=SERIAL, external_id="one-ext", role_session_name="first")
                     + _role("two", source="one", region="sa-east-1"))
    plan = resolve_plan(loaded, "two")
    last = plan.steps[-1]
    assert (last.mfa_serial, last.external_id, last.session_name) == (None, None, "awsenv-two")
    assert plan.steps[-2].session_name == "first" and plan.steps[-2].external_id == "one-ext"
    assert plan.region == "sa-east-1"


def test_session_token_root_is_temporary_no_mfa_session_and_chained(tmp_path):
    loaded = _config(tmp_path, _role("prod", mfa_serial=SERIAL),
                     f"[base]\n{KEYS}aws_session_token = FwoGZXIvYXdzEXAMPLE\n")
    plan = resolve_plan(loaded, "prod", duration="2h")
    assert _kinds(plan) == ["StaticKeys", "AssumeRole"]
    step = plan.steps[1]
    assert step.mfa_serial == SERIAL and step.chained and step.duration == 3600
    assert any("session token" in note for note in plan.notes)


def test_self_reference_with_keys_means_my_own_keys(tmp_path):
    loaded = _config(tmp_path, "[profile me]\nrole_arn = arn:aws:iam::111111111111:role/me\nsource_profile = me\n",
                     f"[me]\n{KEYS}")
    plan = resolve_plan(loaded, "me")
    assert plan.steps == (StaticKeys("me"), plan.steps[1]) and isinstance(plan.steps[1], AssumeRole)
    assert plan.steps[1].chained is False


def test_source_profile_keys_win_over_its_own_role_arn(tmp_path):
    """botocore: in a source profile, static keys take precedence; the chain stops there."""
    loaded = _config(tmp_path, _role("mid", source="base") + _role("top", source="mid"), f"[mid]\n{KEYS}")
    plan = resolve_plan(loaded, "top")
    assert [type(s).__name__ for s in plan.steps] == ["StaticKeys", "AssumeRole"]
    assert plan.steps[0].profile == "mid" and plan.steps[1].chained is False


def test_target_role_arn_wins_over_its_own_keys(tmp_path):
    loaded = _config(tmp_path, _role("top", source="base"), f"[base]\n{KEYS}[top]\n{KEYS}")
    assert _kinds(resolve_plan(loaded, "top")) == ["StaticKeys", "AssumeRole"]
    assert resolve_plan(loaded, "top").steps[0].profile == "base"


def test_sso_source_is_chained(tmp_path):
    loaded = _config(tmp_path, "[profile sso]\nsso_session = corp\nsso_account_id = 111111111111\n"
                     "sso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\n"
                     "sso_region = us-east-1\n" + _role("prod", source="sso", mfa_serial=SERIAL), "")
    plan = resolve_plan(loaded, "prod", duration="8h")
    assert isinstance(plan.steps[0], SsoRoleCredentials)
    assert plan.steps[1].chained and plan.steps[1].duration == 3600 and plan.steps[1].mfa_serial == SERIAL


@pytest.mark.parametrize("text, shown", [
    (_role("a", source="b") + _role("b", source="a"), "a -> b -> a"),
    (_role("a", source="b") + _role("b", source="c") + _role("c", source="a"), "a -> b -> c -> a"),
    (_role("a", source="a"), "a -> a"),
    (_role("a", source="b") + _role("b", source="b"), "a -> b -> b"),
])
def test_loops_are_config_errors_that_show_the_chain(tmp_path, text, shown):
    with pytest.raises(ConfigError) as error:
        resolve_plan(_config(tmp_path, text), "a")
    assert shown in error.value.message and error.value.exit_code == 2


def test_missing_source_profile_shows_the_chain_and_suggests(tmp_path):
    with pytest.raises(ConfigError) as error:
        resolve_plan(_config(tmp_path, _role("a", source="bsae")), "a")
    assert "a -> bsae" in error.value.message and "base" in (error.value.hint or "")


def test_source_without_credentials_shows_the_chain(tmp_path):
    with pytest.raises(ConfigError) as error:
        resolve_plan(_config(tmp_path, _role("a", source="empty") + "[profile empty]\nregion = x\n"), "a")
    assert "a -> empty" in error.value.message


def test_an_unknown_credential_source_is_refused_and_so_is_having_both(tmp_path):
    text = "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\ncredential_source = Ec2InstanceMetadata\n"
    with pytest.raises(ConfigError, match="credential_source 'Laptop' is not one of"):
        resolve_plan(_config(tmp_path, text.replace("Ec2InstanceMetadata", "Laptop")), "a")
    with pytest.raises(ConfigError, match="both"):
        resolve_plan(_config(tmp_path, text + "source_profile = base\n"), "a")


@pytest.mark.parametrize("arn", ["arn:aws:iam::12345678901:role/x", "arn:aws:iam::123456789012:user/x",
                                 "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/é"])
def test_malformed_role_arn_is_a_config_error(tmp_path, arn):
    with pytest.raises(ConfigError):
        resolve_plan(_config(tmp_path, f"[profile a]\nrole_arn = {arn}\nsource_profile = base\n"), "a")


@pytest.mark.parametrize("arn", ["arn:aws-cn:iam::123456789012:role/x", "arn:aws-us-gov:iam::123456789012:role/a/b/c"])
def test_other_partitions_and_role_paths_are_accepted(tmp_path, arn):
    plan = resolve_plan(_config(tmp_path, f"[profile a]\nrole_arn = {arn}\nsource_profile = base\n"), "a")
    assert plan.steps[1].role_arn == arn


@pytest.mark.parametrize("profile", ["prod", "my team", "ünïcode-prod", "a" * 100, "x"])
def test_default_session_name_fits_sts(profile):
    name = default_session_name(profile)
    assert 2 <= len(name) <= 64
    assert name.isascii() and all(c.isalnum() or c in "+=,.@_-" for c in name)


@pytest.mark.parametrize("key, value", [("role_session_name", "has space"), ("role_session_name", "x"),
                                        ("external_id", "bad id"), ("mfa_serial", "arn:aws:iam::1:mfa/é")])
def test_invalid_names_are_config_errors(tmp_path, key, value):
    with pytest.raises(ConfigError):
        resolve_plan(_config(tmp_path, _role("a", **{key: value})), "a")


def test_export_picks_the_flow_and_role_refuses_other_flows(tmp_path):
    loaded = _config(tmp_path, "[profile base]\nregion = us-east-1\n" + _role("prod"))
    assert resolve_plan(loaded, "base").flow == "user"
    assert resolve_plan(loaded, "prod").flow == "role"
    with pytest.raises(UsageError):
        resolve_plan(loaded, "base", flow="role")


def test_plan_never_imports_boto():
    for module in ("plan/rules", "plan/roots", "model", "plan/explain"):
        source = (Path(__file__).parents[2] / "awsenv" / f"{module}.py").read_text()
        imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
                    if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
        assert not imported & {"boto3", "botocore"}, module



def test_user_flow_with_mfa_is_the_same_request_as_a_roles_mfa_session(tmp_path):
    loaded = _config(tmp_path, f"[profile base]\nmfa_serial = {SERIAL}\n" + _role("prod", mfa_serial=SERIAL))
    assert resolve_plan(loaded, "base").steps == resolve_plan(loaded, "prod").steps[:2]


def test_mfa_serial_on_the_source_only_is_not_used_and_explain_says_so(tmp_path):
    loaded = _config(tmp_path, f"[profile base]\nmfa_serial = {SERIAL}\n" + _role("prod"))
    plan = resolve_plan(loaded, "prod")
    assert _kinds(plan) == ["StaticKeys", "AssumeRole"] and plan.steps[1].mfa_serial is None
    assert any("only a role profile's own" in note for note in plan.notes)


def test_a_region_botocore_does_not_know_is_kept_with_a_warning_naming_the_closest(tmp_path):
    loaded = _config(tmp_path, _role("app") + "region = eu-wst-1\n")
    plan = resolve_plan(loaded, "app")
    assert plan.region == "eu-wst-1"  # a region newer than botocore looks just like this: it is not refused
    assert [note for note in plan.notes if "eu-wst-1" in note] == [
        "warning: botocore knows no region 'eu-wst-1'; did you mean 'eu-west-1'? it is used as given "
        "(a new region can come first)"]
    assert not [note for note in resolve_plan(loaded, "app", region="eu-west-1").notes if "region" in note]
