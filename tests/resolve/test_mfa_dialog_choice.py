"""Which dialog asks for an MFA code when there is no terminal (awsenv.resolve.mfa_dialog.pick_dialog)."""

from __future__ import annotations

import pytest

from awsenv.errors import ConfigError, MfaUnavailable, UsageError
from awsenv.plan.mfa_prompt import check_setting
from awsenv.resolve import mfa_dialog


@pytest.fixture
def bin_dir(tmp_path):
    def install(*names: str) -> str:
        for name in names:
            path = tmp_path / name
            path.write_text("#!/bin/sh\n")
            path.chmod(0o755)
        return str(tmp_path)
    return install


def test_by_default_the_installed_dialog_when_a_display_is_there(bin_dir):
    path = bin_dir("kdialog")
    assert mfa_dialog.pick_dialog(None, {"PATH": path, "DISPLAY": ":0"}, "linux") == "kdialog"
    assert mfa_dialog.pick_dialog(None, {"PATH": path, "WAYLAND_DISPLAY": "wayland-0"}, "linux") == "kdialog"
    path = bin_dir("zenity", "kdialog")
    assert mfa_dialog.pick_dialog(None, {"PATH": path, "DISPLAY": ":0"}, "linux") == "zenity"


def test_by_default_no_dialog_without_a_display_or_a_dialog_program(bin_dir, tmp_path):
    assert mfa_dialog.pick_dialog(None, {"PATH": bin_dir("zenity")}, "linux") is None
    empty = tmp_path / "empty"
    empty.mkdir()
    assert mfa_dialog.pick_dialog(None, {"PATH": str(empty), "DISPLAY": ":0"}, "linux") is None


def test_macos_asks_through_osascript_with_no_display_variable(bin_dir):
    assert mfa_dialog.pick_dialog(None, {"PATH": bin_dir("osascript", "zenity")}, "darwin") == "osascript"


def test_terminal_never_picks_a_dialog(bin_dir):
    assert mfa_dialog.pick_dialog("terminal", {"PATH": bin_dir("zenity"), "DISPLAY": ":0"}, "linux") is None


def test_a_named_dialog_must_be_installed_and_have_a_display(bin_dir, tmp_path):
    assert mfa_dialog.pick_dialog("kdialog", {"PATH": bin_dir("kdialog"), "DISPLAY": ":0"}, "linux") == "kdialog"
    with pytest.raises(MfaUnavailable, match="zenity is not installed"):
        mfa_dialog.pick_dialog("zenity", {"PATH": bin_dir("kdialog"), "DISPLAY": ":0"}, "linux")
    with pytest.raises(MfaUnavailable, match="no display"):
        mfa_dialog.pick_dialog("zenity", {"PATH": bin_dir("zenity")}, "linux")


def test_settings_are_checked():
    assert check_setting("dev", " Zenity ") == "zenity"
    assert check_setting("dev", None) is None
    with pytest.raises(ConfigError, match="profile 'dev': mfa_prompt 'popup'"):
        check_setting("dev", "popup")
    assert mfa_dialog.environment_setting({"AWSENV_MFA_PROMPT": "KDIALOG"}) == "kdialog"
    assert mfa_dialog.environment_setting({"AWSENV_MFA_PROMPT": ""}) is None
    with pytest.raises(UsageError, match="AWSENV_MFA_PROMPT"):
        mfa_dialog.environment_setting({"AWSENV_MFA_PROMPT": "popup"})


def test_the_prompt_text_is_an_argument_and_never_part_of_a_script():
    for program in mfa_dialog.DIALOGS:
        argv = mfa_dialog._argv(program, "MFA code for arn:aws:iam::123456789012:mfa/alice (profile dev):")
        assert argv[0] == program
        assert any("profile dev" in arg for arg in argv)
    # osascript gets the text as an argument of its script, never inside the script's source
    script = mfa_dialog._argv("osascript", 'x" & (do shell script "id") & "')
    assert script[-1] == 'x" & (do shell script "id") & "'
    assert all("do shell script" not in part for part in script[:-1])
