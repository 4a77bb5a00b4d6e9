"""A sign-in's wait ("Waiting for approval of CODE…") is said once where no line can be redrawn (a log, a dumb
terminal), and redrawn in place on a terminal that can: never zero times, never once per poll."""

from __future__ import annotations

import io

import pytest

from awsenv.sso.device import Display


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _wait(display: Display) -> None:
    with display.waiting("Waiting for approval of ABCD-EFGH in the browser… 9:59 left") as update:
        for left in ("9:58", "9:57", "9:56"):
            update(f"Waiting for approval of ABCD-EFGH in the browser… {left} left")


@pytest.mark.parametrize("stream, term", [(io.StringIO, "xterm"), (_Terminal, "dumb")])
def test_the_wait_is_said_once_where_nothing_is_redrawn(monkeypatch, stream, term):
    monkeypatch.setenv("TERM", term)
    out = stream()
    _wait(Display(stderr=out, terminal=False))
    assert out.getvalue() == "Waiting for approval of ABCD-EFGH in the browser… 9:59 left\n"


def test_a_terminal_gets_one_line_redrawn(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    out = _Terminal()
    _wait(Display(stderr=out, terminal=False))
    assert "Waiting for approval" in out.getvalue() and "\x1b[" in out.getvalue()  # drawn as a live line
