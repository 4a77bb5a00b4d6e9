"""The one client factory: clients made one after another in a process read botocore's data once, and a different
data path (AWS_DATA_PATH) is never answered from another path's data."""

from __future__ import annotations

import pytest

from awsenv.aws import clients
from awsenv.model import Credentials
from tests.aws_data_path import aws_data_path


class _Sent(Exception):
    pass


def _url_of_a_call(monkeypatch, data_path: str | None) -> str:
    """Where a GetCallerIdentity from a new client would go (stopped before it leaves)."""
    if data_path is None:
        monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    else:
        monkeypatch.setenv("AWS_DATA_PATH", data_path)
    sts = clients.client("sts", None, "eu-west-1", Credentials("AKIAEXAMPLEKEY000001", "secret", None, None))
    seen = []

    def stop(request, **_):
        seen.append(request.url)
        raise _Sent

    sts.meta.events.register("before-send.sts.GetCallerIdentity", stop)
    with pytest.raises(_Sent):
        sts.get_caller_identity()
    return seen[0]


def test_each_data_path_gets_its_own_endpoints_and_the_default_comes_back(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    first = aws_data_path(tmp_path / "a", {"sts": "http://127.0.0.1:1/first"})
    second = aws_data_path(tmp_path / "b", {"sts": "http://127.0.0.1:1/second"})
    urls = [_url_of_a_call(monkeypatch, path) for path in (first, first, second, None, first)]
    assert urls[:3] == ["http://127.0.0.1:1/first", "http://127.0.0.1:1/first", "http://127.0.0.1:1/second"]
    assert urls[3].startswith("https://sts.eu-west-1.amazonaws.com")
    assert urls[4] == "http://127.0.0.1:1/first"


def test_a_second_session_with_the_same_data_path_reads_no_file_again(tmp_path, monkeypatch):
    from botocore.loaders import JSONFileLoader

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)
    clients.client("sts", None, "us-east-1")
    read = []
    original = JSONFileLoader.load_file

    def counting(self, path):
        read.append(path)
        return original(self, path)

    monkeypatch.setattr(JSONFileLoader, "load_file", counting)
    clients.client("sts", None, "us-east-1")
    assert read == []
    clients.client("iam", None, "us-east-1")  # another service: its model is read, once
    assert read and all("/iam/" in path for path in read)
