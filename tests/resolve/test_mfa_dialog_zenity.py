"""The real zenity under Xvfb: `awsenv credential-process` with no terminal and a display asks for the MFA code in a
zenity dialog; the test finds the dialog's window with xdotool and types the code in it, as a person would."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pyotp
import pytest

from tests.helpers import AWSENV, MFA_SERIAL, TOTP_SEED, need_binary

pytestmark = pytest.mark.process

TITLE = "awsenv: MFA code"


@pytest.fixture
def display(tmp_path):
    """A fresh Xvfb on a display number it picks itself (-displayfd): no other X server is touched."""
    xvfb = need_binary("Xvfb")
    need_binary("zenity")
    need_binary("xdotool")
    read_end, write_end = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "800x600x24"],
                              pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()  # written once the server accepts clients
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def _xdotool(display: str, *args: str) -> str:
    done = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True, text=True,
                          timeout=30)
    return done.stdout.strip() if done.returncode == 0 else ""


def _wait_for_window(display: str, asking) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = _xdotool(display, "search", "--name", TITLE)
        if found:
            return found.splitlines()[0]
        assert asking.poll() is None, asking.communicate()
        time.sleep(0.2)
    pytest.fail("the zenity dialog did not appear")


def test_zenity_asks_for_the_code_and_what_is_typed_is_sent(home, sts, display):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    home.write_base_keys()
    home.write_config(f"[profile base]\nregion = us-east-1\nmfa_serial = {MFA_SERIAL}\n")
    env = home.env(DISPLAY=display)
    env.pop("WAYLAND_DISPLAY", None)
    asking = subprocess.Popen([AWSENV, "credential-process", "base"], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                              cwd=str(home.root))
    try:
        window = _wait_for_window(display, asking)
        _xdotool(display, "windowfocus", "--sync", window)
        code = pyotp.TOTP(TOTP_SEED).now()
        _xdotool(display, "type", "--delay", "20", code)
        _xdotool(display, "key", "Return")
        out, err = asking.communicate(timeout=60)
    finally:
        if asking.poll() is None:
            asking.kill()
            asking.wait()
    assert asking.returncode == 0, err
    assert json.loads(out)["Version"] == 1
    [call] = [c for c in sts.calls if "TokenCode" in c.params]
    assert call.action == "GetSessionToken" and call.status == 200
    assert call.params["TokenCode"] == code


def test_closing_the_zenity_dialog_is_exit_1(home, sts, display):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    home.write_base_keys()
    home.write_config(f"[profile base]\nmfa_serial = {MFA_SERIAL}\nmfa_prompt = zenity\n")
    asking = subprocess.Popen([AWSENV, "credential-process", "base"], env=home.env(DISPLAY=display),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True, cwd=str(home.root))
    try:
        window = _wait_for_window(display, asking)
        _xdotool(display, "windowfocus", "--sync", window)
        _xdotool(display, "key", "Escape")
        out, err = asking.communicate(timeout=60)
    finally:
        if asking.poll() is None:
            asking.kill()
            asking.wait()
    assert asking.returncode == 1 and out == ""
    assert "cancelled" in err
    assert sts.calls == []
