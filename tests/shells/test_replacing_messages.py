"""'replacing the credentials of profile …' is said only when something is replaced: the shell code that replaces
the previous profile's variables is printed, or a --write-profile section that held credentials is rewritten."""

from __future__ import annotations

import io
import sys
from datetime import datetime, timedelta, timezone

from awsenv.config.credentials_file import write_profile
from awsenv.env import delta_for
from awsenv.model import Credentials
from awsenv.shells.output import choose_dialect, emit


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _delta(profile: str):
    return delta_for("ASIAEXAMPLEKEY00001", "secret", "token", "2030-01-01T00:00:00Z", profile, "eu-west-1")


def test_replacing_is_said_when_the_code_is_printed(monkeypatch, capsys):
    emit(_delta("ops"), choose_dialect("sh", None), "role", "ops", {"AWSENV_PROFILE": "dev"})
    captured = capsys.readouterr()
    assert "AWS_ACCESS_KEY_ID" in captured.out
    assert "replacing the credentials of profile 'dev' with 'ops'" in captured.err


def test_nothing_is_replaced_when_nothing_is_printed_to_a_terminal(monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    emit(_delta("ops"), choose_dialect("sh", None), "role", "ops", {"AWSENV_PROFILE": "dev"})
    err = capsys.readouterr().err
    assert terminal.getvalue() == "" and "not printing credentials to the terminal" in err
    assert "replacing" not in err


def test_write_profile_tells_a_new_section_from_a_replaced_one(tmp_path):
    path = str(tmp_path / "credentials")
    creds = Credentials("ASIAEXAMPLEKEY00001", "secret", "token", datetime.now(timezone.utc) + timedelta(hours=1))
    assert write_profile(path, "ops-temporary", creds, None) is False
    assert write_profile(path, "ops-temporary", creds, None) is True
    assert write_profile(path, "dev-temporary", creds, None) is False
    (tmp_path / "credentials").write_text("[bare]\n# managed by awsenv\nregion = eu-west-1\n")
    assert write_profile(path, "bare", creds, None) is False  # it held no credentials
