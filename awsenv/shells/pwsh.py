"""PowerShell: `awsenv … | Invoke-Expression`."""

from __future__ import annotations

from awsenv.shells.base import Dialect

# PowerShell treats these as single quotes too (about_Quoting_Rules); each is doubled to be literal.
_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


class Pwsh(Dialect):
    name = "pwsh"
    load_hint = "awsenv {args} | Invoke-Expression"

    def quote(self, value: str) -> str:
        return "'" + "".join(c + c if c in _SINGLE_QUOTES else c for c in value) + "'"

    def export(self, name: str, value: str) -> str:
        return f"$Env:{name} = {self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"Remove-Item -ErrorAction SilentlyContinue Env:{name}"
