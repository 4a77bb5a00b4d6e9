"""Windows cmd.exe: `for /f "delims=" %i in ('awsenv …') do @%i`."""

from __future__ import annotations

from awsenv.shells.base import Dialect, refuse_if_unfit


class Cmd(Dialect):
    name = "cmd"
    load_hint = "for /f \"delims=\" %i in ('awsenv {args}') do @%i"

    def cannot_hold(self, value: str) -> str | None:
        if "\n" in value or "\r" in value:
            return "contains a line break, which cmd.exe cannot hold in `set`"
        if "%" in value or "!" in value:
            return "contains % or !, which cmd.exe expands even inside quotes"
        if '"' in value:
            return "contains a double quote, which would end cmd.exe's quoted `set`"
        return None

    def quote(self, value: str) -> str:
        refuse_if_unfit(self, value)
        return value

    def export(self, name: str, value: str) -> str:
        # `set "NAME=value"`: the quotes delimit the assignment, so & | < > ^ are literal inside.
        return f'set "{name}={self.quote(value)}"'

    def unset(self, name: str) -> str:
        return f'set "{name}="'
