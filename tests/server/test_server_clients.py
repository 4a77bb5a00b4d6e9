"""SDKs inside `awsenv exec --server` use the server's credentials: boto3 and the Debian AWS CLI v2, with no key
variable in their environment, even when the user's [default] profile holds credentials of its own."""

from __future__ import annotations

import json

import pytest

from tests.helpers import aws_cli_v2
from tests.server.children import BOTO3_CALLS, python, role_profile

pytestmark = pytest.mark.process

STATIC = {"AWS_ACCESS_KEY_ID": "AKIAOLDOLDOLDOLDOLD1", "AWS_SECRET_ACCESS_KEY": "old-secret",
          "AWS_SESSION_TOKEN": "old-session", "AWS_SECURITY_TOKEN": "old-token", "AWS_PROFILE": "base",
          "AWS_DEFAULT_PROFILE": "base", "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token",
          "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/other", "AWS_ROLE_SESSION_NAME": "other",
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x",
          "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/nonexistent/file", "AWS_CREDENTIAL_EXPIRATION": "x"}


def _assumed_keys(sts) -> list[str]:
    return [c.issued for c in sts.calls if c.action == "AssumeRole" and c.status == 200]


def test_boto3_calls_with_the_served_credentials_and_no_key_variables(home, sts, tmp_path):
    role_profile(home)
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "calls.py", BOTO3_CALLS),
                    env=home.env(**STATIC))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["method"] == "container-role"
    assert report["key"] in _assumed_keys(sts)
    assert report["arn"].endswith(":assumed-role/dev/awsenv-dev")
    for name in STATIC:
        assert name not in report["env"]
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in report["env"]
    assert report["env"].count("AWS_REGION") == 1


def test_the_aws_cli_calls_with_the_served_credentials(home, sts, tmp_path):
    aws = aws_cli_v2()
    role_profile(home)
    script = ('import json, os, subprocess, sys\n'
              'out = subprocess.run([sys.argv[1], "sts", "get-caller-identity", "--output", "json",'
              ' "--endpoint-url", os.environ["AWS_ENDPOINT_URL_STS"]],'
              ' capture_output=True, text=True)\n'
              'print(json.dumps({"rc": out.returncode, "out": out.stdout, "err": out.stderr,'
              ' "env": sorted(k for k in os.environ if k.startswith("AWS"))}))\n')
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "cli.py", script), aws,
                    env=home.env(**STATIC))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["rc"] == 0, report["err"]
    assert json.loads(report["out"])["Arn"].endswith(":assumed-role/dev/awsenv-dev")
    # The CLI signed with the key the server handed out: the gate saw it as the caller.
    callers = [c.caller for c in sts.calls if c.action == "GetCallerIdentity"]
    assert callers and set(callers) <= set(_assumed_keys(sts))  # (the 2.9 CLI ignores AWS_ENDPOINT_URL_STS)
    for name in STATIC:
        assert name not in report["env"]


def test_a_default_profile_with_credentials_does_not_shadow_the_server(home, sts, tmp_path):
    role_profile(home)
    home.credentials.write_text(home.credentials.read_text()
                                + "[default]\naws_access_key_id = AKIADEFAULTDEFAULT01\naws_secret_access_key = d\n")
    with home.config.open("a") as config:
        config.write("[default]\nregion = us-west-2\ncredential_process = /bin/false\n")
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "calls.py", BOTO3_CALLS))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["method"], report["key"] in _assumed_keys(sts)) == ("container-role", True)
    assert "[default] profile would give the command other credentials" in done.stderr
    # The user's files are untouched; the replacements are gone with the run.
    assert "AKIADEFAULTDEFAULT01" in home.credentials.read_text()
    assert "credential_process = /bin/false" in home.config.read_text()


def test_a_default_profile_without_credentials_leaves_the_files_alone(home, sts, tmp_path):
    role_profile(home)
    with home.config.open("a") as config:
        config.write("[default]\nregion = us-west-2\n")
    script = 'import os; print(os.environ["AWS_CONFIG_FILE"] + "\\n" + os.environ["AWS_SHARED_CREDENTIALS_FILE"])'
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "files.py", script))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(home.config), str(home.credentials)]
    assert "[default]" not in done.stderr


def test_a_refused_first_renewal_runs_nothing(home, sts, tmp_path):
    role_profile(home)
    marker = tmp_path / "ran"
    done = home.run("exec", "--server", "dev", "--", "touch", str(marker),
                    env=home.env(AWS_ENDPOINT_URL_STS="http://127.0.0.1:9"))
    assert done.returncode == 1 and done.stdout == ""
    assert "'dev'" in done.stderr
    assert not marker.exists()
