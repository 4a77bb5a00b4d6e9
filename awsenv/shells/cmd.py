"""Windows cmd.exe: `for /f "delims=" %i in ('awsenv …') do @%i`."""

from __future__ import annotations

from awsenv.errors import UsageError
from awsenv.shells.base import Dialect


class Cmd(Dialect):
    name = "cmd"
    load_hint = "for /f \"delims=\" %i in ('awsenv {args}') do @%i"

    def quote(self, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise UsageError("a value contains a line break, which cmd.exe cannot hold in `set`")
        if "%" in value or "!" in value:
            raise UsageError("a value contains % or !, which cmd.exe expands even inside quotes",
                             hint="use --format json, or PowerShell")
        return value

    def export(self, name: str, value: str) -> str:
        # `set "NAME=value"`: the quotes delimit the assignment, so & | < > ^ are literal inside.
        return f'set "{name}={self.quote(value)}"'

    def unset(self, name: str) -> str:
        return f'set "{name}="'
