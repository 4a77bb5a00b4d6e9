"""Opening a URL: which browser command, and one Firefox container or Chromium profile per AWS profile.

The URL goes straight into the browser's own argv, never through a shell or another intermediate program,
because a console sign-in URL carries a sign-in token.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from typing import Mapping, Optional

from awsenv.errors import AwsenvError, ConfigError
from awsenv.paths import data_dir

FIREFOX = ("firefox", "firefox-esr", "firefox-developer-edition", "firefox-nightly", "librewolf", "waterfox",
           "floorp")
CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "brave",
            "brave-browser", "microsoft-edge", "microsoft-edge-stable", "msedge", "vivaldi", "vivaldi-stable",
            "opera")
_MAC_APPS = {"/Applications/Firefox.app/Contents/MacOS/firefox": "firefox",
             "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome": "chromium",
             "/Applications/Chromium.app/Contents/MacOS/Chromium": "chromium",
             "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser": "chromium",
             "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge": "chromium"}

# The colours both container extensions accept; a profile always gets the same one.
CONTAINER_COLOURS = ("blue", "turquoise", "green", "yellow", "orange", "red", "pink", "purple")
CONTAINER_ICON = "briefcase"
# AWSENV_CONTAINER_EXTENSION → the URL scheme of that Firefox extension.
CONTAINER_SCHEMES = {"open-url-in-container": "ext+container", "granted": "ext+granted-containers"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Browser:
    template: tuple[str, ...]  # the command; `{url}` (or BROWSER's `%s`) marks where the URL goes
    family: Optional[str]  # firefox, chromium, or None when unknown
    origin: str  # where the command came from, for messages


def family_of(program: str) -> Optional[str]:
    if program in _MAC_APPS:
        return _MAC_APPS[program]
    base = os.path.basename(program).lower().removesuffix(".exe").replace(" ", "-")
    for family, names in (("firefox", FIREFOX), ("chromium", CHROMIUM)):
        if any(base == name or base.startswith(name + "-") for name in names):
            return family
    return None


def configured(environ: Mapping[str, str] = os.environ) -> Optional[Browser]:
    """AWSENV_BROWSER (a command with `{url}`), else the first usable command of BROWSER; None: system default."""
    command = environ.get("AWSENV_BROWSER", "").strip()
    if command:
        argv = _split(command, "AWSENV_BROWSER")
        return Browser(tuple(argv), _family(argv[0], environ), "AWSENV_BROWSER")
    for entry in environ.get("BROWSER", "").split(os.pathsep):
        if entry.strip():
            argv = _split(entry, "BROWSER")
            if shutil.which(argv[0], path=environ.get("PATH")):
                return Browser(tuple(argv), _family(argv[0], environ), "BROWSER")
    return None


def _family(program: str, environ: Mapping[str, str]) -> Optional[str]:
    stated = environ.get("AWSENV_BROWSER_FAMILY", "").strip().lower()
    if stated:
        if stated not in ("firefox", "chromium"):
            raise ConfigError(f"AWSENV_BROWSER_FAMILY={stated!r} is neither firefox nor chromium")
        return stated
    return family_of(program)


def installed(environ: Mapping[str, str] = os.environ) -> Optional[Browser]:
    """A Firefox, else a Chromium-family browser found on PATH (or in /Applications): for --container."""
    for names in (FIREFOX, CHROMIUM):
        for name in names:
            found = shutil.which(name, path=environ.get("PATH"))
            if found:
                return Browser((found, "{url}"), family_of(found), "PATH")
    if sys.platform == "darwin":
        for path, family in _MAC_APPS.items():
            if os.path.exists(path):
                return Browser((path, "{url}"), family, path)
    return None


def container_colour(profile: str) -> str:
    digest = hashlib.sha256(profile.encode()).digest()
    return CONTAINER_COLOURS[digest[0] % len(CONTAINER_COLOURS)]


def container_url(profile: str, url: str, environ: Mapping[str, str] = os.environ) -> str:
    """The link a Firefox container extension opens: the page in a container named after the profile."""
    choice = environ.get("AWSENV_CONTAINER_EXTENSION", "open-url-in-container").strip()
    scheme = CONTAINER_SCHEMES.get(choice)
    if scheme is None:
        raise ConfigError(f"AWSENV_CONTAINER_EXTENSION={choice!r} is not a container extension awsenv knows",
                          hint="use " + " or ".join(CONTAINER_SCHEMES))
    query = urllib.parse.urlencode({"name": profile, "url": url, "color": container_colour(profile),
                                    "icon": CONTAINER_ICON}, quote_via=urllib.parse.quote)
    return f"{scheme}:{query}"




def chromium_profile_dir(profile: str, environ: Mapping[str, str] = os.environ) -> str:
    """A browser profile of its own for each AWS profile: `<data dir>/browser-profiles/<profile>` (0700)."""
    from awsenv.files import UnsafeDirectory, ensure_private_dir

    name = _SAFE_NAME.sub("-", profile)
    if name != profile:  # keep two profiles whose names differ only in unusual characters apart
        name += "-" + hashlib.sha256(profile.encode()).hexdigest()[:8]
    parent = os.path.join(data_dir(environ), "browser-profiles")
    try:
        ensure_private_dir(data_dir(environ))
        ensure_private_dir(parent)
        return ensure_private_dir(os.path.join(parent, name))
    except (UnsafeDirectory, OSError) as exc:
        raise ConfigError(f"cannot use a browser profile directory for {profile!r}: {exc}",
                          hint="set AWSENV_DATA_DIR to a directory of your own") from None


def command(browser: Browser, url: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The argv to run: `extra` options after the program, the URL where the template says (else last)."""
    argv = [browser.template[0], *extra]
    placed = False
    for token in browser.template[1:]:
        if "{url}" in token or "%s" in token:
            argv.append(token.replace("{url}", url).replace("%s", url))
            placed = True
        else:
            argv.append(token)
    if not placed:
        argv.append(url)
    return argv


def launch(argv: list[str], origin: str) -> None:
    """Run the browser command without a shell; its output goes to stderr (stdout is the product's)."""
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(),
                                   start_new_session=True, close_fds=True)
    except OSError as exc:
        raise ConfigError(f"cannot run the browser command from {origin} ({argv[0]}): {exc.strerror}",
                          hint="fix the command, or use --print to get the URL") from None
    try:
        status = process.wait(timeout=3)  # a launcher hands over and exits; a browser started here keeps running
    except subprocess.TimeoutExpired:
        return
    if status != 0:
        raise AwsenvError(f"the browser command from {origin} ({argv[0]}) exited with status {status}",
                          hint="fix the command, or use --print to get the URL")


def _split(command: str, origin: str) -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{origin} is not a valid command: {exc}") from None
    if not argv:
        raise ConfigError(f"{origin} is empty")
    return argv
