"""sh, bash, zsh, ksh, dash, mksh: `eval "$(awsenv …)"`."""

from __future__ import annotations

from awsenv.shells.base import Dialect


class Posix(Dialect):
    name = "sh"
    load_hint = 'eval "$(awsenv {args})"'

    def quote(self, value: str) -> str:
        # Inside single quotes nothing is special; a quote is closed, escaped and reopened.
        return "'" + value.replace("'", "'\\''") + "'"

    def export(self, name: str, value: str) -> str:
        return f"export {name}={self.quote(value)};"

    def unset(self, name: str) -> str:
        return f"unset {name};"
