"""tcsh and csh: ``eval "`awsenv …`"``. Each command ends in `;` (the backquotes join lines)."""

from __future__ import annotations

from awsenv.shells.base import Dialect, refuse_if_unfit


class Tcsh(Dialect):
    name = "tcsh"
    load_hint = 'eval "`awsenv {args}`"'

    def cannot_hold(self, value: str) -> str | None:
        if "\n" in value:
            return "contains a line break, which tcsh cannot receive through eval (it becomes a space)"
        return None

    def quote(self, value: str) -> str:
        refuse_if_unfit(self, value)
        # Inside single quotes a quote is closed, escaped and reopened; history expansion sees `!` even there.
        return "'" + value.replace("'", "'\\''").replace("!", "\\!") + "'"

    def export(self, name: str, value: str) -> str:
        return f"setenv {name} {self.quote(value)};"

    def unset(self, name: str) -> str:
        return f"unsetenv {name};"
