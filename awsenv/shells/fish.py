"""fish: `awsenv … | source`."""

from __future__ import annotations

from awsenv.shells.base import Dialect


class Fish(Dialect):
    name = "fish"
    load_hint = "awsenv {args} | source"

    def quote(self, value: str) -> str:
        # Inside fish single quotes only \\ and \' are escapes.
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def export(self, name: str, value: str) -> str:
        return f"set -gx {name} {self.quote(value)};"

    def unset(self, name: str) -> str:
        # `set -e` of a variable that is not set fails (status 4): `| source; and aws …` would stop after a success.
        return f"set -e {name}; or true;"
