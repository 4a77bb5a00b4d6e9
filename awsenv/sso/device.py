"""The device sign-in as the user sees it: the browser opened on the code, the code and URL on stderr,
a live wait indicator, and polling at the server's pace until the request is approved, denied or expires."""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Mapping, Optional, TextIO

from awsenv.errors import Interrupted
from awsenv.model import SsoSession
from awsenv.sso.oidc import (AuthorizationPending, DeviceAuthorization, Registration, SlowDown, expired, poll_token,
                             start_device_authorization)
from awsenv.sso.token_cache import SsoToken

MIN_INTERVAL = 0.1
SLOW_DOWN_STEP = 5.0  # seconds added to the interval each time the server says SlowDown (RFC 8628)


def can_launch_browser(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether a browser can be opened without taking over the terminal: BROWSER, a desktop session, or macOS/Windows.

    Without these, Python's webbrowser would fall back to a text browser (lynx, w3m) in this very terminal.
    """
    if environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def open_browser(url: str) -> Callable[[], None]:
    """Open `url` with webbrowser (which honours BROWSER) in the background; returns the function that finishes it.

    The browser command inherits a standard output pointed at stderr: browsers print chatter ("Opening in existing
    browser session.") that must never reach stdout, where the shell code goes.
    """
    import webbrowser

    try:
        sys.stdout.flush()
        saved: Optional[int] = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError):  # no stdout or stderr to juggle: the browser inherits what there is
        saved = None

    def launch() -> None:
        try:
            webbrowser.open(url, new=2)
        except Exception:  # a broken BROWSER must not end the sign-in: the URL is on stderr too
            pass

    thread = threading.Thread(target=launch, name="awsenv-browser", daemon=True)
    thread.start()

    def finish() -> None:
        thread.join(timeout=2.0)  # the browser command has been started by then; it may keep running
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)

    return finish


class Display:
    """Messages on stderr (and on the terminal when stderr goes elsewhere, e.g. an SDK capturing it)."""

    def __init__(self, stderr: Optional[TextIO] = None, terminal: bool = True) -> None:
        self.stderr = stderr or sys.stderr
        self.tty: Optional[TextIO] = None
        if terminal and not _isatty(self.stderr):
            try:
                self.tty = open("/dev/tty", "w", encoding="utf-8", errors="replace")
            except OSError:
                self.tty = None

    def say(self, text: str) -> None:
        for stream in (self.stderr, self.tty):
            if stream is not None:
                stream.write(text + "\n")
                stream.flush()

    @property
    def live(self) -> Optional[TextIO]:
        return self.stderr if _isatty(self.stderr) else self.tty

    @contextmanager
    def waiting(self, text: str) -> Iterator[Callable[[str], None]]:
        """A spinner with `text` on the terminal while the body runs; yields the function that updates the text.
        Where no line can be redrawn (a log, a dumb terminal) the wait is said once, as a line, and not updated."""
        live = self.live
        console = None
        if live is not None:
            try:
                from rich.console import Console

                console = Console(file=live, highlight=False, markup=False)
            except ImportError:
                pass
        if console is None or not console.is_terminal or console.is_dumb_terminal:
            self.say(text)
            yield lambda _text: None
            return
        with console.status(text, spinner="dots") as status:
            yield lambda new: status.update(new)

    def close(self) -> None:
        if self.tty is not None:
            self.tty.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def sign_in(oidc, profile: str, session: SsoSession, registration: Registration, browser: bool,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
            display: Optional[Display] = None) -> SsoToken:
    """Run one device authorization to its end: the new token, or an error saying why there is none."""
    device = start_device_authorization(oidc, profile, session, registration)
    display = display or Display()
    try:
        return _wait(oidc, profile, session, registration, device, browser, sleep, clock, display)
    except KeyboardInterrupt:
        raise Interrupted(f"profile {profile!r}: sign-in interrupted; nothing was saved") from None
    finally:
        display.close()


def _wait(oidc, profile: str, session: SsoSession, registration: Registration, device: DeviceAuthorization,
          browser: bool, sleep: Callable[[float], None], clock: Callable[[], float], display: Display) -> SsoToken:
    url = device.verification_uri_complete
    display.say(f"awsenv: sign in to IAM Identity Center for profile {profile!r} ({session.start_url})")
    finish_browser = None
    if browser and can_launch_browser():
        display.say(f"awsenv: opening the browser; check that it shows the code {device.user_code}, then allow access")
        display.say(f"awsenv: if no browser opens, visit {url}")
        finish_browser = open_browser(url)
    else:
        display.say(f"awsenv: open this URL in a browser and check that it shows the code {device.user_code}:")
        display.say(f"  {url}")
    try:
        deadline = clock() + device.expires_in
        interval = max(device.interval, MIN_INTERVAL)
        text = "Waiting for approval of {code} in the browser… {left} left (Ctrl-C cancels)"
        with display.waiting(text.format(code=device.user_code, left=clock_text(device.expires_in))) as update:
            token = None
            while token is None:
                left = deadline - clock()
                if left <= 0:
                    raise expired(profile, device)
                sleep(min(interval, left))
                try:
                    token = poll_token(oidc, profile, session, registration, device)
                except AuthorizationPending:
                    pass
                except SlowDown:
                    interval += SLOW_DOWN_STEP
                update(text.format(code=device.user_code, left=clock_text(deadline - clock())))
        display.say(f"awsenv: signed in to {session.start_url} until {token.expires_at.strftime('%Y-%m-%d %H:%M:%SZ')}")
        return token
    finally:
        if finish_browser is not None:
            finish_browser()
