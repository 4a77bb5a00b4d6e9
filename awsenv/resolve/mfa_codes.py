"""Hands out MFA codes so that no code is ever sent twice, in this process or a later one."""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import nullcontext
from typing import Callable, Optional

from awsenv import files, locking, redact
from awsenv.resolve import mfa, mfa_dialog
from awsenv.errors import MfaUnavailable

# A TOTP code is valid for one 30 s step, and AWS accepts one step either side: 90 s covers a code's life.
CODE_LIFETIME = 90.0
WAIT_FOR_NEXT = 35.0
POLL_EVERY = 5.0


class CodeSource:
    def __init__(self, option_code: Optional[str], state_dir: Optional[str], log: Callable[[str], None],
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 may_prompt: Optional[Callable[[], bool]] = None) -> None:
        self.option_code = option_code
        redact.remember_code(option_code)
        self.may_prompt = may_prompt  # asked before each prompt; None: always allowed
        self.state_dir = state_dir
        self.log = log
        self.clock = clock
        self.sleep = sleep
        self._seen: dict[str, set[str]] = {}

    def next(self, profile: str, serial: str, mfa_process: Optional[str], again: bool = False,
             prompt: Optional[str] = None) -> tuple[str, str]:
        """A code not used before for `serial`, and where it came from ("option", "process", "prompt").

        `prompt` is the mfa_prompt setting: where to ask when there is no terminal (awsenv.resolve.mfa_dialog)."""
        if self.option_code is not None and not again:
            code, self.option_code = self.option_code, None
            if self._claim(serial, code):
                return code, "option"
            self.log(f"the MFA code given with --mfa-code was already used for {serial}; "
                     "a code works once, so another is needed")
        if mfa_process and not again:
            deadline = self.clock() + WAIT_FOR_NEXT
            while True:
                with locking.waiting_on_user(f"waiting for an MFA code for profile {profile!r} from its mfa_process"):
                    code = mfa.run_mfa_process(mfa_process, profile)
                if self._claim(serial, code):
                    return code, "process"
                if self.clock() >= deadline:
                    break
                self.log(f"waiting for the next MFA code for {serial} (the current one was already used)")
                self.sleep(POLL_EVERY)
            self.log(f"mfa_process kept printing a code already used for {serial}")
        on_terminal = self.may_prompt is None or self.may_prompt()
        # A desktop dialog needs no terminal: it may ask while a command holds the terminal, or when there is none.
        if not on_terminal and mfa_dialog.pick_dialog(prompt) is None:
            raise MfaUnavailable(f"profile {profile!r} needs a new MFA code for {serial}, and it cannot be asked "
                                 "for now (no terminal, or a command is using it, and no desktop dialog)",
                                 hint="set mfa_process in the profile to a command that prints the code")
        note = "Wait for the next code. " if again else ""  # after a rejection: the reason is said above
        while True:
            with locking.waiting_on_user(f"waiting for an MFA code for profile {profile!r} to be typed"):
                code = mfa.prompt_code(profile, serial, note, prompt, on_terminal)
            if self._claim(serial, code):
                return code, "prompt"
            note = "That code was already used; wait for the next one. "

    # Used codes are remembered as hashes, per serial, for the life of a code.

    def _claim(self, serial: str, code: str) -> bool:
        """Mark `code` used for `serial` unless it already was: check and record under one cross-process lock."""
        redact.remember_code(code)
        path = self._record_path(serial)
        guard = (locking.held(path + ".lock", f"the MFA code record for {serial}", timeout=30)
                 if path and self._private_dir() else nullcontext())
        with guard:
            if self._used(serial, code):
                return False
            self._remember(serial, code)
            return True

    def _private_dir(self) -> bool:
        try:
            files.ensure_private_dir(self.state_dir or "")
            return os.access(self.state_dir or "", os.W_OK)  # read-only (e.g. a read-only filesystem): no record
        except (OSError, files.UnsafeDirectory):
            return False

    def _record_path(self, serial: str) -> Optional[str]:
        if not self.state_dir:
            return None
        name = hashlib.sha256(("mfa-used\0" + serial).encode()).hexdigest()[:32]
        return os.path.join(self.state_dir, f"{name}.used")

    def _load(self, serial: str) -> dict:
        path = self._record_path(serial)
        raw = files.read_no_follow(path) if path else None
        try:
            data = json.loads(raw) if raw else {}
            return {h: t for h, t in data.items() if isinstance(t, (int, float)) and self.clock() - t < CODE_LIFETIME}
        except (ValueError, AttributeError):
            return {}

    def _hash(self, serial: str, code: str) -> str:
        return hashlib.sha256(f"{serial}\0{code}".encode()).hexdigest()

    def _used(self, serial: str, code: str) -> bool:
        return self._hash(serial, code) in self._seen.get(serial, set()) or self._hash(serial, code) in self._load(serial)

    def _remember(self, serial: str, code: str) -> None:
        digest = self._hash(serial, code)
        self._seen.setdefault(serial, set()).add(digest)
        path = self._record_path(serial)
        if path is None:
            return
        record = self._load(serial)
        record[digest] = self.clock()
        try:
            files.ensure_private_dir(self.state_dir)
            files.write_atomic(path, json.dumps(record).encode())
        except (OSError, files.UnsafeDirectory):
            pass
