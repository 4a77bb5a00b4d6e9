"""An interactive shell with `awsenv init` loaded, driven on a pty: type a line, read what the next prompt shows.

The shell's PATH starts with a directory whose `awsenv` and `date` log each run to a file before running the real
ones, so a test can tell whether a prompt started a process."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pexpect

from tests.helpers import AWSENV, need_binary

PROMPT = "PX" + "MARK> "
# shell: (argv, lines typed first: the prompt and the integration)
INTERACTIVE = {
    "bash": (["bash", "--norc", "--noprofile", "-i"], ["PS1='PX''MARK> '", 'eval "$(awsenv init bash)"']),
    "zsh": (["zsh", "-f", "-i"], ["PROMPT='PX''MARK> '; unsetopt zle", 'eval "$(awsenv init zsh)"']),
    "ksh": (["ksh", "-i"], ["PS1='PX''MARK> '", 'eval "$(awsenv init ksh)"']),
    "mksh": (["mksh", "-i"], ["PS1='PX''MARK> '", 'eval "$(awsenv init ksh)"']),
}


def logging_bin(directory: Path) -> Path:
    """`awsenv` and `date` wrappers that append their name to runs.log, then run the real program."""
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "runs.log"
    real_date = need_binary("date")
    for name, real in (("awsenv", AWSENV), ("date", real_date)):
        wrapper = directory / name
        wrapper.write_text(f"#!/bin/sh\necho {name} \"$1\" >> '{log}'\nexec '{real}' \"$@\"\n")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return log


@dataclass
class ShellSession:
    child: pexpect.spawn
    log: Path

    def run(self, line: str, timeout: float = 30) -> str:
        """Type `line`; what the shell printed until the next prompt (echo of the line removed)."""
        self.child.sendline(line)
        self.child.expect_exact(PROMPT, timeout=timeout)
        text = self.child.before.replace("\r", "")
        return text.split("\n", 1)[1] if "\n" in text else ""

    def value(self, name: str) -> str:
        out = self.run(f"echo \"VAL[${name}]\"")
        found = re.search(r"VAL\[(.*?)\]", out)
        assert found, out
        return found.group(1)

    def runs(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def close(self) -> None:
        self.child.close(force=True)


def start(shell: str, env: dict, tmp_path: Path, extra_lines: Optional[list[str]] = None) -> ShellSession:
    argv, setup = INTERACTIVE[shell]
    binary = need_binary(argv[0])
    log = logging_bin(tmp_path / "logbin")
    env = {**env, "PATH": f"{tmp_path / 'logbin'}{os.pathsep}{env['PATH']}", "TERM": "dumb", "LANG": "C.UTF-8"}
    env.pop("PROMPT_COMMAND", None)
    child = pexpect.spawn(binary, argv[1:], env=env, cwd=str(tmp_path), encoding="utf-8", dimensions=(50, 300),
                          timeout=30)
    session = ShellSession(child, log)
    for line in setup + (extra_lines or []):
        child.sendline(line)
        child.expect_exact(PROMPT)
    return session
