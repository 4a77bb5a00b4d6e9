"""The controlling terminal, for questions: prompts never touch stdout, which may be captured by `eval`."""

from __future__ import annotations

import os
import sys
from typing import Iterable, Optional, Sequence

from awsenv.errors import UsageError



def say(message: str) -> None:
    """A message for the person: one line on stderr (stdout carries only the product)."""
    print(f"awsenv: {message}", file=sys.stderr)


class Terminal:
    """A reader and a writer on /dev/tty (a tty cannot be opened "r+" in text mode: it is not seekable)."""

    def __init__(self, reader, writer) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    def open(cls) -> Optional["Terminal"]:
        """The terminal, or None when the process has none (cron, CI, an SDK's credential_process)."""
        try:
            reader = open("/dev/tty", "r", encoding="utf-8", errors="replace")
        except OSError:
            return None
        try:
            writer = open("/dev/tty", "w", encoding="utf-8", errors="replace")
        except OSError:
            reader.close()
            return None
        return cls(reader, writer)

    def write(self, text: str) -> None:
        self.writer.write(text)
        self.writer.flush()

    def ask(self, question: str) -> Optional[str]:
        """The answer without its line end, or None at end of input."""
        self.write(question)
        try:
            line = self.reader.readline()
        except KeyboardInterrupt:
            self.write("\n")  # Ctrl-C leaves the cursor after the question: what follows starts on a line of its own
            raise
        return None if line == "" else line.strip()

    def ask_secret(self, question: str) -> Optional[str]:
        """Like `ask`, with the terminal's echo off: for a secret key or a passphrase (kept as typed)."""
        import termios

        fd = self.reader.fileno()
        self.write(question)
        try:
            before = termios.tcgetattr(fd)
        except termios.error:
            before = None
        if before is not None:
            quiet = list(before)
            quiet[3] &= ~termios.ECHO
            termios.tcsetattr(fd, termios.TCSAFLUSH, quiet)
        try:
            line = self.reader.readline()
        finally:
            if before is not None:
                termios.tcsetattr(fd, termios.TCSAFLUSH, before)
                self.write("\n")
        return None if line == "" else line.rstrip("\r\n")

    def choose(self, what: str, choices: Sequence[tuple[str, str]]) -> str:
        """One of `choices` (value, label), by number or by value."""
        for number, (_, label) in enumerate(choices, 1):
            self.write(f"{number:>3}) {label}\n")
        values = [value for value, _ in choices]
        for _ in range(3):
            answer = self.ask(f"Choose the {what} (number or name): ")
            if not answer:
                break
            if answer in values:
                return answer
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                return values[int(answer) - 1]
        raise UsageError(f"no {what} was chosen")

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.reader.close()
        self.writer.close()


def available() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


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
