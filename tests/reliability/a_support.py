"""Canary secrets and the scans for them, shared by the secret-hygiene cases (tests/reliability/test_a_*)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from tests.helpers import MFA_SERIAL, TOTP_SEED
from tests.servers.loopback import QuietHandler, serve
from tests.servers.sts_gate import RoleRule

BASE_KEY_ID = "AKIACANARYBASEKEY123"
BASE_SECRET = "canarySECRETbase/0123456789abcdefghijKL"
PROD = "arn:aws:iam::210987654321:role/prod-admin"


def mfa_serial_of(name: str) -> str:
    """An MFA device per profile (all on the same seed), so every run needs, and sends, a code of its own."""
    return MFA_SERIAL if name == "prod" else f"{MFA_SERIAL}-{name}"


def canary_home(home, sts, *profiles: str, mfa: bool = True) -> None:
    """[base]: canary long-lived keys; each of `profiles`: a role on them behind MFA from mfa_process."""
    home.write_credentials(f"[base]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = {BASE_SECRET}\n")
    sections = ["[profile base]\nregion = us-east-1\n"]
    for name in profiles:
        sts.roles[PROD] = RoleRule(require_mfa=mfa)
        sections.append(f"[profile {name}]\nrole_arn = {PROD}\nsource_profile = base\nregion = eu-central-1\n")
        if mfa:
            sts.seeds[mfa_serial_of(name)] = TOTP_SEED
            sections.append(f"mfa_serial = {mfa_serial_of(name)}\nmfa_process = {home.mfa_process()}\n")
    home.write_config("".join(sections))


def cached_secrets(home) -> set[str]:
    """Every secret key and session token in awsenv's cache: what STS handed out during the test."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("SecretAccessKey", "SessionToken") and isinstance(item, str):
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in home.cache.rglob("*"):
        if path.is_file():
            try:
                walk(json.loads(path.read_bytes()))
            except ValueError:
                pass
    return found


def secrets_of(home, sts, issued=(), codes=()) -> dict[str, str]:
    """name -> value of every secret the run could have held: the base secret, the MFA codes sent, what STS issued."""
    found = {"base secret": BASE_SECRET}
    for index, code in enumerate(sts.codes_sent() + list(codes)):
        found[f"MFA code #{index}"] = code
    for index, value in enumerate(sorted(cached_secrets(home) | {v for v in issued if v})):
        found[f"issued secret #{index}"] = value
    return found


def leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, value in secrets.items() if value and value in text]


def files_with_secrets(home, secrets: dict[str, str]) -> dict[str, list[str]]:
    """Files under HOME holding a secret they should not: the base secret belongs in the credentials file only, issued
    credentials in awsenv's cache entries (and a --write-profile section) only, an MFA code nowhere."""
    found = {}
    for path in home.root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        allowed = set()
        if path == home.credentials:
            allowed = {name for name in secrets if not name.startswith("MFA")}
        elif home.cache in path.parents:
            allowed = {name for name in secrets if name.startswith("issued")}
        leaked = [name for name in leaks(text, secrets) if name not in allowed]
        if leaked:
            found[str(path.relative_to(home.root))] = leaked
    return found


def region_disabled_sts():
    """A regional STS endpoint whose region is not activated: every call is refused with RegionDisabledException.
    The MFA codes it was sent are kept, to look for them in the output."""
    codes: list[str] = []

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            codes.extend(parse_qs(body).get("TokenCode", []))
            self.reply(403, (
                '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                "<Code>RegionDisabledException</Code><Message>STS is not activated in this region for account "
                "123456789012. Your account administrator can activate STS in this region using the IAM Console."
                "</Message></Error><RequestId>off</RequestId></ErrorResponse>").encode(), "text/xml")

    url, server = serve(Handler)
    return url, server, codes


# Loaded through PYTHONPATH by the awsenv process, which takes the switch out of the environment so that the programs
# it starts (mfa_process) are left alone: its stdout refuses every write with an error whose text quotes what was
# written, i.e. the credentials, as a careless library would.
REFUSING_STDOUT = '''
import os
import sys


class RefusingStdout:
    def __init__(self, real):
        self._real = real

    def write(self, text):
        raise RuntimeError("the output writer refused " + repr(text))

    def __getattr__(self, name):
        return getattr(self._real, name)


if os.environ.pop("REFUSE_STDOUT", None):
    sys.stdout = RefusingStdout(sys.stdout)
'''


def no_traceback_shown(stderr: str) -> bool:
    return "Traceback" not in stderr and not any(mark in stderr for mark in "╭│╰")


# The command awsenv runs: reports its whole environment and its own argv as the kernel holds it.
REPORTING_CHILD = """
import json, os
cmdline = open("/proc/self/cmdline", "rb").read().decode("utf-8", "replace")
print(json.dumps({"env": dict(os.environ), "cmdline": cmdline}))
"""


# Loaded through PYTHONPATH by the awsenv process: a DeprecationWarning raised in the middle of the run (when the
# output module is imported, on the full and on the cache-hit path alike).
WARNING_MIDWAY = '''
import sys
import warnings


def _warn_on_output(event, args):
    if event == "import" and args[0] == "awsenv.shells.output":
        warnings.warn("canary deprecation raised while awsenv runs", DeprecationWarning)


sys.addaudithook(_warn_on_output)
'''

EXPIRATION = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
