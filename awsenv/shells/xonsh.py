"""xonsh: `execx($(awsenv …))`. Values are Python string literals."""

from __future__ import annotations

from awsenv.shells.base import Dialect


class Xonsh(Dialect):
    name = "xonsh"
    load_hint = "execx($(awsenv {args}))"

    def quote(self, value: str) -> str:
        return repr(value)

    def export(self, name: str, value: str) -> str:
        return f"${name} = {self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"${{...}}.pop({name!r}, None)"
