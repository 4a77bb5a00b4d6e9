"""The code exchange as IAM Identity Center enforces it (the stand-in), driven by awsenv's own PKCE pieces:
the right verifier is accepted once; a wrong verifier, a reused code and another redirect URI are refused."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from awsenv.model import SsoSession
from awsenv.sso.pkce import authorize_url, challenge, new_verifier
from tests.sso_fixtures import START_URL

SESSION = SsoSession("corp", START_URL, "us-east-1", ("sso:account:access",))
REDIRECT = "http://127.0.0.1:4321/oauth/callback"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def oidc(sso, monkeypatch):
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config

    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", sso.url)
    return botocore.session.Session().create_client("sso-oidc", region_name="us-east-1",
                                                    config=Config(signature_version=UNSIGNED))


def _register(oidc) -> dict:
    return oidc.register_client(clientName="t", clientType="public", scopes=["sso:account:access"],
                                grantTypes=["authorization_code", "refresh_token"],
                                redirectUris=["http://127.0.0.1/oauth/callback"], issuerUrl=START_URL)


def _code(oidc, client: dict, verifier: str, redirect: str = REDIRECT) -> str:
    url = authorize_url(oidc.meta.endpoint_url, client["clientId"], redirect, "st", challenge(verifier),
                        ("sso:account:access",))
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(url, timeout=10)
    assert answer.value.code == 302
    location = urllib.parse.urlsplit(answer.value.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    query = dict(urllib.parse.parse_qsl(location.query))
    assert query["state"] == "st"
    return query["code"]


def _exchange(oidc, client: dict, code: str, verifier: str, redirect: str = REDIRECT):
    return oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                             grantType="authorization_code", code=code, codeVerifier=verifier, redirectUri=redirect)


def _refused(call) -> str:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"]


def test_the_challenge_is_the_unpadded_base64url_sha256_of_a_64_character_verifier():
    verifier = new_verifier()
    assert len(verifier) == 64
    assert challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_right_verifier_gets_a_token_once(sso, oidc):
    client, verifier = _register(oidc), new_verifier()
    code = _code(oidc, client, verifier)
    assert _exchange(oidc, client, code, verifier)["accessToken"] in sso.tokens
    assert _refused(lambda: _exchange(oidc, client, code, verifier)) == "InvalidGrantException"


def test_a_wrong_verifier_is_refused_and_spends_the_code(sso, oidc):
    client, verifier = _register(oidc), new_verifier()
    code = _code(oidc, client, verifier)
    assert _refused(lambda: _exchange(oidc, client, code, new_verifier())) == "InvalidGrantException"
    assert _refused(lambda: _exchange(oidc, client, code, verifier)) == "InvalidGrantException"


def test_another_redirect_uri_or_client_is_refused(sso, oidc):
    client, other, verifier = _register(oidc), _register(oidc), new_verifier()
    code = _code(oidc, client, verifier)
    assert _refused(lambda: _exchange(oidc, client, code, verifier, "http://127.0.0.1:9/oauth/callback")) \
        == "InvalidGrantException"
    code = _code(oidc, client, verifier)
    assert _refused(lambda: _exchange(oidc, other, code, verifier)) == "InvalidGrantException"


def test_registration_for_the_code_grant_needs_a_portless_loopback_redirect(oidc):
    def register(uri: str):
        return lambda: oidc.register_client(clientName="t", clientType="public", grantTypes=["authorization_code"],
                                            redirectUris=[uri], issuerUrl=START_URL)

    assert _refused(register("http://127.0.0.1:8080/oauth/callback")) == "InvalidRedirectUriException"
    assert _refused(register("https://example.com/cb")) == "InvalidRedirectUriException"


def test_a_code_client_cannot_start_a_device_authorization(oidc):
    client = _register(oidc)
    assert _refused(lambda: oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL)) \
        == "UnauthorizedClientException"
