"""The MFA session's explanation is said the first time that MFA session is opened, not before every prompt: a
marker next to its cache entry (named by the session's cache key, empty) remembers it. Under --debug it is traced
every time; without a cache it is said every time."""

from __future__ import annotations

import logging
import os

from awsenv.cache.store import CredentialCache
from awsenv.config import profiles as config
from awsenv.plan.rules import resolve_plan
from awsenv.resolve import notes
from awsenv.resolve.engine import Engine, FlowOptions

SERIAL = "arn:aws:iam::123456789012:mfa/alice"
KEYS = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n"


def _roles(tmp_path, serial: str = SERIAL):
    (tmp_path / "config").write_text("".join(
        f"[profile {name}]\nrole_arn = arn:aws:iam::111111111111:role/{name}\nsource_profile = base\n"
        f"mfa_serial = {serial}\n" for name in ("prod", "staging")))
    (tmp_path / "credentials").write_text(f"[base]\n{KEYS}")
    return config.load({"AWS_CONFIG_FILE": str(tmp_path / "config"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")})


def _said(loaded, cache, profile: str = "prod") -> list[str]:
    said: list[str] = []
    engine = Engine(loaded, FlowOptions(), cache, said.append)
    told = notes.tell(engine, resolve_plan(loaded, profile), said.append)
    told()  # the credentials came
    return [note for note in said if "one MFA code opens" in note]


def test_the_explanation_is_said_once_per_mfa_session(tmp_path):
    loaded = _roles(tmp_path)
    cache = CredentialCache(str(tmp_path / "cache"))
    assert len(_said(loaded, cache)) == 1
    assert _said(loaded, cache) == []
    assert _said(loaded, cache, "staging") == []  # the same MFA session: same keys, same serial
    markers = os.listdir(tmp_path / "cache")
    assert len(markers) == 1 and markers[0].endswith(".explained")
    assert os.path.getsize(tmp_path / "cache" / markers[0]) == 0  # no secret, nothing at all
    other = tmp_path / "other"
    other.mkdir()
    assert len(_said(_roles(other, SERIAL.replace("alice", "bob")), cache)) == 1  # another MFA session


def test_a_sign_in_cut_short_is_explained_again(tmp_path):
    loaded = _roles(tmp_path)
    cache = CredentialCache(str(tmp_path / "cache"))
    said: list[str] = []
    notes.tell(Engine(loaded, FlowOptions(), cache, said.append), resolve_plan(loaded, "prod"), said.append)
    assert said and not (tmp_path / "cache").exists()  # interrupted at the prompt: nothing written
    assert len(_said(loaded, cache)) == 1


def test_without_a_cache_it_is_said_every_time(tmp_path):
    loaded = _roles(tmp_path)
    assert len(_said(loaded, None)) == 1
    assert len(_said(loaded, None)) == 1


def test_under_debug_it_is_traced_every_time(tmp_path, caplog):
    loaded = _roles(tmp_path)
    cache = CredentialCache(str(tmp_path / "cache"))
    _said(loaded, cache)
    with caplog.at_level(logging.DEBUG, logger="awsenv"):
        assert _said(loaded, cache) == []
    assert any("one MFA code opens" in record.getMessage() for record in caplog.records)
