"""Try awsenv with no AWS account: a local STS (moto) on 127.0.0.1, a throwaway config, the user and role flows,
and the AWS CLI using what awsenv exported. Everything lives in a temporary directory and is removed at the end."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

AWSENV = str(Path(sys.executable).with_name("awsenv"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def show(title: str, argv: list[str], env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    print(f"\n$ {title}", flush=True)
    done = subprocess.run(argv, env=env, input=stdin, text=True, capture_output=True)
    for line in done.stdout.splitlines():
        print("  " + line)
    for line in done.stderr.splitlines():
        print("  (stderr) " + line)
    if done.returncode != 0:
        sys.exit(f"demo step failed with status {done.returncode}")
    return done


def main() -> None:
    port = free_port()
    sts_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    work = Path(tempfile.mkdtemp(prefix="awsenv-demo-"))
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(sts_url + "/moto-api/data.json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        (work / "config").write_text(
            "[profile demo]\nregion = eu-west-1\n\n"
            "[profile demo-admin]\nrole_arn = arn:aws:iam::210987654321:role/Admin\nsource_profile = demo\n"
            "region = eu-west-1\n")
        (work / "credentials").write_text(
            "[demo]\naws_access_key_id = AKIAIOSFODNN7DEMOKEY\naws_secret_access_key = demo/secret/key\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS")}
        env.update(HOME=str(work), AWS_CONFIG_FILE=str(work / "config"),
                   AWS_SHARED_CREDENTIALS_FILE=str(work / "credentials"), AWSENV_CACHE_DIR=str(work / "cache"),
                   AWS_ENDPOINT_URL_STS=sts_url)
        print(f"A local STS is listening on {sts_url}; the AWS config is in {work}:")
        print("  " + (work / "config").read_text().replace("\n", "\n  "))
        show("awsenv user demo --shell bash", [AWSENV, "user", "demo", "--shell", "bash"], env)
        role = show("awsenv role demo-admin --shell bash", [AWSENV, "role", "demo-admin", "--shell", "bash"], env)
        show("awsenv explain demo-admin", [AWSENV, "explain", "demo-admin"], env)
        aws = "/usr/bin/aws" if os.access("/usr/bin/aws", os.X_OK) else shutil.which("aws")
        if aws:
            script = role.stdout + f'\n"{aws}" sts get-caller-identity --endpoint-url {sts_url} --output json\n'
            show('eval "$(awsenv role demo-admin)"; aws sts get-caller-identity', ["bash", "-c", script], env)
        else:
            print("\n(no AWS CLI installed: skipping `aws sts get-caller-identity`)")
        show("awsenv exec demo-admin -- python3 -c 'import os; print(os.environ[\"AWSENV_PROFILE\"])'",
             [AWSENV, "exec", "demo-admin", "--", sys.executable, "-c",
              "import os; print(os.environ['AWSENV_PROFILE'])"], env)
        print("\nThe second `awsenv role demo-admin` is served from the cache: no STS call.")
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
