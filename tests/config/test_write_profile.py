"""--write-profile: a new section is appended, symlinks are kept, long-lived keys are never overwritten, nothing runs
from PATH. (Byte-for-byte round trips and modes: tests/reliability/test_b_file_writes.py.)"""

from __future__ import annotations

import os
import stat
import pytest

pytestmark = pytest.mark.in_process


HOSTILE = (
    b"# my credentials; hand-edited\r\n"
    b"[dev]\r\n"
    b"aws_access_key_id = AKIAIOSFODNN7DEVKEY1\r\n"
    b"aws_secret_access_key = dev/secret+key\r\n"
    b"; a semicolon comment\r\n"
    b"\r\n"
    b"[dev-temporary]   # old session\r\n"
    b"# managed by awsenv\r\n"
    b"aws_access_key_id = OLDKEY\r\n"
    b"aws_secret_access_key = OLDSECRET\r\n"
    b"aws_session_token = OLDTOKEN\r\n"
    b"note = keep me %(not interpolated)s\r\n"
    b"\r\n"
    b"[other]\r\n"
    b"aws_access_key_id = AKIAOTHER\r\n"
    b"aws_secret_access_key = x\r\n"
    b"# trailing comment, no final newline"
)


def _setup(home, credentials: bytes = HOSTILE):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    home.credentials.parent.mkdir(parents=True, exist_ok=True)
    home.credentials.write_bytes(credentials)
    os.chmod(home.credentials, 0o644)


def test_custom_name_is_appended_and_symlink_is_kept(home, sts, tmp_path):
    real = tmp_path / "dotfiles" / "credentials"
    real.parent.mkdir()
    real.write_bytes(b"[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = s\n")
    home.write_config("[profile dev]\n")
    home.credentials.parent.mkdir(parents=True, exist_ok=True)
    home.credentials.symlink_to(real)
    done = home.run("user", "dev", "--format", "json", "--write-profile=ci")
    assert done.returncode == 0, done.stderr
    assert home.credentials.is_symlink()
    text = real.read_text()
    assert text.startswith("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = s\n[ci]\n")
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert [p for p in os.listdir(real.parent)] == ["credentials"]  # no temp file left behind


def test_refuses_to_overwrite_long_lived_keys(home, sts):
    _setup(home)
    before = home.credentials.read_bytes()
    done = home.run("user", "dev", "--write-profile=dev")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "long-lived" in done.stderr
    assert home.credentials.read_bytes() == before
