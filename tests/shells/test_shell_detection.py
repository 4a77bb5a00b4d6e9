"""Which shell awsenv speaks and starts: its parent process when that is a shell, else $SHELL (started by a program:
an IDE task, a script's interpreter), else a shell further up; `--shell` overrides all of it."""

from __future__ import annotations

import sys

import pexpect
import pytest

from tests.helpers import AWSENV, need_binary
from tests.shells.test_subshell import PROMPT, _check_inside, _ours, _setup

pytestmark = pytest.mark.process


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_a_subshell_started_by_a_program_is_the_login_shell_with_its_rc_file(shell, home, sts, tmp_path):
    path = need_binary(shell)
    env, private_tmp, dump = _setup(home, shell, tmp_path)
    env["SHELL"] = path  # the user's shell; awsenv's parent is this test (Python), as for an IDE task or a script
    marked = f"(aws:dev) {PROMPT}> "
    child = pexpect.spawn(AWSENV, ["shell", "dev"], env=env, cwd=str(tmp_path), encoding="utf-8",
                          dimensions=(50, 400), timeout=60)
    try:
        child.expect_exact(marked)
        child.sendline(f"{sys.executable} {dump} {tmp_path / 'inside.json'}")
        child.expect_exact(marked)
        _check_inside(sts, tmp_path / "inside.json")  # includes: the user's own rc file ran
        child.sendline("exit 4")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 4
    assert _ours(private_tmp) == []
