"""An interactive shell with `awsenv init` loaded, driven on a pty: type a line, read what the next prompt shows.

The shell's PATH starts with a directory whose `awsenv` and `date` log each run to a file before running the real
ones, so a test can tell whether a prompt started a process."""

from __future__ import annotations

import os
import stat
import subprocess
import time
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
    "fish": (["fish", "--no-config", "-i"], ["function fish_prompt; printf 'PX%sMARK> ' ''; end",
                                             "awsenv init fish | source"]),
    "nu": (["nu", "--no-config-file", "-i"], ["$env.PROMPT_COMMAND = {|| 'PX' + 'MARK> ' }; "
                                               "$env.PROMPT_INDICATOR = ''; $env.PROMPT_COMMAND_RIGHT = ''",
                                               "source {init}"]),
    "elvish": (["elvish", "-norc", "-i"], ["set edit:prompt = { put PX; put 'MARK> ' }; set edit:rprompt = { }",
                                          "eval (awsenv init elvish | slurp)"]),
    "xonsh": (["xonsh", "--no-rc", "-i"], ["$PROMPT = 'PX' + 'MARK> '; $RIGHT_PROMPT = ''",
                                           "execx($(awsenv init xonsh))"]),
}
# Shells with no clock of their own: `date` may run at a prompt (awsenv still may not).
NO_CLOCK = {"fish", "elvish"}
# How each shell sets a variable by hand, and writes a variable's value (empty when unset) to a file.
SET = {"nu": "$env.{name} = '{value}'", "elvish": "set E:{name} = '{value}'", "xonsh": "${name} = '{value}'"}
WRITE = {"nu": "($env.{name}? | default '') | save -f '{target}'",
         "elvish": "print $E:{name} > '{target}'",
         "xonsh": "open('{target}', 'w').write(${{...}}.get('{name}', ''))"}


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
    shell: str
    child: pexpect.spawn
    log: Path
    scratch: Path
    count: int = 0

    def run(self, line: str, timeout: float = 30) -> str:
        """Type `line` and a marker after it; what the shell printed between the marker and the next prompt:
        what the hook said before that prompt. (Shells repaint the typed line: only the marker's output counts.)"""
        self.count += 1
        marker = f"printf '%s%s\\n' DO NE{self.count}"
        self.child.sendline(f"{line}; {marker}" if line else marker)
        self.child.expect_exact(f"DONE{self.count}", timeout=timeout)
        self.child.expect_exact(PROMPT, timeout=timeout)
        return self.child.before.replace("\r", "")

    def value(self, name: str) -> str:
        """The variable's value in the shell (empty when unset)."""
        target = self.scratch / f"value-{self.count + 1}"
        self.run(WRITE.get(self.shell, "printf '%s' \"${name}\" > '{target}'").format(name=name, target=target))
        return target.read_text()

    def set(self, name: str, value: str) -> None:
        self.run(SET.get(self.shell, "export {name}={value}").format(name=name, value=value))

    def runs(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def close(self) -> None:
        self.child.close(force=True)


class TmuxSession(ShellSession):
    """The same, in a tmux pane: for line editors that query the terminal (nushell's reedline asks for the cursor
    position, elvish redraws per key), which a bare pty does not answer. What was printed is read off the pane."""

    def __init__(self, shell: str, name: str, log: Path, scratch: Path) -> None:
        super().__init__(shell, None, log, scratch)  # type: ignore[arg-type]
        self.name = name

    def _pane(self) -> list[str]:
        done = subprocess.run(["tmux", "-L", self.name, "capture-pane", "-p", "-J", "-S", "-", "-t", self.name],
                              capture_output=True, text=True)
        return done.stdout.splitlines()

    def type(self, line: str) -> None:
        subprocess.run(["tmux", "-L", self.name, "send-keys", "-t", self.name, "-l", line], check=True)
        subprocess.run(["tmux", "-L", self.name, "send-keys", "-t", self.name, "Enter"], check=True)

    def wait_prompt(self, after: int = 0, timeout: float = 30) -> int:
        deadline = time.time() + timeout
        while time.time() < deadline:
            lines = self._pane()
            for index in range(after, len(lines)):
                if lines[index].startswith(PROMPT.rstrip()):
                    return index
            time.sleep(0.1)
        raise TimeoutError(f"no prompt after line {after}:\n" + "\n".join(self._pane()[-20:]))

    def run(self, line: str, timeout: float = 30) -> str:
        self.count += 1
        marker = (f'printf "%s%s\\n" DO NE{self.count}' if self.shell == "elvish"
                  else f"printf '%s%s\\n' DO NE{self.count}")
        self.type(f"{line}; {marker}" if line else marker)
        deadline = time.time() + timeout
        while True:
            lines = self._pane()
            done = [index for index, text in enumerate(lines) if text.strip() == f"DONE{self.count}"]
            if done:
                break
            if time.time() > deadline:
                raise TimeoutError(f"DONE{self.count} never came:\n" + "\n".join(lines[-20:]))
            time.sleep(0.1)
        prompt = self.wait_prompt(done[0] + 1, max(1.0, deadline - time.time()))
        return "\n".join(self._pane()[done[0] + 1:prompt])

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)


# Shells whose line editor needs a real terminal: driven in tmux.
IN_TMUX = {"nu", "elvish", "xonsh"}


def start(shell: str, env: dict, tmp_path: Path, extra_lines: Optional[list[str]] = None) -> ShellSession:
    argv, setup = INTERACTIVE[shell]
    binary = need_binary(argv[0])
    log = logging_bin(tmp_path / "logbin")
    env = {**env, "PATH": f"{tmp_path / 'logbin'}{os.pathsep}{env['PATH']}", "TERM": "dumb", "LANG": "C.UTF-8"}
    env.pop("PROMPT_COMMAND", None)
    init = tmp_path / "awsenv-init"
    if shell == "nu":  # nushell sources a file: its init is written there first
        init.write_text(subprocess.run([AWSENV, "init", "nu"], capture_output=True, text=True, check=True).stdout)
    lines = [line.replace("{init}", str(init)) for line in setup] + (extra_lines or [])
    if shell in IN_TMUX:
        name = f"awsenv-{os.getpid()}-{tmp_path.name}"[:60]
        tmux = need_binary("tmux")
        subprocess.run([tmux, "-L", name, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "250", "-y", "50",
                        "env", *[f"{k}={v}" for k, v in env.items()], binary, *argv[1:]],
                       check=True, env={**env, "TERM": "xterm"}, cwd=str(tmp_path))
        tmux_session = TmuxSession(shell, name, log, tmp_path)
        tmux_session.wait_prompt() if False else time.sleep(0.5)
        for line in lines:
            tmux_session.run(line)
        return tmux_session
    child = pexpect.spawn(binary, argv[1:], env=env, cwd=str(tmp_path), encoding="utf-8", dimensions=(50, 300),
                          timeout=30)
    session = ShellSession(shell, child, log, tmp_path)
    for line in lines:
        child.sendline(line)
        child.expect_exact(PROMPT)
    return session
