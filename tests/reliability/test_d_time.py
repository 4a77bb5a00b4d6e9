"""Time and durations: a skewed clock, time zones and DST, the role-chaining cap, durations out of range.

Faults come from the STS gate's controls (`clock_offset`, `skew_code`: a server whose clock differs from this
machine's), from `TZ` (which the C library and Python honour for local time), and from the options and profile
values a user types.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import parse_posix_exports
from tests.reliability.de_support import cache_entries, gate, run_all  # noqa: F401 (gate: a fixture)
from tests.servers.sts_gate import RoleRule, Session

pytestmark = pytest.mark.process

HOP1 = "arn:aws:iam::333333333333:role/hop-one"
HOP2 = "arn:aws:iam::444444444444:role/hop-two"


def _chain_config(home, extra: str = "") -> None:
    home.write_base_keys()
    home.write_config(textwrap.dedent(f"""\
        [profile base]
        region = us-east-1
        [profile one]
        role_arn = {HOP1}
        source_profile = base
        [profile two]
        role_arn = {HOP2}
        source_profile = one
        duration_seconds = 7200
        """) + textwrap.dedent(extra))


# --- D24 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, offset", [("SignatureDoesNotMatch", 1200), ("RequestExpired", -1200)])
def test_d24_clock_skew_is_named_with_its_size_and_not_retried(home, gate, code, offset):
    """AWS refuses a request signed more than 5 minutes away from its clock; its Date header tells how far."""
    home.write_base_keys()
    home.write_config("[profile base]\nregion = us-east-1\n")
    gate.clock_offset, gate.skew_code = offset, code
    done = home.run("user", "base", "--shell", "bash")
    assert done.returncode == 1 and done.stdout == ""
    assert "'base'" in done.stderr and code in done.stderr
    assert "your system clock looks off by about 20 min; sync it (NTP)" in done.stderr
    assert len(gate.calls) == 1  # no retry storm: a clock does not fix itself between retries
    assert cache_entries(home) == []


def test_d24_credentials_already_expired_by_the_local_clock_are_never_cached(home, gate):
    """A server 20 min behind hands out 15-minute credentials that this machine's clock sees as 5 min past."""
    home.write_base_keys()
    home.write_config("[profile base]\nregion = us-east-1\n")
    gate.clock_offset = -1200
    done = home.run("user", "base", "--duration", "15m", "--shell", "bash")
    assert done.returncode == 1 and done.stdout == ""
    assert "already past by this machine's clock" in done.stderr
    assert "your system clock looks off by about 20 min; sync it (NTP)" in done.stderr
    assert cache_entries(home) == [] and len(gate.calls) == 1


# --- D25 -------------------------------------------------------------------------------------------------------

def _dst_soon(now: datetime) -> str:
    """A POSIX TZ rule whose summer time starts 20 minutes from now (clocks jump 1 h forward), UTC+0 before it."""
    start = now + timedelta(minutes=20)
    day = start.timetuple().tm_yday
    leap = start.year % 4 == 0 and (start.year % 100 != 0 or start.year % 400 == 0)
    julian = day - 1 if leap and start.month > 2 else day  # Jn never counts 29 February
    return f"XST0XDT-1,J{julian}/{start:%H:%M:%S},J{julian % 365 + 1}/12"


_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\.\d+)?(?P<zone>Z|[+-]\d\d:?\d\d)?")


def _times_without_zone(text: str) -> list[str]:
    return [m.group(0) for m in _TIME.finditer(text) if not m.group("zone")]


def test_d25_time_zones_and_a_dst_change_give_the_same_expiry_decision(home, gate):
    """TZ is the seam: the cache is written under UTC and read under a zone 8 h away and under one that changes to
    summer time between now and the credentials' expiry."""
    _chain_config(home)
    first = home.run("role", "one", "--shell", "bash", env=home.env(TZ="UTC"))
    assert first.returncode == 0, first.stderr
    issued = parse_posix_exports(first.stdout)
    assert issued["AWS_CREDENTIAL_EXPIRATION"].endswith("Z")
    [entry] = [p for p in home.cache.glob("*.json")]
    assert json.loads(entry.read_text())["expiration"].endswith("Z")
    left = (datetime.fromisoformat(issued["AWS_CREDENTIAL_EXPIRATION"].replace("Z", "+00:00"))
            - datetime.now(timezone.utc)).total_seconds()
    assert 3500 < left <= 3600
    zones = ["America/Los_Angeles", _dst_soon(datetime.now(timezone.utc))]
    runs = []
    for zone in zones:
        runs += [(("role", "one", "--shell", "bash"), home.env(TZ=zone, AWSENV_MIN_TTL="3000")),  # cache-hit path
                 (("list", "--json"), home.env(TZ=zone, AWSENV_MIN_TTL="3700"))]
    # what people read, and the full path's cache hit (--region makes it another request for the cache-hit index)
    runs += [(("list",), home.env(TZ=zones[-1])), (("explain", "one"), home.env(TZ=zones[-1])),
             (("role", "one", "--shell", "bash", "--region", "eu-west-1"),
              home.env(TZ=zones[-1], AWSENV_MIN_TTL="3000"))]
    results = run_all(home, runs)
    for (args, env), done in zip(runs, results):
        zone = env["TZ"]
        assert done.returncode == 0, (zone, args, done.stderr)
        assert _times_without_zone(done.stdout + done.stderr) == [], (zone, args, done.stdout, done.stderr)
        if args[0] == "role":  # valid with 3000 s to spare: served from the cache, with the same expiry
            served = parse_posix_exports(done.stdout)
            assert served["AWS_ACCESS_KEY_ID"] == issued["AWS_ACCESS_KEY_ID"], zone
            assert served["AWS_CREDENTIAL_EXPIRATION"] == issued["AWS_CREDENTIAL_EXPIRATION"], zone
        elif args == ("list", "--json"):  # not with 3700 s to spare
            [row] = [r for r in json.loads(done.stdout) if r["profile"] == "one"]
            assert row["cache_valid"] is False and row["cached_until"] == issued["AWS_CREDENTIAL_EXPIRATION"], zone
    assert [c.action for c in gate.calls] == ["AssumeRole"]


# --- D26 -------------------------------------------------------------------------------------------------------

def test_d26_chained_role_asking_2h_is_capped_at_1h_with_the_same_words_as_sts_refusal(home, gate):
    """awsenv caps a chained AssumeRole at 1 h and says so (README: IAM roles); when it cannot know the hop is
    chained (temporary keys written without their session token), STS's refusal is told in the same words."""
    temporary = "ASIATEMPORARYKEY0001"
    gate.sessions[temporary] = Session("AssumeRole", mfa=False)  # the gate knows the key as a session's
    _chain_config(home, extra=f"""\
        [profile on-session]
        role_arn = {HOP2}
        source_profile = session
        duration_seconds = 7200
        [profile on-pasted]
        role_arn = {HOP2}
        source_profile = pasted
        duration_seconds = 7200
        """)
    home.credentials.write_text(home.credentials.read_text() + (
        "[session]\naws_access_key_id = ASIAOTHERSESSIONKEY1\naws_secret_access_key = s\naws_session_token = t\n"
        f"[pasted]\naws_access_key_id = {temporary}\naws_secret_access_key = s\n"))
    gate.sessions["ASIAOTHERSESSIONKEY1"] = Session("GetSessionToken", mfa=False)
    words = "role chaining caps the session at 1h (asked for 2h)"
    for profile in ("two", "on-session"):
        done = home.run("role", profile, "--shell", "bash")
        assert done.returncode == 0, done.stderr
        assert words in done.stderr
        last = gate.calls[-1]
        assert last.action == "AssumeRole" and last.params["RoleArn"] == HOP2 and last.status == 200
        assert last.params["DurationSeconds"] == "3600"
    mark = len(gate.calls)
    refused = home.run("role", "on-pasted", "--shell", "bash")
    assert refused.returncode == 1 and refused.stdout == ""
    assert "'on-pasted'" in refused.stderr and words in refused.stderr and "--duration 1h" in refused.stderr
    assert [(c.params["DurationSeconds"], c.status) for c in gate.calls[mark:]] == [("7200", 400)]


# --- D27 -------------------------------------------------------------------------------------------------------

BAD_DURATIONS = ["0", "-1", "899", "43201", "129601", "1.5", "1h30", "abc", ""]


def test_d27_durations_out_of_range_are_usage_errors_before_any_call(home, gate, tmp_path):
    """Every bad value, through --duration and through duration_seconds in the profile: exit 2, the accepted
    range and units shown, and no request to STS. A role's own lower maximum is only known to STS: its refusal
    names the role (STS does not say the maximum)."""
    _chain_config(home)
    runs, labels = [], []
    for value in BAD_DURATIONS:
        runs.append((("role", "one", "--duration", value), home.env()))
        labels.append(f"role --duration {value!r}")
    for value in ("0", "-1", "43201", "1.5", "abc", ""):  # each kind of mistake once, read from the profile
        labels.append(f"role with duration_seconds = {value!r}")
        config = tmp_path / f"config-{len(runs)}"
        config.write_text(f"[profile base]\n[profile one]\nrole_arn = {HOP1}\nsource_profile = base\n"
                          f"duration_seconds = {value}\n")
        runs.append((("role", "one"), home.env(AWS_CONFIG_FILE=str(config))))
    for value in ("899", "129601"):
        runs.append((("user", "base", "--duration", value), home.env()))
        labels.append(f"user --duration {value!r}")
    for (args, _), what, done in zip(runs, labels, run_all(home, runs)):
        assert done.returncode == 2, (what, done.stderr)
        assert done.stdout == ""
        accepted = "900..129600 s (15m to 36h)" if args[0] == "user" else "900..43200 s (15m to 12h)"
        assert accepted in done.stderr, (what, done.stderr)
        if "duration" not in done.stderr.splitlines()[0]:
            pytest.fail(f"{what}: the first line does not say what is wrong: {done.stderr}")
    assert gate.calls == []
    gate.roles[HOP1] = RoleRule(max_duration=3600)
    done = home.run("role", "one", "--duration", "2h")
    assert done.returncode == 1 and done.stdout == ""
    assert f"role {HOP1} allows at most its maximum session duration, less than the 7200 s asked for" in done.stderr
    assert "'one'" in done.stderr and "--duration" in done.stderr
