"""One rule for the prompt segment: what each shell's hook puts in AWSENV_PROMPT (computed in the shell, with no
process) is what `awsenv prompt` prints for the same variables, case by case: minutes rounded up, hours with two-digit
minutes, `!` inside the renewal window (AWSENV_RENEW_BEFORE, else 600 s), `expired`, and the profile alone when no
person is needed; the same with no expiry at all, as in a shell given the credential service's variables
(`--server`), which renew by themselves."""

from __future__ import annotations

import time

import pytest

from tests import inprocess
from tests.fresh.shell_session import INTERACTIVE, start

pytestmark = pytest.mark.process

FAR = 10 * 86400  # AWSENV_EXPIRES_AT this far ahead: no hook renews anything
# (seconds until a person is needed, or None for no such variable; AWSENV_RENEW_BEFORE, "" for the default).
# Each time sits mid-minute, so a second or two between the shell's clock and this one cannot change the answer.
CASES = [
    (30, ""),           # prod 1m!
    (690, ""),          # prod 12m
    (690, "900"),       # prod 12m!
    (3570, ""),         # prod 1h
    (5430, ""),         # prod 1h31m
    (7470, ""),         # prod 2h05m
    (36030, "abc"),     # prod 10h01m (a renewal window that is not a number is the default)
    (-5, ""),           # prod expired
    (None, ""),         # prod
]


def _variables(left, before: str, now: float) -> dict[str, str]:
    return {"AWSENV_PERSON_NEEDED_AT": "" if left is None else str(int(now) + left), "AWSENV_RENEW_BEFORE": before}


def _awsenv_prompt(env: dict[str, str]) -> str:
    code, stdout, stderr = inprocess.run(["prompt"], env, None, None)
    assert code == 0, stderr
    return stdout.strip()


@pytest.mark.parametrize("shell", sorted(INTERACTIVE))
def test_each_shell_draws_the_segment_awsenv_prompt_prints(shell, home, tmp_path):
    base = {"AWSENV_PROFILE": "prod", "AWSENV_EXPIRES_AT": str(int(time.time()) + FAR)}
    session = start(shell, {**home.env(), **base}, tmp_path)
    try:
        session.run("")  # every line typed at the start has run, and its prompt (some shells draw early)
        started = len(session.runs())
        seen, expected = [], []
        for left, before in CASES:
            now = time.time()
            variables = _variables(left, before, now)
            for name, value in variables.items():
                session.set(name, value)
            seen.append(session.value("AWSENV_PROMPT"))
            expected.append(_awsenv_prompt({**home.env(), **base, **variables}))
        session.set("AWSENV_EXPIRES_AT", "")  # the credential service's variables: no end here
        for left, before in ((None, ""), (5430, "")):
            variables = _variables(left, before, time.time())
            for name, value in variables.items():
                session.set(name, value)
            seen.append(session.value("AWSENV_PROMPT"))
            expected.append(_awsenv_prompt({**home.env(), **base, "AWSENV_EXPIRES_AT": "", **variables}))
        assert seen == expected, seen
        assert expected == ["prod 1m!", "prod 12m", "prod 12m!", "prod 1h", "prod 1h31m", "prod 2h05m", "prod 10h01m",
                            "prod expired", "prod", "prod", "prod 1h31m"]
        assert not [run for run in session.runs()[started:] if run.startswith("awsenv")]  # no awsenv process ran
    finally:
        session.close()
