from __future__ import annotations

import pytest

from awsenv.config.credentials_file import MARKER, render_section
from awsenv.errors import UsageError


def _render(text: str, name: str = "t", values=None, newline: str = "\n") -> str:
    values = values or {"aws_access_key_id": "K", "aws_session_token": "T"}
    return "".join(render_section(text.splitlines(keepends=True), name, values, newline))


def test_new_section_in_empty_file():
    assert _render("") == f"[t]\n{MARKER}\naws_access_key_id = K\naws_session_token = T\n"


def test_new_section_after_a_file_without_final_newline():
    assert _render("[a]\nx = 1") == f"[a]\nx = 1\n[t]\n{MARKER}\naws_access_key_id = K\naws_session_token = T\n"


def test_last_section_without_final_newline_stays_without_one():
    out = _render(f"[t]\n{MARKER}\naws_access_key_id = OLD\naws_session_token = OLD", values={
        "aws_access_key_id": "K", "aws_session_token": "T", "region": "r"})
    assert out == f"[t]\n{MARKER}\naws_access_key_id = K\naws_session_token = T\nregion = r"


def test_keys_are_matched_case_insensitively_and_continuations_dropped():
    out = _render("[t]\nAWS_ACCESS_KEY_ID = OLD\n  more\naws_session_token=OLD\n[u]\nz = 1\n")
    assert out == f"[t]\n{MARKER}\naws_access_key_id = K\naws_session_token = T\n[u]\nz = 1\n"


def test_section_with_long_lived_keys_is_refused():
    with pytest.raises(UsageError):
        _render("[t]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")


def test_same_name_inside_a_comment_is_not_a_header():
    out = _render("# [t]\n[a]\n")
    assert out.startswith("# [t]\n[a]\n[t]\n")
