"""The per-user credential service (`awsenv serve`): one HTTP endpoint in the container-credentials format for every
profile a client registered, each renewed as `exec --server` renews it (server/renewal.py, through the engine, its
cache and lock).

Routes: `GET /profile/NAME` hands out NAME's credentials to a request carrying a token issued for NAME (401 for an
unknown token, 403 for another profile's token: a token is a capability for one profile). `POST /admin` is the
control route (runtime.py), only on 127.0.0.1 and only with the admin token. Every request must name, in its one
Host header, an address the service listens on (with the port), and carry no Origin header.

Renewals never ask a person: when an MFA session or an SSO sign-in ends, clients get a 503 whose message names the
command to run, the terminal that registered the profile is told once, and so is the desktop (notify-send); the
renewal keeps reading the cache, so it picks up the new session as soon as the person runs that command.

The service exits when it has had no request for AWSENV_SERVE_IDLE seconds (default 3600) and no shell that was
given its variables is still running.
"""

from __future__ import annotations

import hmac
import os
import shutil
import subprocess
import threading
import time
from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import quote, unquote

from awsenv.errors import AwsenvError, UsageError
from awsenv.server.endpoint import Unavailable, _error, _expiration, credentials_document, new_token
from awsenv.server.service_http import LOOPBACK, handler_for

ROUTE = "/profile/"
IDLE_VARIABLE = "AWSENV_SERVE_IDLE"
DEFAULT_IDLE = 3600.0


def idle_seconds(environ=os.environ) -> float:
    raw = environ.get(IDLE_VARIABLE)
    try:
        value = float(raw) if raw else DEFAULT_IDLE
    except ValueError:
        raise UsageError(f"{IDLE_VARIABLE}={raw!r} is not a number of seconds") from None
    if value != value or value <= 0:
        raise UsageError(f"{IDLE_VARIABLE}={raw!r} is not a positive number of seconds")
    return value


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of clients must not meet a full accept queue


class Served:
    """One profile: its renewal, the tokens issued for it, where to tell a person when it needs one."""

    def __init__(self, name: str, renewal, region: Optional[str]) -> None:
        self.name, self.renewal, self.region = name, renewal, region
        self.tokens: list[bytes] = []
        self.ttys: set[str] = set()


class Service:
    def __init__(self, make_renewal: Callable, log: Callable[[str], None], idle: float) -> None:
        self._make_renewal = make_renewal  # (name, duration, region, log) -> (Renewal with first() done, region)
        self.log = log
        self.idle = idle
        self.admin_token = new_token()
        self.profiles: dict[str, Served] = {}
        self.clients: set[int] = set()
        self.listeners: dict[str, _Listener] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._register_lock = threading.Lock()
        self._last = time.monotonic()
        self.port = self._listen(LOOPBACK, 0)

    # -- listening -----------------------------------------------------------------------------------------------
    def _listen(self, address: str, port: int) -> int:
        httpd = _Listener((address, port), handler_for(self, address == LOOPBACK))
        self.listeners[address] = httpd
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                         name=f"awsenv-service-{address}").start()
        return httpd.server_address[1]

    def port_on(self, address: str) -> int:
        return self.listeners[address].server_address[1]

    def hosts(self) -> set[str]:
        allowed = {f"{address}:{self.port_on(address)}" for address in self.listeners}
        allowed.add(f"localhost:{self.port}")
        return allowed

    def listen(self, address: str) -> int:
        import ipaddress

        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise UsageError(f"--listen {address!r} is not an IP address") from None
        with self._lock:
            if address in self.listeners:
                return self.port_on(address)
            try:
                try:
                    port = self._listen(address, self.port)
                except OSError:
                    port = self._listen(address, 0)
            except OSError as error:
                raise AwsenvError(f"cannot listen on {address}: {error.strerror}",
                                  hint="the address must belong to this host: for Docker, a user network whose "
                                       "gateway it is (see docs/credential-service.md)") from None
        if not ip.is_loopback:
            self.log(f"listening on {address}:{port} beyond loopback: every request must carry a profile's token "
                     f"and name {address}:{port} as its Host")
        return port

    # -- the credential route ------------------------------------------------------------------------------------
    def answer(self, method: str, path: str, hosts: list[str], origins: list[str],
               authorizations: list[str]) -> tuple[int, dict]:
        if method != "GET":
            return 405, _error("MethodNotAllowed", "only GET is served")
        if len(hosts) != 1 or hosts[0] not in self.hosts():
            return 403, _error("ForbiddenHost", "the Host header must name an address this service listens on")
        if origins:
            return 403, _error("ForbiddenOrigin", "requests from web pages are refused")
        if not path.startswith(ROUTE):
            return 404, _error("NotFound", "no such path")
        if len(authorizations) != 1:
            return 401, _error("Unauthorized", "the Authorization header must carry a token of this service")
        offered = authorizations[0].encode("utf-8", "surrogateescape")
        name = unquote(path[len(ROUTE):])
        with self._lock:
            wanted = self.profiles.get(name)
            owner = None
            for served in self.profiles.values():
                if any(hmac.compare_digest(offered, token) for token in served.tokens):
                    owner = served
            self._last = time.monotonic()
        if owner is None:
            return 401, _error("Unauthorized", "the Authorization header must carry a token of this service")
        if owner is not wanted:
            return 403, _error("Forbidden", "this token was issued for another profile")
        supplied = owner.renewal.supply()
        if isinstance(supplied, Unavailable):
            return 503, _error("CredentialsUnavailable", supplied.message)
        return 200, credentials_document(supplied, _expiration(supplied))

    # -- the control route ---------------------------------------------------------------------------------------
    def control(self, authorizations: list[str], request: dict) -> tuple[int, dict]:
        if len(authorizations) != 1 or not hmac.compare_digest(
                authorizations[0].encode("utf-8", "surrogateescape"), self.admin_token.encode()):
            return 401, _error("Unauthorized", "the control route needs the admin token")
        op = request.get("op")
        try:
            if op == "ping":
                return 200, {"pid": os.getpid()}
            if op == "register":
                return 200, self.register(str(request["profile"]), request.get("duration"), request.get("region"),
                                          request.get("pid"), request.get("tty"))
            if op == "listen":
                return 200, {"port": self.listen(str(request["address"]))}
            if op == "status":
                return 200, self.status()
            if op == "stop":
                self.stopping.set()
                return 200, {"stopping": True}
        except AwsenvError as error:
            return 409, {"code": "Refused", "message": error.message, "hint": error.hint}
        except (KeyError, TypeError, ValueError):
            return 400, _error("BadRequest", "malformed control request")
        except Exception as error:  # the client must get an answer, not a closed connection
            self.log(f"could not {op}: {type(error).__name__}")
            return 500, _error("InternalError", f"the credential service could not {op}: {type(error).__name__}")
        return 400, _error("BadRequest", f"unknown operation {op!r}")

    def register(self, name: str, duration: Optional[str], region: Optional[str], pid: Optional[int],
                 tty: Optional[str]) -> dict:
        with self._register_lock:  # one first fetch per profile, even when two shells register it at once
            with self._lock:
                served = self.profiles.get(name)
            if served is None:
                renewal, found_region = self._make_renewal(name, duration, region,
                                                           lambda message: self._tell(name, message))
                served = Served(name, renewal, found_region)
                renewal.start()
                self.log(f"serving profile {name!r}")
            token = new_token()
            with self._lock:
                self.profiles[name] = served
                served.tokens.append(token.encode())
                if tty:
                    served.ttys.add(tty)
                if isinstance(pid, int) and pid > 1:
                    self.clients.add(pid)
                self._last = time.monotonic()
        return {"path": ROUTE + quote(name, safe=""), "token": token, "port": self.port, "region": served.region}

    def status(self) -> dict:
        with self._lock:
            served = list(self.profiles.values())
            listening = sorted(f"{address}:{self.port_on(address)}" for address in self.listeners)
            clients = sorted(pid for pid in self.clients if _alive(pid))
        profiles = []
        for one in served:
            until, problem = one.renewal.state()
            profiles.append({"profile": one.name, "until": until.astimezone().isoformat(timespec="seconds")
                             if isinstance(until, datetime) else None, "problem": problem,
                             "tokens": len(one.tokens)})
        return {"pid": os.getpid(), "listening": listening, "profiles": profiles, "shells": clients,
                "idle_exit_after": self.idle}

    # -- people --------------------------------------------------------------------------------------------------
    def _tell(self, name: str, message: str) -> None:
        """A renewal's message: the log, the terminals that registered the profile, the desktop."""
        self.log(message)
        with self._lock:
            ttys = set(self.profiles[name].ttys) if name in self.profiles else set()
        for tty in ttys:
            try:
                fd = os.open(tty, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
                try:
                    os.write(fd, f"\r\nawsenv: {message}\r\n".encode())
                finally:
                    os.close(fd)
            except OSError:
                pass
        if shutil.which("notify-send") and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            try:
                subprocess.run(["notify-send", "--app-name=awsenv", "awsenv", message], timeout=10,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except (OSError, subprocess.SubprocessError):
                pass

    # -- life ----------------------------------------------------------------------------------------------------
    def idle_now(self) -> bool:
        with self._lock:
            self.clients = {pid for pid in self.clients if _alive(pid)}
            return not self.clients and time.monotonic() - self._last >= self.idle

    def run(self) -> str:
        """Serve until stopped or idle; why it ended."""
        while not self.stopping.wait(min(1.0, self.idle / 4)):
            if self.idle_now():
                return f"idle for {self.idle:g}s with no shell left"
        return "stopped"

    def close(self) -> None:
        with self._lock:
            served = list(self.profiles.values())
            listeners = list(self.listeners.values())
        for one in served:
            one.renewal.stop()
        for httpd in listeners:
            httpd.shutdown()
            httpd.server_close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
