"""`awsenv shell --server PROFILE` on a real terminal (pexpect, bash): the prompt names the profile, the AWS CLI
inside calls with the served credentials (no key variables set), and `exit 3` comes back as 3."""

from __future__ import annotations

import os

import pexpect

import pytest

from tests.helpers import AWSENV, aws_cli_v2, need_binary
from tests.server.children import role_profile

pytestmark = pytest.mark.process

PROMPT = "PX" + "MARK"


def test_shell_server_prompt_aws_cli_inside_and_exit_status(home, sts, tmp_path):
    need_binary("bash")
    aws = aws_cli_v2()
    role_profile(home)
    (home.root / ".bashrc").write_text("PS1='PX''MARK> '\n")
    env = home.env(PATH=os.path.dirname(AWSENV) + os.pathsep + os.environ["PATH"], TERM="dumb", LANG="C.UTF-8",
                   AWS_ACCESS_KEY_ID="AKIAOLDOLDOLDOLDOLD1", AWS_SECRET_ACCESS_KEY="old", AWS_PROFILE="base",
                   SHELL="/bin/sh")
    marked = f"(aws:dev) {PROMPT}> "
    out = tmp_path / "identity.json"
    child = pexpect.spawn(AWSENV, ["shell", "--server", "dev", "--shell", "bash"], env=env, cwd=str(tmp_path),
                          encoding="utf-8", dimensions=(50, 400), timeout=60)
    try:
        child.expect_exact(marked)
        child.sendline(f'{aws} sts get-caller-identity --endpoint-url "$AWS_ENDPOINT_URL_STS" > {out}; '
                       'echo "rc=$? keys=${AWS_ACCESS_KEY_ID-none}/${AWS_PROFILE-none}"')
        child.expect_exact("rc=0 keys=none/none")
        child.expect_exact(marked)
        child.sendline("exit 3")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 3
    assert ":assumed-role/dev/awsenv-dev" in out.read_text()
    issued = {c.issued for c in sts.calls if c.action == "AssumeRole"}
    callers = [c.caller for c in sts.calls if c.action == "GetCallerIdentity"]
    assert callers and set(callers) <= issued
