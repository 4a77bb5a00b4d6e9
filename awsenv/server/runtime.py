"""Where the per-user credential service lives, and how awsenv talks to it.

The runtime directory (0700) is $XDG_RUNTIME_DIR/awsenv, else `run` under awsenv's cache directory. It holds:
- `service.json`: the running service's pid and loopback port (written once it listens);
- `admin-token` (0600): the token of its control route, so only this user can register profiles or stop it;
- `service.lock`: held by the running service for its whole life (one service per user);
- `start.lock`: held while a client starts the service, so two shells starting it at once get one service;
- `serve.log`: what a background service says (its stderr).
The control route is `POST /admin` on the loopback listener, a JSON request and a JSON answer.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from typing import Mapping, Optional

from awsenv.errors import AwsenvError
from awsenv.files import ensure_private_dir, read_no_follow

ADMIN_PATH = "/admin"
START_WAIT = 20.0  # seconds a client waits for a service it started to answer


def runtime_dir(environ: Mapping[str, str] = os.environ) -> str:
    from awsenv.paths import cache_dir

    base = environ.get("XDG_RUNTIME_DIR")
    path = os.path.join(base, "awsenv") if base and os.path.isdir(base) else os.path.join(cache_dir(environ), "run")
    ensure_private_dir(path)
    return path


def _file(name: str, environ: Mapping[str, str] = os.environ) -> str:
    return os.path.join(runtime_dir(environ), name)


class Client:
    """The control route of a running service."""

    def __init__(self, port: int, token: str, pid: int) -> None:
        self.port, self.token, self.pid = port, token, pid

    def call(self, op: str, timeout: float = 120.0, **args) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("POST", ADMIN_PATH, body=json.dumps({"op": op, **args}).encode(),
                         headers={"Authorization": self.token, "Content-Type": "application/json"})
            response = conn.getresponse()
            answer = json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise AwsenvError(f"the credential service (pid {self.pid}) did not answer: {type(error).__name__}",
                              hint="`awsenv serve stop`, then run the command again") from None
        finally:
            conn.close()
        if response.status != 200:
            raise AwsenvError(answer.get("message") or f"the credential service answered {response.status}",
                              hint=answer.get("hint"))
        return answer


def running(environ: Mapping[str, str] = os.environ) -> Optional[Client]:
    """The running service, or None (no service, or one that does not answer)."""
    raw, token = read_no_follow(_file("service.json", environ)), read_no_follow(_file("admin-token", environ))
    if not raw or not token:
        return None
    try:
        record = json.loads(raw)
        client = Client(int(record["port"]), token.decode().strip(), int(record["pid"]))
        client.call("ping", timeout=5.0)
    except (ValueError, KeyError, AwsenvError):
        return None
    return client


def ensure_started(environ: Mapping[str, str] = os.environ) -> Client:
    """The running service, started in the background (a new session, stdio to serve.log) when there is none."""
    from awsenv.locking import held, lock_timeout

    client = running(environ)
    if client is not None:
        return client
    with held(_file("start.lock", environ), "the start of the credential service", lock_timeout(environ)):
        client = running(environ)  # another shell may have started it while this one waited
        if client is not None:
            return client
        log = _file("serve.log", environ)
        with open(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600), "ab") as out, \
                open(os.devnull, "rb") as nothing:
            process = subprocess.Popen([sys.executable, "-m", "awsenv", "serve"], stdin=nothing, stdout=out,
                                       stderr=out, start_new_session=True, close_fds=True, env=dict(environ))
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            client = running(environ)
            if client is not None:
                return client
            if process.poll() is not None:
                break
            time.sleep(0.05)
        raise AwsenvError("the credential service did not start", hint=f"see {log}, or run `awsenv serve` to see why")


def write_service_record(port: int, token: str, environ: Mapping[str, str] = os.environ) -> None:
    from awsenv.files import write_atomic

    write_atomic(_file("admin-token", environ), token.encode())
    write_atomic(_file("service.json", environ), json.dumps({"pid": os.getpid(), "port": port}).encode())


def remove_service_record(environ: Mapping[str, str] = os.environ) -> None:
    for name in ("service.json", "admin-token"):
        try:
            os.unlink(_file(name, environ))
        except FileNotFoundError:
            pass


def lifetime_lock(environ: Mapping[str, str] = os.environ) -> Optional[int]:
    """Take the service's lifetime lock: its fd, or None when another service holds it."""
    import fcntl

    fd = os.open(_file("service.lock", environ), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
