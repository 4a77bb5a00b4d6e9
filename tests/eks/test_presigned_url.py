"""The presigned URL in process: STS's 15 minutes, not X-Amz-Expires, bound it (the token's 14 fit inside), and
the verifier the STS gate uses refuses what STS refuses."""

from __future__ import annotations

import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

from awsenv.aws.presign import caller_identity_url
from awsenv.eks.exec_credential import SERVER_LIFETIME, TOKEN_LIFETIME, TOKEN_MIN_TTL, URL_EXPIRES
from awsenv.model import Credentials
from tests.servers.presigned import check

HOST = "127.0.0.1:9"  # never contacted: presigning sends nothing
KEY, SECRET, SESSION = "ASIAEXAMPLEEXAMPLE01", "test/secret+key", "session-token-value"


@pytest.fixture
def url(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://{HOST}")
    return caller_identity_url("p", Credentials(KEY, SECRET, SESSION), "eu-west-1", "alpha", URL_EXPIRES)


def _check(url: str, cluster: str = "alpha", after: timedelta = timedelta(), secrets: dict | None = None):
    split = urllib.parse.urlsplit(url)
    signed = datetime.strptime(dict(urllib.parse.parse_qsl(split.query))["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    return check("GET", split.netloc, f"{split.path}?{split.query}", {"host": split.netloc, "x-k8s-aws-id": cluster},
                 {KEY: (SECRET, SESSION)} if secrets is None else secrets,
                 now=signed.replace(tzinfo=timezone.utc) + after)[0]


def test_the_lifetimes_fit_inside_what_sts_accepts():
    assert URL_EXPIRES == 60 and TOKEN_LIFETIME + 60 <= SERVER_LIFETIME and 0 < TOKEN_MIN_TTL < TOKEN_LIFETIME


def test_sts_accepts_the_url_for_its_cluster_for_15_minutes(url):
    assert _check(url) is None
    assert _check(url, after=timedelta(seconds=TOKEN_LIFETIME)) is None  # long past X-Amz-Expires=60
    assert _check(url, after=timedelta(seconds=SERVER_LIFETIME + 1)) == "ExpiredToken"
    assert _check(url, cluster="beta") == "SignatureDoesNotMatch"
    assert _check(url, secrets={KEY: ("another/secret", SESSION)}) == "SignatureDoesNotMatch"
    assert _check(url, secrets={KEY: (SECRET, "another-session")}) == "InvalidClientTokenId"
    assert _check(url.replace("eu-west-1", "eu-west-2")) == "SignatureDoesNotMatch"
