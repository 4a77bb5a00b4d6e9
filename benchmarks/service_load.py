"""`python -m benchmarks.service_load` (part of `make bench`): the per-user credential service under 32 concurrent
clients, with awsenv installed from a wheel as users install it.

`awsenv export deploy --server` starts the service against the local STS, whose credentials here last
AWSENV_SERVER_MIN_TTL + 20 s, so the service renews them every 20 s or so while 32 clients (threads, each with its own
connection per request, as the SDKs do) ask it as fast as they can. Reported: requests, p50/p99/max latency, and
AssumeRole calls against the renewals the credentials' life allows (the service renews once per window, however
many clients ask).

    python -m benchmarks.service_load [--clients N] [--seconds S]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from benchmarks.install import install
from benchmarks.setup import start

MIN_TTL = 1200  # the service's own default: it keeps this much life in hand
SLACK = 20  # seconds of life beyond MIN_TTL the local STS hands out: one renewal window


def _load(url: str, token: str, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        while time.monotonic() < deadline:
            request = urllib.request.Request(url, headers={"Authorization": token})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    answer.read()
            except OSError:
                with lock:
                    failures[0] += 1
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.service_load")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=45.0)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="awsenv-service-bench-"))
    world = start()
    try:
        python = install(directory / "venv")
        awsenv = str(python.with_name("awsenv"))
        runtime = directory / "run"
        runtime.mkdir(mode=0o700)
        env = world.env(PATH=f"{python.parent}:/usr/local/bin:/usr/bin:/bin", XDG_RUNTIME_DIR=str(runtime),
                        AWSENV_SERVE_IDLE="60")
        world.gate.lifetime = MIN_TTL + SLACK
        exported = subprocess.run([awsenv, "export", "deploy", "--server", "--shell", "bash"], env=env,
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL, check=True).stdout
        values = dict(re.findall(r"^export (AWS[A-Z_]*)='([^']*)';$", exported, re.M))
        url, token = values["AWS_CONTAINER_CREDENTIALS_FULL_URI"], values["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        before = world.gate.actions().count("AssumeRole")
        latencies, failures = _load(url, token, args.clients, args.seconds)
        renewals = world.gate.actions().count("AssumeRole") - before
        subprocess.run([awsenv, "serve", "stop"], env=env, capture_output=True)
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"credential service under {args.clients} concurrent clients for {args.seconds:.0f} s "
              f"(awsenv from a wheel; credentials renewed every ~{SLACK} s)")
        print(f"requests answered: {len(latencies)} ({len(latencies) / args.seconds:.0f}/s), failed: {failures}")
        print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
        print(f"AssumeRole calls while serving: {renewals} (the credentials' life allows at most "
              f"{int(args.seconds // SLACK) + 1})")
    finally:
        world.close()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
