"""AWS config + credentials files → profiles, with the AWS CLI's semantics."""

from __future__ import annotations

import pytest

from awsenv.config import profiles as config
from awsenv.errors import ConfigError


def _load(tmp_path, config_text: str | None = None, credentials_text: str | None = None):
    cfg, creds = tmp_path / "config", tmp_path / "credentials"
    if config_text is not None:
        cfg.write_text(config_text)
    if credentials_text is not None:
        creds.write_text(credentials_text)
    return config.load({"AWS_CONFIG_FILE": str(cfg), "AWS_SHARED_CREDENTIALS_FILE": str(creds)})


def test_profile_sections_need_the_profile_prefix_except_default(tmp_path):
    loaded = _load(tmp_path, "[default]\nregion = us-east-2\n[profile dev]\nregion = eu-west-1\n[orphan]\nregion = x\n")
    assert set(loaded.profiles) == {"default", "dev"}
    assert loaded.profiles["dev"].region == "eu-west-1"
    assert loaded.profiles["default"].region == "us-east-2"


def test_quoted_profile_names_are_unquoted(tmp_path):
    loaded = _load(tmp_path, '[profile "my team"]\nregion = ap-south-1\n')
    assert loaded.profile("my team").region == "ap-south-1"


def test_unquoted_name_with_spaces_is_ignored_like_the_aws_cli(tmp_path):
    loaded = _load(tmp_path, "[profile my team]\nregion = ap-south-1\n")
    assert "my team" not in loaded.profiles


def test_profile_default_and_default_are_one_profile(tmp_path):
    loaded = _load(tmp_path, "[default]\nregion = a\n[profile default]\nregion = b\n")
    assert list(loaded.profiles) == ["default"]
    assert loaded.profiles["default"].region == "b"  # the later section wins, as in botocore


def test_credentials_file_keys_override_config_file_keys(tmp_path):
    loaded = _load(tmp_path,
                   "[profile dev]\naws_access_key_id = FROMCONFIG\nregion = eu-west-1\nmfa_serial = arn:x\n",
                   "[dev]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n[only-creds]\n"
                   "aws_access_key_id = K\naws_secret_access_key = S\n")
    dev = loaded.profile("dev")
    assert dev.aws_access_key_id == "FROMCREDS"
    assert dev.region == "eu-west-1" and dev.mfa_serial == "arn:x"
    assert loaded.profile("only-creds").has_keys


def test_mfa_and_duration_keys_are_read(tmp_path):
    loaded = _load(tmp_path, "[profile u]\nmfa_serial = arn:aws:iam::1:mfa/a\nmfa_process = gen code\n"
                             "duration_seconds = 7200\n")
    u = loaded.profile("u")
    assert (u.mfa_serial, u.mfa_process, u.duration_seconds) == ("arn:aws:iam::1:mfa/a", "gen code", "7200")


def test_sso_session_sections(tmp_path):
    loaded = _load(tmp_path, "[profile s]\nsso_session = corp\nsso_account_id = 111111111111\n"
                             "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
                             "sso_registration_scopes = sso:account:access, other\n")
    assert loaded.sso_sessions["corp"].scopes == ("sso:account:access", "other")
    assert loaded.profile("s").flow == "sso"


def test_nested_service_blocks_are_skipped(tmp_path):
    loaded = _load(tmp_path, "[profile dev]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n")
    assert loaded.profile("dev").region == "eu-west-1"


def test_missing_files_mean_no_profiles(tmp_path):
    loaded = _load(tmp_path)
    assert loaded.profiles == {}
    with pytest.raises(ConfigError) as raised:
        loaded.profile("dev")
    assert "'dev'" in raised.value.message


def test_malformed_file_names_the_file(tmp_path):
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, "region = eu-west-1\n[profile dev\n")
    assert str(tmp_path / "config") in raised.value.message


def test_malformed_credentials_file_names_that_file(tmp_path):
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, "[profile dev]\n", "aws_access_key_id = K\n")
    assert str(tmp_path / "credentials") in raised.value.message


def test_unknown_profile_suggests_the_nearest_names(tmp_path):
    loaded = _load(tmp_path, "[profile production]\n[profile prod-eu]\n[profile dev]\n")
    with pytest.raises(ConfigError) as raised:
        loaded.profile("prod")
    assert "'prod-eu'" in raised.value.hint
    assert "'dev'" not in raised.value.hint


def test_environment_variables_choose_the_files(tmp_path):
    other = tmp_path / "elsewhere"
    other.write_text("[profile moved]\nregion = sa-east-1\n")
    loaded = config.load({"AWS_CONFIG_FILE": str(other), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")})
    assert set(loaded.profiles) == {"moved"}


@pytest.mark.parametrize("which", ["config", "credentials"])
def test_a_directory_in_place_of_a_file_is_an_error_naming_it(tmp_path, which):
    (tmp_path / which).mkdir()
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, **{f"{'credentials' if which == 'config' else 'config'}_text": "[profile ops]\n"})
    assert raised.value.message == f"cannot read {tmp_path / which}: it is a directory"
    variable = "AWS_CONFIG_FILE" if which == "config" else "AWS_SHARED_CREDENTIALS_FILE"
    assert variable in raised.value.hint and raised.value.exit_code == 2
