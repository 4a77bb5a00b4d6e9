"""The documented load line typed at an interactive prompt, where history expansion (`!`) and line editing are on:
hostile values still arrive byte for byte and nothing in them runs."""

from __future__ import annotations

import json
import os
import sys

import pexpect
import pytest

from awsenv.shells.dialects import dialect_for
from tests.helpers import need_binary
from tests.shells.harness import DUMP_ENV
from tests.shells.test_hostile_values import hostile_values

pytestmark = pytest.mark.process

# shell: (argv, prompt setup typed first, load line, dialect)
INTERACTIVE = {
    "bash": (["bash", "--norc", "--noprofile", "-i"], "PS1='PX''MARK> '", 'eval "$(cat {out})"', "bash"),
    "zsh": (["zsh", "-f", "-i"], "PROMPT='PX''MARK> '; unsetopt zle", 'eval "$(cat {out})"', "zsh"),
    "tcsh": (["tcsh", "-f", "-i"], "set prompt='PX''MARK> '", 'eval "`cat {out}`"', "tcsh"),
    "fish": (["fish", "--no-config", "-i"], "function fish_prompt; printf 'PX%sMARK> ' ''; end", "cat {out} | source",
             "fish"),
}


@pytest.mark.parametrize("shell_name", sorted(INTERACTIVE))
def test_hostile_values_through_an_interactive_prompt(shell_name, tmp_path):
    argv, setup, load, dialect = INTERACTIVE[shell_name]
    binary = need_binary(argv[0])
    canary = tmp_path / "canary"
    values = hostile_values(str(canary))
    out = tmp_path / "out"
    out.write_text(dialect_for(dialect).render(values))
    dump = tmp_path / "dump_env.py"
    dump.write_text(DUMP_ENV)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TERM": "dumb", "LANG": "C.UTF-8"}
    shell = pexpect.spawn(binary, argv[1:], env=env, cwd=str(tmp_path), encoding="utf-8", dimensions=(50, 400),
                          timeout=30)
    prompt = "PX" + "MARK> "
    try:
        shell.sendline(setup)
        shell.expect_exact(prompt)
        for line in (load.format(out=out), f"{sys.executable} {dump} {tmp_path / 'env.json'}"):
            shell.sendline(line)
            shell.expect_exact(prompt)
        shell.sendline("exit")
        shell.expect(pexpect.EOF)
    finally:
        shell.close(force=True)
    seen = {k: bytes.fromhex(v) for k, v in json.loads((tmp_path / "env.json").read_text()).items()}
    for name, value in values.items():
        assert seen.get(name) == value.encode("utf-8"), (shell_name, name)
    assert not canary.exists()
