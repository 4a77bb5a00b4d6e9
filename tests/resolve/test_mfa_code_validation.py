from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from awsenv.errors import UsageError
from awsenv.resolve.mfa import validate_code


@given(st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_six_ascii_digits_are_accepted(code):
    assert validate_code(code) == code


@given(st.text().filter(lambda t: not (len(t) == 6 and t.isascii() and t.isdigit())))
def test_anything_else_is_refused(text):
    with pytest.raises(UsageError):
        validate_code(text)


@pytest.mark.parametrize("code", ["12345", "1234567", "12 456", "١٢٣٤٥٦", "123456\n", "12345a"])
def test_near_misses_are_refused(code):
    with pytest.raises(UsageError):
        validate_code(code)
