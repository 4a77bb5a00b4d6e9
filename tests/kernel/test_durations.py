from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from awsenv.durations import GET_SESSION_TOKEN_RANGE, check_range, format_seconds, parse_duration
from awsenv.errors import UsageError


@pytest.mark.parametrize("text, seconds", [
    ("3600", 3600), ("900s", 900), ("15m", 900), ("1h", 3600), ("12h", 43200), ("1h30m", 5400), (" 2H ", 7200),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "1d", "-5", "1.5h", "1h 30m", "１h", "3600x", "m15"])
def test_bad_durations_are_usage_errors(text):
    with pytest.raises(UsageError):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=10**6))
def test_formatted_seconds_parse_back(seconds):
    assert parse_duration(format_seconds(seconds)) == seconds


def test_range_is_checked_with_both_bounds_shown():
    assert check_range(900, GET_SESSION_TOKEN_RANGE, "GetSessionToken") == 900
    with pytest.raises(UsageError) as raised:
        check_range(129601, GET_SESSION_TOKEN_RANGE, "GetSessionToken")
    assert "900..129600" in raised.value.message
