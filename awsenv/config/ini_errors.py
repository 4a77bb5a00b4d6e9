"""Why botocore could not read an AWS config or credentials file, said as `FILE:LINE: what is wrong`.

botocore wraps configparser's exceptions (and UnicodeDecodeError) in ConfigParseError; their own text is several
lines long and sometimes points past the real mistake (a section header without its `]` is read as a key and
reported only where a later key repeats). This module finds the line a person has to fix.
"""

from __future__ import annotations

import configparser
from typing import Optional

_BOM = b"\xef\xbb\xbf"


def describe(path: str, error: BaseException, data: Optional[bytes] = None) -> str:
    """`path:line: reason` (or `path: reason` when no line is known) for botocore's parse `error` of `path` (of
    `data`, when the bytes read were not the file's)."""
    data = _read(path) if data is None else data
    line, reason = _unterminated_header(data) or _explain(error, data)
    return f"{path}:{line}: {reason}" if line else f"{path}: {reason}"


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _unterminated_header(data: bytes) -> Optional[tuple[int, str]]:
    for number, raw in enumerate(data.splitlines(), start=1):
        text = raw.strip()
        if text.startswith(b"[") and b"]" not in text:
            return number, f"section header {_shown(text)} has no closing ']'"
    return None


def _explain(error: BaseException, data: bytes) -> tuple[Optional[int], str]:
    if isinstance(error, UnicodeDecodeError):
        line = data[:error.start].count(b"\n") + 1 if data else None
        return line, "bytes that are not UTF-8 (save the file as UTF-8)"
    if isinstance(error, configparser.MissingSectionHeaderError):
        if data.startswith(_BOM):
            return 1, "the file starts with a byte order mark (save it as UTF-8 without BOM)"
        return error.lineno, f"{_shown(error.line.strip())} comes before the first [section] header"
    if isinstance(error, configparser.DuplicateSectionError):
        return error.lineno, f"section [{error.section}] appears a second time"
    if isinstance(error, configparser.DuplicateOptionError):
        return error.lineno, f"key {error.option!r} appears a second time in [{error.section}]"
    if isinstance(error, configparser.ParsingError) and error.errors:
        line, text = error.errors[0]
        return line, f"{text.strip()} is not `key = value`"
    if isinstance(error, ValueError):  # botocore's nested blocks (`s3 =` followed by indented lines)
        return None, f"an indented block is not `key = value` lines ({error})"
    return None, type(error).__name__


def _shown(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    return repr(text[:80])
