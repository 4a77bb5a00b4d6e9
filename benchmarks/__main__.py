"""`python -m benchmarks` (`make bench`): awsenv as a user installs it, timed against a bare interpreter start, a
minimal boto3 script making the same AssumeRole, botocore's own config loader, and the peers installed here
(`awsenv eks token`'s cache hit against `aws eks get-token` too).

awsenv is built into a wheel and installed, not editable, into a throwaway virtualenv (see benchmarks/install.py);
that virtualenv's interpreter runs the baseline and the reference scripts. Every case runs once per round and the
rounds interleave the cases, so a busy machine slows all of them alike; the report gives each case's median with
its min–max and its ratio to the reference it is judged against, and the machine's load average.

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

from benchmarks.install import REPO, install
from benchmarks.setup import CHAIN, PROFILES_IN_BIG_CONFIG, ROLE, World, start

AWS_CLI_V2 = "/usr/bin/aws"  # Debian's; a pip-installed v1 may come first on PATH
PARALLEL = 16
BARE = "python -c pass (bare interpreter of the virtualenv)"
BOTO3 = "minimal boto3 script: the same AssumeRole"
BOTO3_CHAIN = "minimal boto3 script: the same three AssumeRoles, each with the last one's credentials"
EKS_CLI = "aws eks get-token --profile base (AWS CLI v2: static keys, signs locally, keeps no token)"
PARSE = f"botocore's config loader: parse the {PROFILES_IN_BIG_CONFIG:,}-profile config and the credentials"
TARGETS = {  # what each comparison should stay within
    BARE: 2.5, BOTO3: 1.2, BOTO3_CHAIN: 1.2, PARSE: 2.0,
}

BOTO3_SCRIPT = f"""
import boto3
session = boto3.Session(profile_name="base")
creds = session.client("sts", region_name="eu-west-1").assume_role(
    RoleArn="{ROLE}", RoleSessionName="bench")["Credentials"]
print("export AWS_ACCESS_KEY_ID=" + creds["AccessKeyId"])
"""
BOTO3_CHAIN_SCRIPT = f"""
import boto3
session = boto3.Session(profile_name="base")
keys = {{}}
for role in {list(CHAIN)!r}:
    creds = session.client("sts", region_name="eu-west-1", **keys).assume_role(
        RoleArn=role, RoleSessionName="bench")["Credentials"]
    keys = dict(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"])
print("export AWS_ACCESS_KEY_ID=" + creds["AccessKeyId"])
"""
PARSE_SCRIPT = """
import os
from botocore.configloader import load_config, raw_config_parse
load_config(os.environ["AWS_CONFIG_FILE"])
raw_config_parse(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
"""


@dataclass
class Case:
    name: str
    run: Callable[[], None]
    reference: Optional[str] = None  # the name of the case this one is judged against
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


def cases(world: World, python: Path, awsume: Optional[str]) -> list[Case]:
    env, big = world.env(), world.env(big=True)
    awsenv = str(python.with_name("awsenv"))
    py = str(python)
    many = f"{PROFILES_IN_BIG_CONFIG:,} profiles"
    found = [
        Case(BARE, lambda: _run([py, "-c", "pass"], env, False)),
        Case("awsenv role deploy: cache hit", lambda: _run([awsenv, "role", "deploy", "--shell", "bash"], env), BARE),
        Case("awsenv export deploy --format json: cache hit",
             lambda: _run([awsenv, "export", "deploy", "--format", "json"], env), BARE),
        Case("awsenv user base: cache hit", lambda: _run([awsenv, "user", "base", "--shell", "fish"], env), BARE),
        Case("awsenv credential-process deploy: cache hit", lambda: _run([awsenv, "credential-process", "deploy"], env),
             BARE),
        Case(f"awsenv export deploy: cache hit, {many}",
             lambda: _run([awsenv, "export", "deploy", "--shell", "bash"], big), BARE),
        Case(BOTO3, lambda: _run([py, "-c", BOTO3_SCRIPT], env)),
        Case("awsenv role deploy: cold, one AssumeRole on the local STS",
             lambda: _run([awsenv, "role", "deploy", "--shell", "bash"], env), BOTO3, world.forget_awsenv_credentials),
        Case(BOTO3_CHAIN, lambda: _run([py, "-c", BOTO3_CHAIN_SCRIPT], env)),
        Case("awsenv role hop3: cold, three AssumeRoles in a chain",
             lambda: _run([awsenv, "role", "hop3", "--shell", "bash"], env), BOTO3_CHAIN, world.forget_awsenv_credentials),
        Case(f"awsenv credential-process deploy: {PARALLEL} parallel, cold (one AssumeRole for all)",
             lambda: _parallel([awsenv, "credential-process", "deploy"], env, PARALLEL), None,
             world.forget_awsenv_credentials),
        Case(PARSE, lambda: _run([py, "-c", PARSE_SCRIPT], big, False)),
        Case(f"awsenv explain deploy, {many}", lambda: _run([awsenv, "explain", "deploy"], big), PARSE),
        Case(f"awsenv list, {many}", lambda: _run([awsenv, "list"], big), PARSE),
    ]
    if os.access(AWS_CLI_V2, os.X_OK):
        found.append(Case("aws configure export-credentials (AWS CLI v2): its cache hit", lambda: _run(
            [AWS_CLI_V2, "configure", "export-credentials", "--profile", "deploy", "--format", "env"], env), BARE))
        eks_hit = [awsenv, "eks", "token", "deploy", "--cluster", "alpha"]
        found += [
            Case(EKS_CLI, lambda: _run([AWS_CLI_V2, "eks", "get-token", "--cluster-name", "alpha", "--profile", "base"],
                                       env)),
            Case("awsenv eks token deploy --cluster alpha: cache hit", lambda: _run(eks_hit, env), BARE),
            Case("awsenv eks token deploy --cluster alpha: cache hit, against the AWS CLI", lambda: _run(eks_hit, env),
                 EKS_CLI),
            Case("awsenv eks token deploy --cluster alpha: new token (role credentials cached)",
                 lambda: _run(eks_hit, env), EKS_CLI, world.forget_eks_tokens),
        ]
    if awsume:
        found.append(Case("awsume deploy -s (awsume caches no role credentials: one AssumeRole each)",
                          lambda: _run([awsume, "deploy", "-s"], env, False), BOTO3))
    return found


def find_awsume(given: Optional[str]) -> Optional[str]:
    for candidate in (given, shutil.which("awsumepy"), "/tmp/awsume-venv/bin/awsumepy"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def machine(python: Path) -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True).stdout.strip()
    return f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {version}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--awsume", help="path of awsume's awsumepy (default: on PATH or /tmp/awsume-venv)")
    args = parser.parse_args()
    python = install(REPO / "build" / "bench")
    world = start()
    try:
        awsume = find_awsume(args.awsume)
        measured = cases(world, python, awsume)
        for case in measured:  # warm-up: fills every cache (awsenv's, the AWS CLI's) and the page cache
            case.prepare()
            case.run()
        if awsume is None:
            print("awsume: not found (pip install awsume into a throwaway venv at /tmp/awsume-venv to measure it)",
                  file=sys.stderr)
        load_at_start = load()
        mark = len(world.gate.calls)
        for number in range(args.rounds):
            for case in measured:
                case.prepare()
                started = time.perf_counter()
                case.run()
                case.times.append(time.perf_counter() - started)
            print(f"round {number + 1}/{args.rounds}", file=sys.stderr, end="\r")
        print(file=sys.stderr)
        report(measured, world, mark, args.rounds, machine(python), load_at_start)
    finally:
        world.close()
    return 0


def report(measured: list[Case], world: World, mark: int, rounds: int, machine_text: str, load_at_start: str) -> None:
    medians = {case.name: statistics.median(case.times) for case in measured}
    print("| case | median ms | min–max ms | ratio |\n|---|---:|---:|---|")
    for case in measured:
        median = medians[case.name]
        ratio = (f"{median / medians[case.reference]:.2f}× {_short(case.reference)}" if case.reference else "")
        print(f"| {case.name} | {median * 1000:.0f} | {min(case.times) * 1000:.0f}–{max(case.times) * 1000:.0f} "
              f"| {ratio} |")
    print(f"\n{rounds} interleaved rounds; {machine_text}; load average (1, 5, 15 min) {load_at_start} at the start "
          f"of the rounds, {load()} at the end")
    for case in measured:
        if case.reference in TARGETS and case.name.startswith("awsenv"):
            ratio, target = medians[case.name] / medians[case.reference], TARGETS[case.reference]
            verdict = "within" if ratio <= target else "OVER"
            print(f"- {case.name}: {ratio:.2f}× {_short(case.reference)}, {verdict} the {target}× target")
    assume_calls = sum(1 for call in world.gate.calls[mark:] if call.action == "AssumeRole"
                       and str(call.params.get("RoleSessionName", "")).startswith("awsenv-"))
    print(f"AssumeRole calls by awsenv during the rounds: {assume_calls}; {5 * rounds} expected (a round: one for the "
          f"cold `role deploy`, three for the chain, one for the {PARALLEL} parallel callers)")


def _short(reference: str) -> str:
    return {BARE: "python -c pass", BOTO3: "the boto3 script", BOTO3_CHAIN: "the boto3 chain script",
            PARSE: "botocore's parse",
            EKS_CLI: "aws eks get-token"}.get(reference, reference)


if __name__ == "__main__":
    sys.exit(main())
