"""What every shell dialect provides: quote a value, set and unset a variable, render a whole delta."""

from __future__ import annotations

from awsenv.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: the cache-hit path renders through here
if TYPE_CHECKING:
    from typing import Optional

    from awsenv.model import EnvDelta


class Dialect:
    name = ""
    #: How a user loads the output in this shell, shown when stdout is a terminal.
    load_hint = ""

    def cannot_hold(self, value: str) -> Optional[str]:
        """Why this dialect cannot carry `value` intact (then it is refused, never mangled), or None."""
        return None

    def quote(self, value: str) -> str:
        raise NotImplementedError

    def export(self, name: str, value: str) -> str:
        raise NotImplementedError

    def unset(self, name: str) -> str:
        raise NotImplementedError

    def render(self, delta: EnvDelta) -> str:
        lines = []
        for name, value in delta.items():
            check_name(name)
            if value is None:
                lines.append(self.unset(name))
            else:
                check_value(self, name, value)
                lines.append(self.export(name, value))
        return "".join(line + "\n" for line in lines)


def check_name(name: str) -> None:
    if not (name.isascii() and name.isidentifier()):  # [A-Za-z_][A-Za-z0-9_]*
        raise UsageError(f"{name!r} is not a valid environment variable name")


def check_value(dialect: Dialect, name: str, value: str) -> None:
    if "\0" in value:
        raise UsageError(f"the value of {name} contains a NUL byte, which no environment variable can hold")
    reason = dialect.cannot_hold(value)
    if reason:
        raise UsageError(f"the value of {name} {reason}", hint="use --format json, or another shell")


def refuse_if_unfit(dialect: Dialect, value: str) -> None:
    """For quote(): the same refusal as render(), without a variable name."""
    reason = dialect.cannot_hold(value) or ("contains a NUL byte" if "\0" in value else None)
    if reason:
        raise UsageError(f"a value {reason}", hint="use --format json, or another shell")
