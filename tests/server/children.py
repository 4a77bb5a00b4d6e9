"""Programs run inside `awsenv exec --server`, and the profiles they run under."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

ROLE = "arn:aws:iam::123456789012:role/dev"

# Reports the environment and what the server answers to a series of requests, by raw HTTP (nothing fixes the
# requests up the way an HTTP library would).
PROBE = r'''
import http.client, json, os, sys, urllib.parse
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
port = urllib.parse.urlsplit(url).port

def ask(method="GET", path="/", headers=None, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    if host is not None:
        conn.putheader("Host", host)
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return [response.status, body]

here = f"127.0.0.1:{port}"
report = {
    "url": url, "token": token,
    "env": {k: v for k, v in os.environ.items() if k.startswith(("AWS", "AWSENV"))},
    "good": ask(host=here, headers={"Authorization": token}),
    "localhost": ask(host=f"localhost:{port}", headers={"Authorization": token}),
    "no token": ask(host=here),
    "wrong token": ask(host=here, headers={"Authorization": token[:-1] + ("A" if token[-1] != "A" else "B")}),
    "token prefix": ask(host=here, headers={"Authorization": token[:-1]}),
    "bearer": ask(host=here, headers={"Authorization": "Bearer " + token}),
    "two tokens": ask(host=here, headers={"Authorization": token, "authorization": token}),
    "foreign host": ask(host=f"evil.example:{port}", headers={"Authorization": token}),
    "host without port": ask(host="127.0.0.1", headers={"Authorization": token}),
    "other port": ask(host=f"127.0.0.1:{port + 1}", headers={"Authorization": token}),
    "no host": ask(headers={"Authorization": token}),
    "origin": ask(host=here, headers={"Authorization": token, "Origin": "http://evil.example"}),
    "post": ask("POST", host=here, headers={"Authorization": token, "Content-Length": "0"}),
    "put": ask("PUT", host=here, headers={"Authorization": token, "Content-Length": "0"}),
    "brew": ask("BREW", host=here, headers={"Authorization": token}),
    "other path": ask(path="/role-arn/x", host=here, headers={"Authorization": token}),
    "query": ask(path="/?x=1", host=here, headers={"Authorization": token}),
    "listening": [line.split()[1] for line in open("/proc/net/tcp").read().splitlines()[1:]
                  if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port],
    "listening6": [line.split()[1] for line in open("/proc/net/tcp6").read().splitlines()[1:]
                   if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port],
}
print(json.dumps(report))
'''

# Makes AWS calls with boto3's default credential chain and reports the key each call used.
BOTO3_CALLS = r'''
import json, os, sys, boto3
session = boto3.Session()
sts = session.client("sts")
arn = sts.get_caller_identity()["Arn"]
creds = session.get_credentials()
print(json.dumps({"arn": arn, "method": creds.method, "key": creds.get_frozen_credentials().access_key,
                  "env": sorted(k for k in os.environ if k.startswith("AWS"))}))
'''


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def python(tmp_path: Path, name: str, text: str) -> list[str]:
    return [sys.executable, write(tmp_path, name, text)]


def role_profile(home, region: str = "eu-west-1") -> None:
    """[profile dev]: a role assumed with the long-lived keys of [base]."""
    home.write_base_keys()
    home.write_config(f"[profile dev]\nregion = {region}\nrole_arn = {ROLE}\nsource_profile = base\n")

# Calls STS again and again through boto3's default chain until it has used KEYS different access keys (a renewal
# between each), then reports the keys, the number of calls and every error.
CALL_ACROSS_RENEWALS = r'''
import json, sys, time, boto3, botocore.exceptions
wanted = int(sys.argv[1])
session, sts = boto3.Session(), None
keys, calls, errors = [], 0, []
deadline = time.monotonic() + 90
while len(keys) < wanted and time.monotonic() < deadline:
    try:
        sts = sts or session.client("sts")
        sts.get_caller_identity()
        calls += 1
        key = session.get_credentials().get_frozen_credentials().access_key
        if not keys or keys[-1] != key:
            keys.append(key)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        errors.append(str(error))
        if len(errors) > 5:
            break
    time.sleep(0.1)
print(json.dumps({"keys": keys, "calls": calls, "errors": errors}))
'''


def stop_service(runtime) -> None:
    """Stop the per-user credential service whose record is in RUNTIME/awsenv (its XDG_RUNTIME_DIR), if one runs."""
    record = Path(runtime) / "awsenv" / "service.json"
    try:
        os.kill(json.loads(record.read_text())["pid"], signal.SIGTERM)
    except (OSError, ValueError, KeyError):
        pass  # no record, or the service is gone already
