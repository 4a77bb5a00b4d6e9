"""Keeps one profile's credentials fresh for the credential server, through the engine (its cache and lock), so a
renewal is shared with every other awsenv process: the first one to need it calls AWS, the others read the cache.

A background thread renews the credentials when less than `min_ttl` is left, so a request never waits on AWS, a
prompt or a browser: it gets the current credentials at once, or, once they have run out without a renewal, a
reason. When the credentials AWS hands out live shorter than twice `min_ttl`, renewals come at half their life.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Callable, Optional, Union

from awsenv.server.endpoint import Unavailable
from awsenv.errors import AwsenvError
from awsenv.model import Credentials

LONGEST_SLEEP = 3600.0  # long-lived keys never need renewing; the thread still wakes now and then


class Renewal:
    """`fetch(min_ttl)` returns credentials with more than min_ttl seconds left (the engine, renewing if need be)."""

    def __init__(self, profile: str, fetch: Callable[[float], Credentials], min_ttl: float,
                 log: Callable[[str], None], remedy: str = "") -> None:
        self.profile = profile
        self.remedy = remedy  # what a person can do when a renewal fails (said with the reason)
        self._fetch = fetch
        self._wanted = min_ttl
        self._log = log
        self._lock = threading.Lock()
        self._current: Optional[Credentials] = None
        self._lifetime = float("inf")  # the longest life seen in credentials shorter-lived than `min_ttl`
        self._problem: Optional[str] = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="awsenv-renewal", daemon=True)

    @property
    def min_ttl(self) -> float:
        return min(self._wanted, self._lifetime / 2)

    @property
    def serve_floor(self) -> float:
        """Below this much life left, credentials are no longer handed out: the SDK could not finish a call."""
        return min(60.0, self.min_ttl / 4)

    def first(self) -> Credentials:
        """Fetch the first credentials, in the caller's thread (prompts and errors go to the user as usual)."""
        self._take(self._fetch(self._wanted))
        return self._current

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()  # a renewal under way (waiting for AWS or a code) is abandoned with the process

    def supply(self) -> Union[Credentials, Unavailable]:
        with self._lock:
            current, problem = self._current, self._problem
        if current is not None and current.seconds_left() > self.serve_floor:
            return current
        reason = problem or "they are being renewed"
        remedy = f"; {self.remedy}" if problem and self.remedy else ""
        return Unavailable(f"awsenv: the credentials of profile {self.profile!r} have run out: {reason}{remedy}")

    def state(self) -> tuple[Optional[datetime], Optional[str]]:
        """Until when the current credentials last, and why the last renewal failed (None when it did not)."""
        with self._lock:
            return (self._current.expiration if self._current is not None else None), self._problem

    def _take(self, creds: Credentials) -> None:
        left = creds.seconds_left()
        with self._lock:
            if left <= self._wanted:  # fresh credentials shorter-lived than `min_ttl`: renew at half their life
                self._lifetime = left if self._lifetime == float("inf") else max(self._lifetime, left)
            self._current = creds
            self._problem = None

    def _seconds_to_renewal(self) -> float:
        with self._lock:
            current = self._current
        return min(current.seconds_left() - self.min_ttl, LONGEST_SLEEP) if current is not None else 0.0

    def _retry_after(self) -> float:
        return max(0.5, min(60.0, self.min_ttl / 5))

    def _run(self) -> None:
        while not self._stop.wait(max(self._seconds_to_renewal(), 0.0)):
            try:
                creds = self._fetch(self.min_ttl)
            except AwsenvError as error:
                self._failed(error.message + (f" ({error.hint})" if error.hint else ""))
                continue
            except Exception as error:  # never let the thread die silently: the command would get 503s
                self._failed(f"{type(error).__name__}")
                continue
            self._take(creds)
            if self._seconds_to_renewal() <= 0:  # as short-lived as before: wait a little before trying again
                self._stop.wait(self._retry_after())

    def _failed(self, reason: str) -> None:
        with self._lock:
            repeated, self._problem = self._problem == reason, reason
            until = self._current.expiration if self._current is not None else None
        if not repeated:
            still = f"; the current ones are served until {_clock(until)}" if until else ""
            remedy = f"; {self.remedy}" if self.remedy else ""
            self._log(f"could not renew the credentials of profile {self.profile!r}: {reason}{still}{remedy}")
        self._stop.wait(self._retry_after())


def _clock(moment: Optional[datetime]) -> str:
    return moment.astimezone().strftime("%H:%M:%S") if moment else "?"
