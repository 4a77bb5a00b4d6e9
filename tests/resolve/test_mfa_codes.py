"""MFA codes are handed out once: per process, across processes, and across parallel processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from awsenv.resolve.mfa_codes import CODE_LIFETIME, WAIT_FOR_NEXT, CodeSource

SERIAL = "arn:aws:iam::123456789012:mfa/alice"
ROOT = str(Path(__file__).parents[2])


class Clock:
    """A controllable clock: sleeping advances it, nothing waits."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _codes_process(tmp_path: Path, codes: list[str]) -> str:
    """An mfa_process that prints the next of `codes` on each run (the last one forever)."""
    (tmp_path / "codes.json").write_text(json.dumps(codes))
    script = tmp_path / "next_code.py"
    script.write_text(textwrap.dedent(f"""\
        import json, pathlib
        codes = json.loads(pathlib.Path({str(tmp_path / 'codes.json')!r}).read_text())
        runs = pathlib.Path({str(tmp_path / 'runs')!r})
        count = len(runs.read_text()) if runs.exists() else 0
        runs.write_text("x" * (count + 1))
        print(codes[min(count, len(codes) - 1)])
        """))
    return f"{sys.executable} {script}"


def _source(tmp_path: Path, option: str | None = None, clock: Clock | None = None, log: list | None = None):
    clock = clock or Clock()
    messages = log if log is not None else []
    return CodeSource(option, str(tmp_path / "state"), messages.append, clock=clock, sleep=clock.sleep)


def test_option_code_is_used_once_then_mfa_process(tmp_path):
    process = _codes_process(tmp_path, ["222222"])
    source = _source(tmp_path, option="111111")
    assert source.next("p", SERIAL, process) == ("111111", "option")
    assert source.next("p", SERIAL, process) == ("222222", "process")


def test_a_later_process_does_not_reuse_a_code(tmp_path):
    clock = Clock()
    assert _source(tmp_path, option="111111", clock=clock).next("p", SERIAL, None) == ("111111", "option")
    log: list[str] = []
    later = _source(tmp_path, option="111111", clock=clock, log=log)
    assert later.next("p", SERIAL, _codes_process(tmp_path, ["333333"])) == ("333333", "process")
    assert any("already used" in message for message in log)


def test_mfa_process_is_polled_until_it_shows_a_new_code(tmp_path):
    clock = Clock()
    log: list[str] = []
    source = _source(tmp_path, option="111111", clock=clock, log=log)
    source.next("p", SERIAL, None)
    process = _codes_process(tmp_path, ["111111", "111111", "111111", "444444"])
    assert source.next("p", SERIAL, process) == ("444444", "process")
    assert len(clock.slept) == 3 and sum("waiting for the next MFA code" in m for m in log) == 3


def test_codes_are_per_serial(tmp_path):
    source = _source(tmp_path, option="111111")
    source.next("p", SERIAL, None)
    assert source.next("p", SERIAL + "-other", _codes_process(tmp_path, ["111111"])) == ("111111", "process")


def test_the_record_forgets_codes_after_their_lifetime(tmp_path):
    clock = Clock()
    _source(tmp_path, option="111111", clock=clock).next("p", SERIAL, None)
    clock.now += CODE_LIFETIME + 1
    assert _source(tmp_path, option="111111", clock=clock).next("p", SERIAL, None) == ("111111", "option")


def test_the_record_is_private_and_holds_no_code(tmp_path):
    _source(tmp_path, option="987654").next("p", SERIAL, None)
    state = tmp_path / "state"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    records = list(state.glob("*.used"))
    assert len(records) == 1
    assert stat.S_IMODE(records[0].stat().st_mode) == 0o600
    assert "987654" not in records[0].read_text()


@pytest.mark.process
def test_without_a_new_code_or_a_terminal_it_fails_instead_of_sending_a_used_one(tmp_path):
    """In a new session (no controlling terminal): mfa_process repeats a used code until the wait runs out."""
    process = _codes_process(tmp_path, ["555555"])
    script = textwrap.dedent(f"""\
        import sys
        from awsenv.errors import MfaUnavailable
        from awsenv.resolve.mfa_codes import CodeSource
        now = [0.0]
        def sleep(seconds):
            now[0] += seconds
        source = CodeSource("555555", {str(tmp_path / 'state')!r}, lambda m: None,
                            clock=lambda: now[0], sleep=sleep)
        source.next("p", {SERIAL!r}, None)
        try:
            source.next("p", {SERIAL!r}, {process!r})
        except MfaUnavailable as error:
            print("unavailable", now[0])
            sys.exit(0)
        print("sent a code")
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          start_new_session=True)
    assert done.returncode == 0, done.stderr
    word, waited = done.stdout.split()
    assert word == "unavailable" and float(waited) >= WAIT_FOR_NEXT


@pytest.mark.process
def test_parallel_processes_claim_one_code_once(tmp_path):
    script = textwrap.dedent(f"""\
        import os, time
        from awsenv.resolve.mfa_codes import CodeSource
        source = CodeSource(None, {str(tmp_path / 'state')!r}, lambda m: None)
        while not os.path.exists({str(tmp_path / 'go')!r}):
            time.sleep(0.001)
        print("claimed" if source._claim({SERIAL!r}, "123456") else "refused")
        """)
    workers = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": ROOT}) for _ in range(8)]
    time.sleep(0.5)  # let them all import and wait at the start line
    (tmp_path / "go").write_text("")
    answers = sorted(worker.communicate(timeout=60)[0].strip() for worker in workers)
    assert answers == ["claimed"] + ["refused"] * 7
