"""`make demo`: scripts/demo.py runs end to end with no input and shows what it claims (one MFA code for the user and
two roles, AssumeRole with the code itself, a cache hit with no STS request, `awsenv role` changing a real bash);
it and its STS stand-in need only the standard library and awsenv; the stand-in enforces the rules it shows."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.helpers import AWSENV, need_binary

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"
sys.path.insert(0, str(SCRIPTS))
import demo_sts  # noqa: E402

pytestmark = pytest.mark.process


def run_demo(python: str, awsenv_dir: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS", "_AWSENV"))}
    env["PATH"] = awsenv_dir + os.pathsep + os.environ["PATH"]
    done = subprocess.run([python, str(SCRIPTS / "demo.py")], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=300, start_new_session=True)  # no terminal, no input
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def steps(output: str) -> dict[str, list[str]]:
    """Each `$ command` of the output and the lines it printed (a command shown twice: both, in order)."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in output.splitlines():
        if line.startswith("$ "):
            current = []
            found.setdefault(line[2:], []).append(current)  # type: ignore[arg-type]
        else:
            current.append(line)
    return found  # type: ignore[return-value]


def key_id(lines: list[str]) -> str:
    return next(re.search(r"AWS_ACCESS_KEY_ID='(\w+)'", line).group(1) for line in lines if "AWS_ACCESS_KEY_ID=" in line)


def sts_line(lines: list[str]) -> str:
    return next(line for line in lines if "[STS requests:" in line)


def check_claims(output: str) -> None:
    shown = steps(output)
    user = shown["awsenv user demo --shell bash"][0]
    assert "STS requests: 1 for this command; GetSessionToken 1, AssumeRole 0" in sts_line(user)
    first_admin, cached_admin = shown["awsenv role demo-admin --shell bash"]
    readonly = shown["awsenv role demo-readonly --shell bash"][0]
    # One MFA code (one GetSessionToken) for the user and both roles.
    assert "STS requests: 1 for this command; GetSessionToken 1, AssumeRole 1" in sts_line(first_admin)
    assert "STS requests: 1 for this command; GetSessionToken 1, AssumeRole 2" in sts_line(readonly)
    assert "  export AWSENV_PROFILE='demo-readonly';" in readonly
    # The role whose AssumeRole carries the code itself.
    audit = next(lines for title, (lines, *_) in shown.items() if title.startswith("awsenv role demo-audit"))
    assert "STS requests: 1 for this command; GetSessionToken 1, AssumeRole 3" in sts_line(audit)
    assert any("AssumeRole carries the MFA code itself" in line for line in audit)
    # The cache hit: no STS request, and the keys of the first call.
    assert "STS requests: 0 for this command" in sts_line(cached_admin)
    assert key_id(cached_admin) == key_id(first_admin)
    # A real bash changed by `awsenv role demo-admin` after `eval "$(awsenv init bash)"`.
    bash = next(lines for title, (lines, *_) in shown.items() if title.startswith("bash"))
    assert "  before: AWSENV_PROFILE=<unset> AWS_ACCESS_KEY_ID=<unset>" in bash
    assert f"  after:  AWSENV_PROFILE=demo-admin AWS_ACCESS_KEY_ID={key_id(first_admin)}" in bash
    assert "  boto3 in this shell is arn:aws:sts::210987654321:assumed-role/Admin/awsenv-demo-admin" in bash
    assert "  unset:  AWSENV_PROFILE=<unset> AWS_ACCESS_KEY_ID=<unset>" in bash
    assert "Done: GetSessionToken 1, AssumeRole 3, GetCallerIdentity 1 STS requests" in output
    assert "AWS_SECRET_ACCESS_KEY='" not in output and "AWS_SESSION_TOKEN='" not in output


def test_the_demo_runs_end_to_end_and_shows_what_it_claims():
    need_binary("bash")
    check_claims(run_demo(sys.executable, os.path.dirname(AWSENV)))


@pytest.mark.parametrize("script", ["demo.py", "demo_sts.py"])
def test_the_demo_needs_only_the_standard_library(script):
    tree = ast.parse((SCRIPTS / script).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) <= {"demo_sts"}


# --- the stand-in enforces what the demo shows -------------------------------------------------------------------


@pytest.fixture(scope="module")
def stand_in():
    sts, server, url = demo_sts.start()
    yield sts, url
    server.shutdown()
    server.server_close()


def client(url: str, key: str, secret: str, token: str | None = None):
    session = botocore.session.Session()
    return session.create_client("sts", region_name="eu-west-1", endpoint_url=url, aws_access_key_id=key,
                                 aws_secret_access_key=secret, aws_session_token=token,
                                 config=Config(retries={"max_attempts": 1}))


def refused(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"] + ": " + caught.value.response["Error"]["Message"]


def test_totp_matches_rfc_6238():
    # RFC 6238 appendix B, SHA-1, its 20-byte ASCII seed "12345678901234567890"; six digits of 94287082 at T=59.
    assert demo_sts.totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=59) == "287082"


def test_stand_in_answers_what_botocore_parses_and_enforces_mfa_rules(stand_in):
    sts, url = stand_in
    user = client(url, demo_sts.USER_KEY_ID, demo_sts.USER_SECRET)
    assert user.get_caller_identity()["Arn"] == demo_sts.USER_ARN
    admin = "arn:aws:iam::210987654321:role/Admin"
    assert "requires MFA" in refused(lambda: user.assume_role(RoleArn=admin, RoleSessionName="s1"))
    valid = {demo_sts.totp(step=step) for step in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
    assert "AccessDenied" in refused(lambda: user.get_session_token(SerialNumber=demo_sts.MFA_SERIAL, TokenCode=wrong))
    code = demo_sts.totp()
    session = user.get_session_token(SerialNumber=demo_sts.MFA_SERIAL, TokenCode=code)["Credentials"]
    assert session["Expiration"].tzinfo is not None
    assert "AccessDenied" in refused(lambda: user.get_session_token(SerialNumber=demo_sts.MFA_SERIAL, TokenCode=code))
    on_mfa = client(url, session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])
    assumed = on_mfa.assume_role(RoleArn=admin, RoleSessionName="s2")
    assert assumed["AssumedRoleUser"]["Arn"] == "arn:aws:sts::210987654321:assumed-role/Admin/s2"
    creds = assumed["Credentials"]
    role = client(url, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert role.get_caller_identity()["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    assert "1 hour" in refused(lambda: role.assume_role(RoleArn=admin, RoleSessionName="s3", DurationSeconds=7200))
    # AssumeRole with the code itself, from the long-lived keys: allowed for 2h.
    direct = user.assume_role(RoleArn=admin, RoleSessionName="s4", DurationSeconds=7200,
                              SerialNumber=demo_sts.MFA_SERIAL, TokenCode=demo_sts.totp(step=1))
    assert direct["AssumedRoleUser"]["AssumedRoleId"].endswith(":s4")
    assert sts.requests["GetCallerIdentity"] == 2
