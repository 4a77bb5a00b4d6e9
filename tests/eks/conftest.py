"""Profiles for EKS tokens, a decoder for them, and the API server stand-in that checks them with the STS gate."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.cache_entries import ROLE
from tests.helpers import BASE_KEY_ID
from tests.servers import kube_api

BASE_SECRET = "base/secret+key"  # tests.helpers.AwsHome.write_base_keys


@pytest.fixture
def eks_home(home, sts):
    """[base]: static keys the gate knows the secret of; [deploy]: a role assumed with them."""
    home.write_base_keys()
    home.write_config(f"""\
        [profile base]
        region = eu-west-1
        [profile deploy]
        role_arn = {ROLE}
        source_profile = base
        region = eu-west-1
        """)
    sts.secrets[BASE_KEY_ID] = (BASE_SECRET, None)
    return home


@pytest.fixture
def api_server(sts, tmp_path):
    """An HTTPS API server for the cluster `alpha` that lets in only tokens the gate accepts for `alpha`."""
    directory = tmp_path / "apiserver"
    directory.mkdir()
    server = kube_api.start("alpha", sts.url, directory)
    yield server
    server.stop()


def exec_credential(stdout: str) -> dict:
    document = json.loads(stdout)
    assert document["kind"] == "ExecCredential" and document["spec"] == {}
    return document


def token_url(token: str) -> str:
    """The presigned URL inside a `k8s-aws-v1.` token (which must be unpadded base64url)."""
    assert token.startswith("k8s-aws-v1.")
    encoded = token[len("k8s-aws-v1."):]
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def sts_verdict(url: str, cluster: str) -> int:
    """The HTTP status STS (the gate) answers the token's URL with, sent with `x-k8s-aws-id: cluster`."""
    request = urllib.request.Request(url, headers={"x-k8s-aws-id": cluster}, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def query(url: str) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
