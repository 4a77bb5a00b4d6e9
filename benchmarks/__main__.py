"""`python -m benchmarks` (`make bench`): awsenv's wall times against a bare interpreter start and the peers here.

Every case runs once per round and the rounds interleave the cases, so a busy machine slows all of them alike;
the report gives medians and ratios to `python -c pass` measured in the same rounds.

    python -m benchmarks [--rounds N] [--awsume PATH]   (PATH: awsume's `awsumepy`, e.g. from a throwaway venv)
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from benchmarks.setup import PROFILES_IN_BIG_CONFIG, World, start

AWSENV = str(Path(sys.executable).with_name("awsenv"))
AWS_CLI_V2 = "/usr/bin/aws"  # Debian's; a pip-installed v1 may come first on PATH
PARALLEL = 16


@dataclass
class Case:
    name: str
    run: Callable[[], None]
    prepare: Callable[[], None] = lambda: None
    times: list[float] = field(default_factory=list)


def _run(argv: list[str], env: dict, check_output: bool = True) -> None:
    done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          start_new_session=True)
    if done.returncode != 0 or (check_output and not done.stdout):
        raise RuntimeError(f"{' '.join(argv[:3])}… failed ({done.returncode}): {done.stderr.decode()[-400:]}")


def _parallel(argv: list[str], env: dict, count: int) -> None:
    procs = [subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, start_new_session=True) for _ in range(count)]
    failed = [proc for proc in procs if proc.communicate()[0] == b"" or proc.returncode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} of {count} parallel calls failed")


def cases(world: World, awsume: Optional[str]) -> list[Case]:
    env, big = world.env(), world.env(big=True)
    found = [
        Case("python -c pass (bare interpreter)", lambda: _run([sys.executable, "-c", "pass"], env, False)),
        Case("awsenv export deploy: cache hit", lambda: _run([AWSENV, "export", "deploy", "--shell", "bash"], env)),
        Case("awsenv credential-process deploy: cache hit",
             lambda: _run([AWSENV, "credential-process", "deploy"], env)),
        Case(f"awsenv export deploy: cache hit, {PROFILES_IN_BIG_CONFIG} profiles",
             lambda: _run([AWSENV, "export", "deploy", "--shell", "bash"], big)),
        Case(f"awsenv explain deploy: config parse, {PROFILES_IN_BIG_CONFIG} profiles",
             lambda: _run([AWSENV, "explain", "deploy"], big)),
        Case("awsenv role deploy: cold, one AssumeRole on local STS",
             lambda: _run([AWSENV, "role", "deploy", "--shell", "bash"], env), world.forget_awsenv_credentials),
        Case(f"awsenv credential-process deploy: {PARALLEL} parallel, cold",
             lambda: _parallel([AWSENV, "credential-process", "deploy"], env, PARALLEL),
             world.forget_awsenv_credentials),
    ]
    if os.access(AWS_CLI_V2, os.X_OK):
        found.append(Case("aws configure export-credentials (AWS CLI v2): its cache hit", lambda: _run(
            [AWS_CLI_V2, "configure", "export-credentials", "--profile", "deploy", "--format", "env"], env)))
    if awsume:
        found.append(Case("awsume deploy -s (awsume caches no role credentials: one AssumeRole each)",
                          lambda: _run([awsume, "deploy", "-s"], env, False)))
    return found


def find_awsume(given: Optional[str]) -> Optional[str]:
    for candidate in (given, shutil.which("awsumepy"), "/tmp/awsume-venv/bin/awsumepy"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, load average {load:.1f} at start")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--awsume", help="path of awsume's awsumepy (default: on PATH or /tmp/awsume-venv)")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    world = start()
    try:
        awsume = find_awsume(args.awsume)
        measured = cases(world, awsume)
        for case in measured:  # warm-up: fills every cache (awsenv's, the AWS CLI's, awsume's) and the page cache
            case.prepare()
            case.run()
        if awsume is None:
            print("awsume: not found (pip install awsume into a throwaway venv at /tmp/awsume-venv to measure it)",
                  file=sys.stderr)
        mark = len(world.gate.calls)
        for number in range(args.rounds):
            for case in measured:
                case.prepare()
                started = time.perf_counter()
                case.run()
                case.times.append(time.perf_counter() - started)
            print(f"round {number + 1}/{args.rounds}", file=sys.stderr, end="\r")
        print(file=sys.stderr)
        report(measured, world, mark, args.rounds)
    finally:
        world.close()
    return 0


def report(measured: list[Case], world: World, mark: int, rounds: int) -> None:
    bare = statistics.median(measured[0].times)
    assume_calls = sum(1 for call in world.gate.calls[mark:] if call.action == "AssumeRole"
                       and str(call.params.get("RoleSessionName", "")).startswith("awsenv-"))
    print("| case | median ms | × bare python |\n|---|---:|---:|")
    for case in measured:
        median = statistics.median(case.times)
        print(f"| {case.name} | {median * 1000:.0f} | {median / bare:.1f}× |")
    print(f"\n{rounds} interleaved rounds; machine: {machine()}")
    cold_rounds = 2 * rounds  # the single cold call and the parallel burst each forget the cache once per round
    print(f"AssumeRole calls by awsenv during the rounds: {assume_calls} for {cold_rounds} cold starts "
          f"({PARALLEL} processes each in the parallel case)")


if __name__ == "__main__":
    sys.exit(main())
