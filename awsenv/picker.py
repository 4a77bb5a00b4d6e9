"""Choose a profile on the terminal when the command line leaves it out."""

from __future__ import annotations

from typing import Iterable

from awsenv.errors import UsageError


def pick_profile(names: Iterable[str], command: str) -> str:
    choices = sorted(names)
    try:
        tty = open("/dev/tty", "r+", encoding="utf-8", errors="replace")
    except OSError:
        raise UsageError(f"`awsenv {command}` needs a PROFILE", hint=f"run `awsenv {command} PROFILE`; "
                         "`awsenv list` shows the profiles") from None
    if not choices:
        tty.close()
        raise UsageError(f"no profile fits `awsenv {command}`", hint="`awsenv list` shows the profiles and their flows")
    with tty:
        for number, name in enumerate(choices, 1):
            tty.write(f"{number:>3}) {name}\n")
        for _ in range(3):
            tty.write("Profile (number or name): ")
            tty.flush()
            answer = tty.readline().strip()
            if answer in choices:
                return answer
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                return choices[int(answer) - 1]
            if answer == "":
                break
        raise UsageError("no profile was chosen")
