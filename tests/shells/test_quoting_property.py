"""Quoting as a property over any text: POSIX, PowerShell and cmd.exe (no binary here) against their documented rules.
(The same in every real shell: tests/reliability/test_i_quoting.py.)"""

from __future__ import annotations

import re
import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from awsenv.errors import UsageError
from awsenv.shells.dialects import dialect_for

# Any text an environment variable can hold: every code point but NUL (and lone surrogates, which have no bytes).
any_value = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=40)
_TOKENS = list("'\"$`\\!;|&*?~#%^(){}[]<>@= \t\n\r\u2019\u2018\u00e9\U0001F600") + ["a", "$(touch canary)", "''", "\\'"]
metachar_value = st.lists(st.sampled_from(_TOKENS), max_size=20).map("".join)


@settings(max_examples=500)
@given(value=st.one_of(any_value, metachar_value))
def test_posix_quote_is_one_word_with_the_exact_text(value):
    quoted = dialect_for("sh").quote(value)
    assert shlex.split(quoted, posix=True) == [value]
    assert quoted.startswith("'")  # always quoted: nothing is ever left for the shell to expand


def _pwsh_decode(expression: str) -> str:
    """PowerShell's reading of what Pwsh.quote produces, from about_Quoting_Rules: a single-quoted string (where
    each of ' ‘ ’ ‚ ‛ doubled is one literal quote and nothing expands), or a parenthesised `+` of those and the
    double-quoted escapes "`n" and "`r"."""
    quotes = "'\u2018\u2019\u201a\u201b"
    position = 0
    text = expression
    parts: list[str] = []
    wrapped = text.startswith("(") and text.endswith(")")
    if wrapped:
        text = text[1:-1]
    while True:
        if text.startswith('"`n"', position) or text.startswith('"`r"', position):
            parts.append("\n" if text[position + 2] == "n" else "\r")
            position += 4
        else:
            assert text[position] in quotes, text
            position += 1
            piece = []
            while True:
                char = text[position]
                if char in quotes:
                    if position + 1 < len(text) and text[position + 1] in quotes:
                        piece.append(char)
                        position += 2
                        continue
                    position += 1
                    break
                piece.append(char)
                position += 1
            parts.append("".join(piece))
        if position == len(text):
            break
        assert wrapped and text.startswith(" + ", position), text
        position += 3
    return "".join(parts)


@settings(max_examples=500)
@given(value=st.one_of(any_value, metachar_value))
def test_pwsh_quote_reads_back_exactly_and_stays_on_one_line(value):
    quoted = dialect_for("pwsh").quote(value)
    assert "\n" not in quoted and "\r" not in quoted  # Invoke-Expression runs each piped line on its own
    assert _pwsh_decode(quoted) == value
    line = dialect_for("pwsh").export("AWS_SESSION_TOKEN", value)
    assert line.startswith("$Env:AWS_SESSION_TOKEN = ")


def test_pwsh_known_renderings():
    pwsh = dialect_for("pwsh")
    assert pwsh.quote("it's $HOME") == "'it''s $HOME'"
    assert pwsh.quote("a\u2019b") == "'a\u2019\u2019b'"
    assert pwsh.quote("a\nb") == "('a' + \"`n\" + 'b')"
    assert pwsh.unset("AWS_PROFILE") == "Remove-Item -ErrorAction SilentlyContinue Env:AWS_PROFILE"


_CMD_SAFE = re.compile(r'set "[A-Za-z_][A-Za-z0-9_]*=[^%!"\r\n]*"')


@settings(max_examples=500)
@given(value=st.one_of(any_value, metachar_value))
def test_cmd_sets_the_value_verbatim_or_refuses(value):
    cmd = dialect_for("cmd")
    try:
        line = cmd.render({"AWSENV_T": value}).rstrip("\n")
    except UsageError as refused:
        assert "AWSENV_T" in refused.message
        assert any(c in value for c in '%!"\r\n')
        return
    # Inside `set "NAME=…"` only % and ! (delayed expansion) expand and only " ends the text.
    assert _CMD_SAFE.fullmatch(line)
    assert line == f'set "AWSENV_T={value}"'
