"""--write-profile: one section changes, every other byte stays, the file ends 0600, symlinks are kept."""

from __future__ import annotations

import configparser
import os
import stat

from tests.helpers import parse_posix_exports

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


def _env_without_aws_binary(home):
    python_dir = os.path.dirname(os.path.realpath(os.sys.executable))
    return home.env(PATH=f"{python_dir}:/usr/local/sbin:/nonexistent")


def test_only_the_named_section_changes(home, sts):
    _setup(home)
    done = home.run("user", "dev", "--shell", "sh", "--write-profile", env=_env_without_aws_binary(home))
    assert done.returncode == 0, done.stderr
    exported = parse_posix_exports(done.stdout)
    after = home.credentials.read_bytes()
    start, end = HOSTILE.index(b"[dev-temporary]"), HOSTILE.index(b"[other]")
    assert after.startswith(HOSTILE[:start])
    assert after.endswith(HOSTILE[end:])  # including the missing final newline
    section = after[start:len(after) - len(HOSTILE[end:])]
    assert b"OLD" not in section
    assert b"note = keep me %(not interpolated)s\r\n" in section
    assert b"\n" not in section.replace(b"\r\n", b"")  # CRLF throughout
    parser = configparser.RawConfigParser()
    parser.read_string(after.decode())
    written = parser["dev-temporary"]
    assert written["aws_access_key_id"] == exported["AWS_ACCESS_KEY_ID"]
    assert written["aws_secret_access_key"] == exported["AWS_SECRET_ACCESS_KEY"]
    assert written["aws_session_token"] == exported["AWS_SESSION_TOKEN"]
    assert written["region"] == "eu-west-1"
    assert stat.S_IMODE(os.stat(home.credentials).st_mode) == 0o600


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
