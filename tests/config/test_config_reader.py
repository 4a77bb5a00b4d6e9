"""config/ini_read is the one reader of AWS config files: populate and the credential server's child files read
through it, and a broken file is named FILE:LINE for every reader. aws/clients.py is the one maker of botocore clients
(that botocore is imported only in aws/, sso/ and config/ is tests/layout's rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from awsenv.config import ini_read
from awsenv.errors import ConfigError
from awsenv.populate import config_edit
from awsenv.server import child_files

PACKAGE = Path(__file__).parents[2] / "awsenv"
BROKEN = b"[profile a]\nregion = eu-west-1\n[profile b\nregion = us-east-1\n"


def test_bytes_read_as_a_file_are_named_file_and_line(tmp_path):
    shown = str(tmp_path / "config")  # never created: the bytes are what is read
    with pytest.raises(ConfigError) as caught:
        config_edit.parse(BROKEN, shown)
    assert caught.value.message == f"cannot parse {shown}:3: section header '[profile b' has no closing ']'"
    assert "fix that line" in caught.value.hint


def test_a_file_and_the_same_bytes_read_alike(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(b"[default]\nregion = eu-west-1\n[profile a]\nrole_arn = arn:aws:iam::1:role/r\n"
                     b"[sso-session s]\nsso_region = us-east-1\n")
    assert ini_read.profile_map(str(path)) == config_edit.parse(path.read_bytes(), str(path))
    assert config_edit.parse(path.read_bytes(), str(path))["sso_sessions"] == {"s": {"sso_region": "us-east-1"}}
    path.write_bytes(BROKEN)
    with pytest.raises(ConfigError) as from_file:
        ini_read.sections(str(path))
    with pytest.raises(ConfigError) as from_bytes:
        config_edit.parse(BROKEN, str(path))
    assert from_file.value.message == from_bytes.value.message


def test_child_files_treat_an_unreadable_file_as_shadowing_nothing(tmp_path):
    broken, keys = tmp_path / "broken", tmp_path / "keys"
    broken.write_bytes(b"[default]\naws_access_key_id = AKIAEXAMPLE\n[default]\n")
    keys.write_bytes(b"[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n")
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(keys), "AWS_CONFIG_FILE": str(broken), "HOME": str(tmp_path)}
    variables, notes = child_files.private_files(str(tmp_path), "eu-west-1", env)
    assert list(variables) == ["AWS_SHARED_CREDENTIALS_FILE"] and len(notes) == 1


def test_botocore_clients_are_made_only_by_the_factory():
    makers = [str(path.relative_to(PACKAGE)) for path in sorted(PACKAGE.rglob("*.py"))
              if "create_client(" in path.read_text() and path.relative_to(PACKAGE) != Path("aws/clients.py")]
    assert makers == []
