"""tcsh and csh: ``eval "`awsenv …`"``. Each command ends in `;` (the backquotes join lines)."""

from __future__ import annotations

from awsenv.errors import UsageError
from awsenv.shells.base import Dialect


class Tcsh(Dialect):
    name = "tcsh"
    load_hint = 'eval "`awsenv {args}`"'

    def quote(self, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise UsageError("a value contains a line break, which tcsh cannot receive through eval",
                             hint="use --format json, or another shell")
        # History expansion sees `!` even inside single quotes.
        return "'" + value.replace("'", "'\\''").replace("!", "\\!") + "'"

    def export(self, name: str, value: str) -> str:
        return f"setenv {name} {self.quote(value)};"

    def unset(self, name: str) -> str:
        return f"unsetenv {name};"
