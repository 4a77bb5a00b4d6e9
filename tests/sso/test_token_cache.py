"""The AWS CLI's token file: its name, fields and timestamp formats, read and written with real files."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest

from awsenv.model import SsoSession
from awsenv.sso.token_cache import SsoToken, parse_time, read_token, token_path, write_token
from tests.sso_fixtures import mode

CORP = SsoSession("corp", "https://example.awsapps.com/start", "us-east-1")
LEGACY = SsoSession("", "https://example.awsapps.com/start", "us-east-1")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("text", ["2026-11-24T03:49:03Z", "2026-11-24T03:49:03UTC", "2026-11-24T03:49:03+00:00",
                                  "2026-11-24T03:49:03.000Z", "2026-11-24T04:49:03+01:00"])
def test_every_timestamp_form_the_aws_cli_has_written_is_read(text):
    assert parse_time(text) == datetime(2026, 11, 24, 3, 49, 3, tzinfo=timezone.utc)


def test_file_names_are_sha1_of_session_name_or_start_url(home):
    assert token_path(CORP).endswith("/.aws/sso/cache/" + hashlib.sha1(b"corp").hexdigest() + ".json")
    assert token_path(LEGACY).endswith(hashlib.sha1(CORP.start_url.encode()).hexdigest() + ".json")


def test_written_token_has_the_cli_fields_and_reads_back(home):
    token = SsoToken("canaryACCESS", datetime(2026, 11, 24, 3, 49, 3, tzinfo=timezone.utc), CORP.start_url, CORP.region,
                     refresh_token="canaryREFRESH", client_id="cid", client_secret="canaryCLIENT",
                     registration_expires_at=datetime(2027, 2, 21, tzinfo=timezone.utc))
    path = write_token(CORP, token)
    data = json.loads(open(path).read())
    assert data == {"startUrl": CORP.start_url, "region": "us-east-1", "accessToken": "canaryACCESS",
                    "expiresAt": "2026-11-24T03:49:03Z", "clientId": "cid", "clientSecret": "canaryCLIENT",
                    "registrationExpiresAt": "2027-02-21T00:00:00Z", "refreshToken": "canaryREFRESH"}
    assert mode(home / ".aws") == 0o700 and mode(home / ".aws" / "sso" / "cache") == 0o700
    assert read_token(CORP) == token
    assert "canary" not in repr(token)


def test_legacy_token_without_registration_reads_and_is_not_refreshable(home):
    path = token_path(LEGACY)
    (home / ".aws" / "sso" / "cache").mkdir(parents=True)
    open(path, "w").write(json.dumps({"startUrl": LEGACY.start_url, "region": "us-east-1", "accessToken": "x",
                                      "expiresAt": "2099-01-01T00:00:00UTC"}))
    token = read_token(LEGACY)
    assert token is not None and not token.refreshable()


@pytest.mark.parametrize("content", ["", "{", "[]", '{"accessToken": "x"}', '{"expiresAt": "2099-01-01T00:00:00Z"}'])
def test_corrupt_or_incomplete_files_count_as_no_token(home, content):
    (home / ".aws" / "sso" / "cache").mkdir(parents=True)
    open(token_path(CORP), "w").write(content)
    assert read_token(CORP) is None
