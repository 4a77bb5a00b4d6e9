"""elvish: `eval (awsenv … | slurp)`."""

from __future__ import annotations

from awsenv.shells.base import Dialect


class Elvish(Dialect):
    name = "elvish"
    load_hint = "eval (awsenv {args} | slurp)"

    def quote(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def export(self, name: str, value: str) -> str:
        return f"set-env {name} {self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"unset-env {name}"
