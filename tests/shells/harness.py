"""Run real shells on rendered awsenv output and read the environment a child process sees, byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from tests.helpers import need_binary

# A child process that writes its whole environment as {name: hex(value)}: bytes compared, nothing decoded.
DUMP_ENV = ("import json, os, sys\n"
            "json.dump({k.decode('latin-1'): v.hex() for k, v in os.environb.items()}, open(sys.argv[1], 'w'))\n")


@dataclass(frozen=True)
class RealShell:
    """A shell binary, the dialect awsenv renders for it, and the documented way to load that output."""

    binary: str
    dialect: str
    argv: tuple[str, ...]  # how to run a script non-interactively without any rc file
    load: str  # the documented load line; {out} is a command printing awsenv's output
    then: str  # run a child: {py} {dump} {env}

    def script(self, out_command: str, py: str, dump: str, env_file: str) -> str:
        return self.load.format(out=out_command) + "\n" + self.then.format(py=py, dump=dump, env=env_file) + "\n"


_POSIX_THEN = "{py} {dump} {env}"
SHELLS = {
    "bash": RealShell("bash", "bash", ("--norc", "--noprofile", "-c"), 'eval "$({out})"', _POSIX_THEN),
    "zsh": RealShell("zsh", "zsh", ("-f", "-c"), 'eval "$({out})"', _POSIX_THEN),
    "dash": RealShell("dash", "sh", ("-c",), 'eval "$({out})"', _POSIX_THEN),
    "ksh": RealShell("ksh", "ksh", ("-c",), 'eval "$({out})"', _POSIX_THEN),
    "mksh": RealShell("mksh", "ksh", ("-c",), 'eval "$({out})"', _POSIX_THEN),
    "bash-posix": RealShell("bash", "sh", ("--posix", "--norc", "--noprofile", "-c"), 'eval "$({out})"', _POSIX_THEN),
    "fish": RealShell("fish", "fish", ("--no-config", "-c"), "{out} | source", _POSIX_THEN),
    "tcsh": RealShell("tcsh", "tcsh", ("-f", "-c"), 'eval "`{out}`"', _POSIX_THEN),
    "csh": RealShell("tcsh", "csh", ("-f", "-c"), 'eval "`{out}`"', _POSIX_THEN),
    "elvish": RealShell("elvish", "elvish", ("-norc", "-c"), "eval ({out} | slurp)", _POSIX_THEN),
    "xonsh": RealShell("xonsh", "xonsh", ("--no-rc", "-c"), "execx($({out}))", _POSIX_THEN),
    "nu": RealShell("nu", "nu", ("-n", "-c"), "load-env ({out} | from json)", "^{py} {dump} {env}"),
}


def run_rendered(shell: RealShell, rendered: str, workdir: Path,
                 environ: Optional[Mapping[str, str]] = None) -> dict[str, bytes]:
    """Load `rendered` in the real shell the documented way; the environment of a child process, as bytes."""
    binary = need_binary(shell.binary)
    output = workdir / "awsenv-output.txt"
    output.write_text(rendered, encoding="utf-8")
    dump = workdir / "dump_env.py"
    dump.write_text(DUMP_ENV)
    env_file = workdir / "env.json"
    if env_file.exists():
        env_file.unlink()
    script = shell.script(f"cat {output}", sys.executable, str(dump), str(env_file))
    base = {"PATH": os.environ["PATH"], "HOME": str(workdir), "LANG": "C.UTF-8", "TERM": "dumb"}
    base.update(environ or {})
    done = subprocess.run([binary, *shell.argv, script], capture_output=True, env=base, cwd=str(workdir),
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, (shell, done.stdout, done.stderr)
    return {name: bytes.fromhex(value) for name, value in json.loads(env_file.read_text()).items()}
