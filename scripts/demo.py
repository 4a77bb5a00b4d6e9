"""Try awsenv with no AWS account and nothing installed but awsenv: a small local STS (scripts/demo_sts.py, standard
library only) on 127.0.0.1, a throwaway HOME and config, an IAM user with MFA, two MFA roles sharing one MFA code, a
role whose AssumeRole carries the code itself, the shell integration in a real bash, and a cache hit that makes no
STS call. It needs no input: MFA codes come from the demo device's seed (the profiles' `mfa_process`). Everything
lives in a temporary directory, removed at the end.

    python3 scripts/demo.py      (with awsenv installed next to this python, or on PATH)
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import demo_sts  # noqa: E402 (next to this file)

HERE = Path(__file__).resolve().parent


def awsenv_binary() -> str:
    beside = Path(sys.executable).with_name("awsenv")
    found = str(beside) if os.access(beside, os.X_OK) else shutil.which("awsenv")
    if not found:
        sys.exit("awsenv is not installed: `pip install .` in a virtualenv first (or run `make demo`)")
    return found


class Demo:
    def __init__(self, work: Path, sts: demo_sts.Sts, url: str) -> None:
        self.work, self.sts, self.url = work, sts, url
        self.awsenv = awsenv_binary()
        path = os.path.dirname(self.awsenv) + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS", "_AWSENV"))}
        self.env.update(HOME=str(work), PATH=path, AWS_CONFIG_FILE=str(work / "config"),
                        AWS_SHARED_CREDENTIALS_FILE=str(work / "credentials"), AWSENV_CACHE_DIR=str(work / "cache"),
                        AWSENV_DATA_DIR=str(work / "data"), AWS_ENDPOINT_URL_STS=url, XDG_CACHE_HOME=str(work),
                        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")

    def run(self, title: str, argv: list[str]) -> subprocess.CompletedProcess:
        """Show the command, run it (no terminal, no input), show its stdout and stderr; stop on failure."""
        before = self.sts.total()
        print(f"\n$ {title}", flush=True)
        done = subprocess.run(argv, env=self.env, cwd=self.work, stdin=subprocess.DEVNULL, text=True,
                              capture_output=True, timeout=120)
        for line in done.stdout.splitlines():
            print("  " + _hide_secrets(line))
        for line in done.stderr.splitlines():
            print("  (stderr) " + line)
        print(f"  [STS requests: {self.sts.total() - before} for this command; "
              f"{_counts(self.sts)} in all]", flush=True)
        if done.returncode != 0:
            sys.exit(f"demo step failed with status {done.returncode}")
        return done


def _hide_secrets(line: str) -> str:
    """The demo's secrets are throwaway, but a screen full of them teaches the wrong habit."""
    for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        if name + "=" in line or name + " " in line:
            head = line.split(name, 1)[0] + name
            return head + ("=" if name + "=" in line else " ") + "<hidden>"
    return line


def _counts(sts: demo_sts.Sts) -> str:
    with sts.lock:
        counts = dict(sts.requests)
    return ", ".join(f"{action} {counts.get(action, 0)}" for action in ("GetSessionToken", "AssumeRole",
                                                                        "GetCallerIdentity"))


def write_files(work: Path) -> None:
    mfa_process = shlex.join([sys.executable, str(HERE / "demo_sts.py"), "code"])
    (work / "config").write_text(f"""\
[profile demo]
region = eu-west-1
mfa_serial = {demo_sts.MFA_SERIAL}
mfa_process = {mfa_process}

[profile demo-admin]
role_arn = arn:aws:iam::210987654321:role/Admin
source_profile = demo
region = eu-west-1
mfa_serial = {demo_sts.MFA_SERIAL}
mfa_process = {mfa_process}

[profile demo-readonly]
role_arn = arn:aws:iam::210987654321:role/ReadOnly
source_profile = demo
region = eu-west-1
mfa_serial = {demo_sts.MFA_SERIAL}
mfa_process = {mfa_process}

[profile demo-audit]
role_arn = arn:aws:iam::210987654321:role/Audit
source_profile = demo
region = eu-west-1
mfa_serial = {demo_sts.MFA_SERIAL}
duration_seconds = 7200
""")
    (work / "credentials").write_text(f"[demo]\naws_access_key_id = {demo_sts.USER_KEY_ID}\n"
                                      f"aws_secret_access_key = {demo_sts.USER_SECRET}\n")
    for name in ("config", "credentials"):
        os.chmod(work / name, 0o600)


BASH_SESSION = """\
eval "$(awsenv init bash)"
echo "before: AWSENV_PROFILE=${AWSENV_PROFILE:-<unset>} AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-<unset>}"
awsenv role demo-admin
echo "after:  AWSENV_PROFILE=$AWSENV_PROFILE AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID"
echo "        AWS_REGION=${AWS_REGION:-<unset>} AWS_CREDENTIAL_EXPIRATION=$AWS_CREDENTIAL_EXPIRATION"
"$PYTHON" -c 'import boto3; print("boto3 in this shell is", boto3.client("sts").get_caller_identity()["Arn"])'
awsenv unset
echo "unset:  AWSENV_PROFILE=${AWSENV_PROFILE:-<unset>} AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-<unset>}"
"""


def main() -> None:
    sts, server, url = demo_sts.start()
    work = Path(tempfile.mkdtemp(prefix="awsenv-demo-"))
    try:
        os.chmod(work, 0o700)
        write_files(work)
        demo = Demo(work, sts, url)
        print(f"A local STS stand-in listens on {url} (AWS_ENDPOINT_URL_STS); HOME is {work}.")
        print(f"The demo MFA device's seed is {demo_sts.MFA_SEED} (its codes come from `mfa_process`);")
        print("the AWS config:\n  " + (work / "config").read_text().rstrip().replace("\n", "\n  "))

        print("\n== An IAM user with MFA: GetSessionToken with one code opens a 12h MFA session")
        demo.run("awsenv user demo --shell bash", [demo.awsenv, "user", "demo", "--shell", "bash"])

        print("\n== Two MFA roles sharing that MFA session: one code for both, no new MFA prompt")
        demo.run("awsenv role demo-admin --shell bash", [demo.awsenv, "role", "demo-admin", "--shell", "bash"])
        demo.run("awsenv role demo-readonly --shell bash",
                 [demo.awsenv, "role", "demo-readonly", "--shell", "bash"])
        demo.run("awsenv explain demo-readonly", [demo.awsenv, "explain", "demo-readonly"])

        print("\n== A 2h role session: AssumeRole carries an MFA code itself (here the next code, given with "
              "--mfa-code; no shell variable needed)")
        code = demo_sts.totp(step=1)
        demo.run(f"awsenv role demo-audit --shell bash --mfa-code {code}",
                 [demo.awsenv, "role", "demo-audit", "--shell", "bash", "--mfa-code", code])

        print("\n== The cache: the same command again is served from awsenv's cache, without calling STS")
        demo.run("awsenv role demo-admin --shell bash", [demo.awsenv, "role", "demo-admin", "--shell", "bash"])
        print("  (the same keys as the first `awsenv role demo-admin`, and 0 STS requests: a cache hit)")

        bash = shutil.which("bash", path=demo.env["PATH"])
        if bash:
            print("\n== The shell integration, in a real bash: `awsenv role` changes that shell's variables")
            demo.env["PYTHON"] = sys.executable
            demo.run("bash  (eval \"$(awsenv init bash)\"; awsenv role demo-admin; …)",
                     [bash, "--norc", "--noprofile", "-e", "-u", "-c", BASH_SESSION])
        else:
            print("\n(no bash here: skipping the shell integration)")
        print(f"\nDone: {_counts(sts)} STS requests for everything above.")
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
