"""Choose a profile on the terminal when the command line leaves it out."""

from __future__ import annotations

from typing import Iterable

from awsenv.errors import UsageError
from awsenv.terminal import Terminal


def pick_profile(names: Iterable[str], command: str) -> str:
    choices = sorted(names)
    terminal = Terminal.open()
    if terminal is None:
        raise UsageError(f"`awsenv {command}` needs a PROFILE", hint=f"run `awsenv {command} PROFILE`; "
                         "`awsenv list` shows the profiles")
    with terminal:
        if not choices:
            raise UsageError(f"no profile fits `awsenv {command}`",
                             hint="`awsenv list` shows the profiles and their flows")
        return terminal.choose("profile", [(name, name) for name in choices])
