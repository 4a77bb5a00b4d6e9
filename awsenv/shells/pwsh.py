"""PowerShell: `awsenv … | Invoke-Expression`."""

from __future__ import annotations

from awsenv.shells.base import Dialect, refuse_if_unfit

# PowerShell treats these as single quotes too (about_Quoting_Rules); each is doubled to be literal.
_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
# Piped into Invoke-Expression, every output line is run on its own, so a value must stay on one line:
# line breaks are joined in as double-quoted escapes ("`n", "`r"), which hold no `$` to expand.
_ESCAPED = {"\n": '"`n"', "\r": '"`r"'}


class Pwsh(Dialect):
    name = "pwsh"
    load_hint = "awsenv {args} | Invoke-Expression"

    def quote(self, value: str) -> str:
        refuse_if_unfit(self, value)
        parts = []
        for piece in _split_lines(value):
            if piece in _ESCAPED:
                parts.append(_ESCAPED[piece])
            elif piece or not parts:
                parts.append("'" + "".join(c + c if c in _SINGLE_QUOTES else c for c in piece) + "'")
        return parts[0] if len(parts) == 1 else "(" + " + ".join(parts) + ")"

    def export(self, name: str, value: str) -> str:
        return f"$Env:{name} = {self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"Remove-Item -ErrorAction SilentlyContinue Env:{name}"


def _split_lines(value: str) -> list[str]:
    """`value` cut at each CR and LF, keeping them as pieces of their own: text, break, text, … (text may be "")."""
    pieces = [""]
    for char in value:
        if char in _ESCAPED:
            pieces += [char, ""]
        else:
            pieces[-1] += char
    return pieces
