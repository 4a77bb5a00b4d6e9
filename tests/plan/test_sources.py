"""Profiles → plan for the roots beyond keys and SSO: one step type per source, the AWS CLI's precedence, and the
web identity variables' reach. Pure: the environment is passed in."""

from __future__ import annotations

import pytest

from awsenv.errors import ConfigError, UsageError
from awsenv.model import (AssumeRole, AssumeRoleWithWebIdentity, ContainerCredentials, CredentialProcess,
                          EnvironmentKeys, InstanceMetadata, LoginSession)
from awsenv.plan.rules import resolve_plan
from tests.plan.test_rules import KEYS, _config, _kinds

ROLE = "arn:aws:iam::111111111111:role/r"


def test_each_source_as_the_target_and_as_a_chain_root(tmp_path):
    text = f"""\
[profile vault]
credential_process = aws-vault export --format=json base
[profile login]
login_session = arn:aws:iam::111111111111:user/alice
[profile wi]
web_identity_token_file = /var/run/token
role_arn = {ROLE}
"""
    for root, kind in (("vault", CredentialProcess), ("login", LoginSession), ("wi", AssumeRoleWithWebIdentity)):
        config = _config(tmp_path, text + f"[profile top]\nsource_profile = {root}\nrole_arn = {ROLE}-top\n")
        own = resolve_plan(config, root)
        assert [type(s) for s in own.steps] == [kind]
        chained = resolve_plan(config, "top", duration="2h")
        assert [type(s) for s in chained.steps] == [kind, AssumeRole]
        assert chained.steps[1].chained and chained.steps[1].duration == 3600  # a temporary root: 1h at most
    assert resolve_plan(_config(tmp_path, text), "vault").steps[0].command == "aws-vault export --format=json base"
    assert resolve_plan(_config(tmp_path, text), "vault").flow == "process"
    with pytest.raises(UsageError, match="credential_process profile"):
        resolve_plan(_config(tmp_path, text), "vault", flow="user")


@pytest.mark.parametrize("source,environ,kind", [
    ("Environment", {"AWS_ACCESS_KEY_ID": "AKIAX", "AWS_SECRET_ACCESS_KEY": "s"}, EnvironmentKeys),
    ("ec2instancemetadata", {}, InstanceMetadata),
    ("EcsContainer", {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/creds"}, ContainerCredentials),
])
def test_credential_source_names_a_root_below_the_role(tmp_path, source, environ, kind):
    config = _config(tmp_path, f"[profile r]\nrole_arn = {ROLE}\ncredential_source = {source}\n")
    plan = resolve_plan(config, "r", environ=environ)
    assert [type(s) for s in plan.steps] == [kind, AssumeRole]
    assert plan.reads_environment
    if kind is ContainerCredentials:
        assert plan.steps[0].endpoint == "http://169.254.170.2/v2/creds"  # RELATIVE wins, as in botocore


def test_environment_keys_are_long_lived_only_without_a_session_token(tmp_path):
    config = _config(tmp_path, f"[profile r]\nrole_arn = {ROLE}\ncredential_source = Environment\n")
    keys = {"AWS_ACCESS_KEY_ID": "AKIAX", "AWS_SECRET_ACCESS_KEY": "s"}
    assert resolve_plan(config, "r", duration="2h", environ=keys).steps[1].duration == 7200
    assert resolve_plan(config, "r", duration="2h", environ={**keys, "AWS_SESSION_TOKEN": "t"}).steps[1].duration \
        == 3600


def test_missing_environment_for_a_source_is_a_config_error_before_any_call(tmp_path):
    for source, needs in (("Environment", "AWS_ACCESS_KEY_ID"), ("EcsContainer", "AWS_CONTAINER_CREDENTIALS")):
        config = _config(tmp_path, f"[profile r]\nrole_arn = {ROLE}\ncredential_source = {source}\n")
        with pytest.raises(ConfigError, match=needs):
            resolve_plan(config, "r", environ={})


def test_web_identity_variables_fill_in_the_target_only_and_never_override(tmp_path):
    env = {"AWS_WEB_IDENTITY_TOKEN_FILE": "/env/token", "AWS_ROLE_ARN": ROLE + "-env",
           "AWS_ROLE_SESSION_NAME": "env-session"}
    text = (f"[profile bare]\nregion = eu-west-1\n[profile own]\nweb_identity_token_file = /own/token\n"
            f"role_arn = {ROLE}\n[profile chained]\nsource_profile = base\nrole_arn = {ROLE}-c\n")
    config = _config(tmp_path, text)
    bare = resolve_plan(config, "bare", environ=env).steps
    assert bare == (AssumeRoleWithWebIdentity("bare", ROLE + "-env", "env-session", "/env/token",
                                              ("AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                                               "AWS_ROLE_SESSION_NAME")),)
    own = resolve_plan(config, "own", environ=env).steps[0]
    assert (own.role_arn, own.token_file, own.session_name, own.from_environment) == \
        (ROLE, "/own/token", "env-session", ("AWS_ROLE_SESSION_NAME",))
    assert _kinds(resolve_plan(config, "chained", environ=env)) == ["StaticKeys", "AssumeRole"]
    # `default` may exist only in the variables (a pod with no config file); any other missing name is an error.
    assert resolve_plan(config, "default", environ=env).steps[0].role_arn == ROLE + "-env"
    with pytest.raises(ConfigError):
        resolve_plan(config, "nosuch", environ=env)
    with pytest.raises(ConfigError):
        resolve_plan(config, "bare", environ={})


def test_a_source_profile_with_keys_stops_the_chain_before_its_process(tmp_path):
    config = _config(tmp_path, f"[profile base]\ncredential_process = never-run\n"
                               f"[profile r]\nrole_arn = {ROLE}\nsource_profile = base\n",
                     f"[base]\n{KEYS}")
    assert _kinds(resolve_plan(config, "r")) == ["StaticKeys", "AssumeRole"]


def test_plan_sources_import_nothing_from_boto():
    import ast
    from pathlib import Path

    import awsenv

    for module in ("plan/rules.py", "plan/roots.py"):
        tree = ast.parse((Path(awsenv.__file__).parent / module).read_text())
        names = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(n and n.split(".")[0] in ("boto3", "botocore") for n in names), module
