"""credential_source = Environment | Ec2InstanceMetadata | EcsContainer with role_arn: the first AssumeRole is signed
by the source's key, IMDS is asked with a v2 session token (v1 is refused), the container endpoint only answers its
token. (Parallel callers sharing one metadata call: tests/reliability/test_c_concurrency.py.)"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.aws_data_path import aws_data_path
from tests.helpers import aws_cli_v2, parse_posix_exports
from tests.servers.metadata import ContainerCredentialsServer, InstanceMetadataServer

pytestmark = pytest.mark.in_process

DEPLOY = "arn:aws:iam::123456789012:role/Deploy"


@pytest.fixture
def imds():
    server = InstanceMetadataServer().start()
    yield server
    server.server.shutdown()


@pytest.fixture
def container():
    server = ContainerCredentialsServer().start()
    yield server
    server.server.shutdown()


def _profile(home, source: str) -> None:
    home.write_config(f"""\
        [profile deploy]
        credential_source = {source}
        role_arn = {DEPLOY}
        region = eu-west-1
        """)


def _imds_env(home, imds, **extra):
    return home.env(AWS_EC2_METADATA_DISABLED="false", AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url + "/", **extra)


def _assumed_by(sts) -> list[tuple[str, str]]:
    return [(c.caller, c.params["RoleArn"]) for c in sts.calls if c.action == "AssumeRole"]


@pytest.mark.process
def test_instance_metadata_root_uses_imdsv2_and_signs_the_assume_role(home, sts, imds, tmp_path):
    _profile(home, "Ec2InstanceMetadata")
    done = home.run("export", "deploy", "--shell", "sh", env=_imds_env(home, imds))
    assert done.returncode == 0, done.stderr
    assert _assumed_by(sts) == [(imds.access_key_id, DEPLOY)]
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == sts.calls[-1].issued
    assert ("PUT", "/latest/api/token", True) in imds.requests
    assert imds.credential_fetches() == 1 and not [r for r in imds.requests if not r[2]]
    # The AWS CLI, resolving the same profile against the same stand-ins, makes the same AssumeRole.
    start = len(sts.calls)
    cli = subprocess.run([aws_cli_v2(), "sts", "get-caller-identity", "--profile", "deploy", "--endpoint-url", sts.url],
                         env=_imds_env(home, imds, AWS_DATA_PATH=aws_data_path(tmp_path / "d", {"sts": sts.url})),
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    assert [(c.caller, c.params["RoleArn"]) for c in sts.calls[start:] if c.action == "AssumeRole"] == \
        [(imds.access_key_id, DEPLOY)]


def test_imds_unreachable_is_exit_1_naming_the_profile(home, sts):
    _profile(home, "Ec2InstanceMetadata")
    env = home.env(AWS_EC2_METADATA_DISABLED="false", AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:9",
                   AWS_METADATA_SERVICE_NUM_ATTEMPTS="1", AWS_METADATA_SERVICE_TIMEOUT="1")
    done = home.run("export", "deploy", "--shell", "sh", env=env)
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert "'deploy'" in done.stderr and "Ec2InstanceMetadata" in done.stderr
    assert sts.calls == []


@pytest.mark.parametrize("token_from", ["variable", "file"])
def test_container_root_sends_its_token_and_signs_the_assume_role(home, sts, container, token_from):
    _profile(home, "EcsContainer")
    extra = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": container.url}
    if token_from == "file":
        token_file = home.root / "token"
        token_file.write_text(container.token)
        extra.update(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file),
                     AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong-but-the-file-wins")
    else:
        extra["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = container.token
    done = home.run("export", "deploy", "--shell", "sh", env=home.env(**extra))
    assert done.returncode == 0, done.stderr
    assert _assumed_by(sts) == [(container.access_key_id, DEPLOY)]
    assert (container.answered, container.refused) == (1, 0)


def test_container_with_a_wrong_token_is_refused(home, sts, container):
    _profile(home, "EcsContainer")
    env = home.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=container.url, AWS_CONTAINER_AUTHORIZATION_TOKEN="nope")
    done = home.run("export", "deploy", "--shell", "sh", env=env)
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert "'deploy'" in done.stderr and "EcsContainer" in done.stderr and "nope" not in done.stderr
    assert container.refused >= 1 and container.answered == 0 and sts.calls == []
    # Without the variables it is a configuration error found before any call.
    missing = home.run("export", "deploy", "--shell", "sh")
    assert missing.returncode == 2 and "AWS_CONTAINER_CREDENTIALS_FULL_URI" in missing.stderr


def test_environment_root_signs_with_the_variables_keys(home, sts):
    _profile(home, "Environment")
    env = home.env(AWS_ACCESS_KEY_ID="AKIAENVIRONMENTKEY01", AWS_SECRET_ACCESS_KEY="env/secret")
    done = home.run("export", "deploy", "--shell", "sh", env=env)
    assert done.returncode == 0, done.stderr
    assert _assumed_by(sts) == [("AKIAENVIRONMENTKEY01", DEPLOY)]
    # Other keys in the environment are another source: not the first one's cached role.
    other = home.run("export", "deploy", "--shell", "sh",
                     env=home.env(AWS_ACCESS_KEY_ID="AKIAENVIRONMENTKEY02", AWS_SECRET_ACCESS_KEY="env/other"))
    assert other.returncode == 0, other.stderr
    assert _assumed_by(sts)[-1] == ("AKIAENVIRONMENTKEY02", DEPLOY)
    missing = home.run("export", "deploy", "--shell", "sh")
    assert missing.returncode == 2 and "AWS_ACCESS_KEY_ID" in missing.stderr


def test_explain_and_list_name_each_source(home, sts, container):
    home.write_config(f"""\
        [profile ec2]
        credential_source = Ec2InstanceMetadata
        role_arn = {DEPLOY}
        [profile ecs]
        credential_source = EcsContainer
        role_arn = {DEPLOY}
        [profile env]
        credential_source = Environment
        role_arn = {DEPLOY}
        """)
    env = home.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=container.url, AWS_ACCESS_KEY_ID="AKIAENVIRONMENTKEY01",
                   AWS_SECRET_ACCESS_KEY="env/secret", AWS_SESSION_TOKEN="t")
    text = home.run("explain", "ecs", env=env).stdout
    assert f"from {container.url}" in text and "sts:AssumeRole" in text
    doc = json.loads(home.run("explain", "ec2", "--json", env=env).stdout)
    assert [s["step"] for s in doc["steps"]] == ["InstanceMetadata", "AssumeRole"]
    assert doc["calls"] == ["ec2-imds:iam/security-credentials", "sts:AssumeRole"]
    rows = {r["profile"]: r for r in json.loads(home.run("list", "--json", env=env).stdout)}
    assert {name: rows[name]["source"] for name in rows} == {
        "ec2": "EC2 instance metadata", "ecs": "container credentials", "env": "environment keys"}
    assert all(row["problem"] is None for row in rows.values())
    assert sts.calls == [] and container.answered == 0
