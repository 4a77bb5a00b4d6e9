"""`python -m benchmarks.prompt_hook` (part of `make bench`): what the shell integration's prompt hook costs per
prompt in each shell, with awsenv installed from a wheel as users install it.

Each shell runs its hook N times in one process, and the same loop without the hook (best of three runs each); the
difference per call is the hook's cost. Two states: fresh credentials (the hook compares the exported expiry with the shell's clock and draws
the prompt segment; no process, except `date` in fish and elvish), and credentials in the renewal window, renewed
from awsenv's cache on every call (one `awsenv renew` per prompt: what happens once per renewal window).

    python -m benchmarks.prompt_hook [--fresh N] [--renewing N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.install import install
from benchmarks.setup import start

# shell: (argv that runs a script file, the loop with {hook}, the no-op, the state's setup {expires}, its reset)
LOOPS = {
    "bash": (["bash", "--norc", "--noprofile"], "for i in $(seq {n}); do {reset}; {hook}; done", ":",
             "export AWSENV_EXPIRES_AT={expires}"),
    "zsh": (["zsh", "-f"], "for i in {{1..{n}}}; do {reset}; {hook}; done", ":", "export AWSENV_EXPIRES_AT={expires}"),
    "ksh": (["ksh"], "i=0; while [ $i -lt {n} ]; do i=$((i+1)); {reset}; {hook}; done", ":",
            "export AWSENV_EXPIRES_AT={expires}"),
    "mksh": (["mksh"], "i=0; while [ $i -lt {n} ]; do i=$((i+1)); {reset}; {hook}; done", ":",
             "export AWSENV_EXPIRES_AT={expires}"),
    "fish": (["fish", "--no-config"], "for i in (seq {n}); {reset}; {hook}; end", "true",
             "set -gx AWSENV_EXPIRES_AT {expires}"),
    "nu": (["nu", "--no-config-file"], "for i in 1..{n} {{ {reset}; {hook} }}", "null",
           "$env.AWSENV_EXPIRES_AT = '{expires}'"),
    "elvish": (["elvish", "-norc"], "range {n} | each {{|i| {reset}; {hook} }}", "nop",
               "set-env AWSENV_EXPIRES_AT {expires}"),
    "xonsh": (["xonsh", "--no-rc"], "for i in range({n}):\n    {reset}\n    {hook}", "pass",
              "${{...}}['AWSENV_EXPIRES_AT'] = '{expires}'"),
}
HOOK = {"xonsh": "events.on_pre_prompt.fire()", "fish": "__awsenv_hook", "nu": "__awsenv_hook"}
INIT = {"ksh": "ksh", "mksh": "ksh"}


def _init(awsenv: str, shell: str, directory: Path) -> str:
    """The shell's integration, loaded from a file the script sources (elvish's editor-only lines left out)."""
    name = INIT.get(shell, shell)
    text = subprocess.run([awsenv, "init", name], capture_output=True, text=True, check=True).stdout
    if shell == "elvish":
        text = "\n".join(line for line in text.splitlines() if "edit:" not in line)
    path = directory / f"init.{shell}"
    path.write_text(text)
    load = {"fish": f"source {path}", "nu": f"source {path}", "elvish": text,  # an eval'd fn stays inside the eval
            "xonsh": f"execx(open('{path}').read())"}
    return load.get(shell, f". {path}")


def _script(shell: str, load: str, n: int, hook: bool, expires: str) -> str:
    argv, loop, noop, state = LOOPS[shell]
    reset = state.format(expires=expires)
    body = loop.format(n=n, reset=reset, hook=HOOK.get(shell, "__awsenv_hook") if hook else noop)
    common = {"nu": "$env.AWSENV_PROFILE = 'deploy'", "elvish": "set-env AWSENV_PROFILE deploy",
              "xonsh": "${...}['AWSENV_PROFILE'] = 'deploy'", "fish": "set -gx AWSENV_PROFILE deploy"}
    setup = common.get(shell, "export AWSENV_PROFILE=deploy")
    warm = HOOK.get(shell, "__awsenv_hook")  # the first call looks at the directory (one `awsenv chdir`): not timed
    return f"{load}\n{setup}\n{warm}\n{body}\n"


def _time(shell: str, script: str, env: dict, directory: Path) -> float:
    path = directory / f"loop.{shell}"
    path.write_text(script)
    argv = LOOPS[shell][0]
    started = time.perf_counter()
    done = subprocess.run([*argv, str(path)], env=env, cwd=directory, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or done.stderr.strip():
        raise RuntimeError(f"{shell}: {done.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.prompt_hook")
    parser.add_argument("--fresh", type=int, default=200, help="hook calls with fresh credentials (default 200)")
    parser.add_argument("--renewing", type=int, default=20, help="hook calls that renew from the cache (20)")
    parser.add_argument("--shell", action="append", help="only this shell (repeatable)")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="awsenv-hook-bench-"))
    world = start()
    try:
        python = install(directory / "venv")
        awsenv = str(python.with_name("awsenv"))
        env = world.env(PATH=f"{python.parent}:/usr/local/bin:/usr/bin:/bin")
        exported = subprocess.run([awsenv, "role", "deploy", "--shell", "bash"], env=env, capture_output=True,
                                  text=True, check=True).stdout
        env.update(dict(re.findall(r"^export (AWS[A-Z_]*)='([^']*)';$", exported, re.M)))
        if not env.get("AWS_ACCESS_KEY_ID"):
            raise SystemExit(f"benchmarks: no credentials in awsenv's export:\n{exported}")
        env.pop("AWSENV_EXPIRES_AT", None)
        env.pop("AWSENV_PERSON_NEEDED_AT", None)
        now = int(time.time())
        print(f"prompt hook cost per prompt (awsenv from a wheel; {args.fresh} fresh calls, {args.renewing} renewing)")
        print(f"{'shell':8} {'fresh':>10} {'renewing from the cache':>26}")
        for shell in [name for name in LOOPS if not args.shell or name in args.shell]:
            if not shutil.which(LOOPS[shell][0][0]):
                print(f"{shell:8} {'not installed':>10}")
                continue
            load = _init(awsenv, shell, directory)
            costs = []
            for n, expires in ((args.fresh, str(now + 3600)), (args.renewing, str(now + 30))):
                with_hook = min(_time(shell, _script(shell, load, n, True, expires), env, directory)
                                for _ in range(3))
                without = min(_time(shell, _script(shell, load, n, False, expires), env, directory) for _ in range(3))
                costs.append(max(with_hook - without, 0.0) / n * 1000)
            print(f"{shell:8} {costs[0]:>8.2f}ms {costs[1]:>24.1f}ms")
    finally:
        world.close()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
