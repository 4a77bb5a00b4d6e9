"""The benchmark's world: a local STS (moto behind the test gate) on 127.0.0.1 and a throwaway AWS home."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.aws_data_path import aws_data_path
from tests.servers import sts_gate

ROLE = "arn:aws:iam::111111111111:role/deploy"
CHAIN = tuple(f"arn:aws:iam::11111111111{hop}:role/hop{hop}" for hop in (1, 2, 3))  # base → hop1 → hop2 → hop3
PROFILES_IN_BIG_CONFIG = 5000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class World:
    root: Path
    gate: sts_gate.StsGate
    moto: subprocess.Popen
    server: object

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    def env(self, big: bool = False, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS", "AWSENV"))}
        env.update(HOME=str(self.root), AWS_CONFIG_FILE=str(self.root / ("big-config" if big else "config")),
                   AWS_SHARED_CREDENTIALS_FILE=str(self.root / "credentials"), AWSENV_CACHE_DIR=str(self.cache),
                   AWS_ENDPOINT_URL_STS=self.gate.url, AWS_EC2_METADATA_DISABLED="true",
                   AWS_DATA_PATH=str(self.root / "aws-data"), AWS_DEFAULT_REGION="eu-west-1")
        env.update(extra)
        return env

    def forget_awsenv_credentials(self) -> None:
        """Drop the role's cached credentials (the IAM user's session stays cached for its own case)."""
        for entry in self.cache.glob("*.json"):
            if json.loads(entry.read_text()).get("kind") == "AssumeRole":
                entry.unlink()

    def forget_eks_tokens(self) -> None:
        """Drop awsenv's EKS tokens (the role's credentials stay cached)."""
        for entry in (self.cache / "eks").glob("*.json"):
            entry.unlink()

    def close(self) -> None:
        self.server.shutdown()
        self.moto.kill()
        self.moto.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _profiles(count_extra: int) -> str:
    text = f"[profile base]\nregion = eu-west-1\n\n[profile deploy]\nrole_arn = {ROLE}\nsource_profile = base\n" \
           "region = eu-west-1\n"
    source = "base"
    for hop, role in enumerate(CHAIN, 1):
        text += f"\n[profile hop{hop}]\nrole_arn = {role}\nsource_profile = {source}\nregion = eu-west-1\n"
        source = f"hop{hop}"
    for number in range(count_extra):
        text += (f"\n[profile team-{number:04d}]\nrole_arn = arn:aws:iam::{100000000000 + number}:role/r{number}\n"
                 f"source_profile = base\nregion = us-east-1\n")
    return text


def start() -> World:
    port = _free_port()
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    moto_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(moto_url + "/moto-api/data.json", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline or moto.poll() is not None:
                moto.kill()
                raise SystemExit("benchmarks: the local STS (moto) did not start")
            time.sleep(0.1)
    gate, server = sts_gate.start(moto_url)
    root = Path(tempfile.mkdtemp(prefix="awsenv-bench-"))
    (root / "credentials").write_text("[base]\naws_access_key_id = AKIAIOSFODNN7BASEKEY\n"
                                      "aws_secret_access_key = base/secret+key\n")
    (root / "config").write_text(_profiles(0))
    (root / "big-config").write_text(_profiles(PROFILES_IN_BIG_CONFIG - 2))
    aws_data_path(root / "aws-data", {"sts": gate.url})  # sends the AWS CLI v2's STS calls to the gate
    return World(root, gate, moto, server)
