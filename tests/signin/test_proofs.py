"""The stand-in refuses what the sign-in service refuses (a wrong PKCE verifier, a DPoP proof that does not verify
with its own key, is replayed, is for another URL, or comes from another key than the session's), so the flow
tests above can fail; and awsenv's own proofs, verifier and PEM key are what it accepts."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from awsenv.sso.console_browser import parse_pasted, principal
from awsenv.sso.console_dpop import ProofKey
from awsenv.sso.pkce import challenge, new_verifier
from tests.servers.signin_server import CLIENT_ID, SigninServer


@pytest.fixture
def server():
    started = SigninServer().start()
    yield started
    started.server.shutdown()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _code(server, verifier: str) -> str:
    query = urllib.parse.urlencode({"response_type": "code", "client_id": CLIENT_ID, "state": "s1",
                                    "code_challenge_method": "SHA-256", "scope": "openid",
                                    "redirect_uri": "http://127.0.0.1:9/oauth/callback",
                                    "code_challenge": challenge(verifier)})
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"{server.url}/v1/authorize?{query}", timeout=10)
    location = redirect.value.headers["Location"]
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"]


def _token(server, body: dict, proof: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"DPoP": proof} if proof else {})}
    request = urllib.request.Request(server.url + "/v1/token", data=json.dumps(body).encode(), headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _exchange(server, verifier: str, sent_verifier: str | None = None, key: ProofKey | None = None,
              proof: str | None = None) -> tuple[int, dict]:
    code = _code(server, verifier)
    key = key or ProofKey.generate()
    body = {"clientId": CLIENT_ID, "grantType": "authorization_code", "code": code,
            "codeVerifier": sent_verifier or verifier, "redirectUri": "http://127.0.0.1:9/oauth/callback"}
    return _token(server, body, proof or key.proof("POST", server.url + "/v1/token"))


def test_awsenv_verifier_and_proof_are_accepted(server):
    status, answer = _exchange(server, new_verifier())
    assert status == 200 and server.refused == []
    assert principal(answer["idToken"]) == server.principal


def test_a_verifier_that_does_not_match_the_challenge_is_refused(server):
    status, _ = _exchange(server, new_verifier(), sent_verifier=new_verifier())
    assert status == 400 and server.refused == ["code verifier does not match the code challenge"]


def test_a_proof_signed_by_another_key_than_its_header_names_is_refused(server):
    signer, named = ProofKey.generate(), ProofKey.generate()
    good = signer.proof("POST", server.url + "/v1/token")
    other_header = named.proof("POST", server.url + "/v1/token").split(".")[0]
    forged = ".".join([other_header, *good.split(".")[1:]])
    status, _ = _exchange(server, new_verifier(), proof=forged)
    assert status == 400 and server.refused == ["DPoP signature does not verify"]


def test_a_replayed_or_misdirected_proof_or_none_is_refused(server):
    key = ProofKey.generate()
    proof = key.proof("POST", server.url + "/v1/token")
    assert _exchange(server, new_verifier(), key=key, proof=proof)[0] == 200
    assert _exchange(server, new_verifier(), key=key, proof=proof)[0] == 400
    assert _exchange(server, new_verifier(), proof=key.proof("POST", server.url + "/v1/other"))[0] == 400
    assert _exchange(server, new_verifier(), proof="no.proof")[0] == 400
    assert server.refused == ["DPoP proof replayed (jti seen before)", "DPoP proof for another request",
                              "no DPoP proof"]


def test_a_refresh_must_be_proven_with_the_session_key(server):
    key = ProofKey.generate()
    status, answer = _exchange(server, new_verifier(), key=key)
    assert status == 200
    refresh = {"clientId": CLIENT_ID, "grantType": "refresh_token", "refreshToken": answer["refreshToken"]}
    status, _ = _token(server, refresh, ProofKey.generate().proof("POST", server.url + "/v1/token"))
    assert status == 400 and server.refused[-1] == "DPoP proof with another key than the session's"
    status, _ = _token(server, refresh, key.proof("POST", server.url + "/v1/token"))
    assert status == 200


def test_a_code_is_exchanged_once(server):
    verifier = new_verifier()
    code = _code(server, verifier)
    body = {"clientId": CLIENT_ID, "grantType": "authorization_code", "code": code, "codeVerifier": verifier,
            "redirectUri": "http://127.0.0.1:9/oauth/callback"}
    assert _token(server, body, ProofKey.generate().proof("POST", server.url + "/v1/token"))[0] == 200
    assert _token(server, body, ProofKey.generate().proof("POST", server.url + "/v1/token"))[0] == 400
    assert server.refused == ["authorization code already used"]


def test_the_saved_key_reads_back_and_proves_the_same_key():
    key = ProofKey.generate()
    again = ProofKey.from_pem(key.pem())
    assert again.jwk() == key.jwk()
    assert key.pem().startswith("-----BEGIN EC PRIVATE KEY-----\n")
    assert all(len(line) <= 64 for line in key.pem().splitlines())
    assert "PRIVATE" not in repr(key)


def test_the_pasted_code_and_the_id_token_are_read_strictly():
    import base64

    assert parse_pasted(base64.b64encode(b"state=abc&code=xyz").decode() + "\n") == ("xyz", "abc")
    for bad in ("not base64!", base64.b64encode(b"state=abc").decode()):
        with pytest.raises(ValueError):
            parse_pasted(bad)
    claims = base64.urlsafe_b64encode(json.dumps({"sub": "not-an-arn"}).encode()).decode().rstrip("=")
    with pytest.raises(ValueError):
        principal(f"e30.{claims}.sig")
