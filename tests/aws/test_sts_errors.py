"""STS error responses → the messages and hints awsenv prints (the errors a plan can still meet at AWS)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from awsenv.aws.sts import MfaCodeRejected, SourceRefused, explain_client_error

ROLE = {"RoleArn": "arn:aws:iam::111111111111:role/prod", "RoleSessionName": "awsenv-prod"}


def _error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "AssumeRole")


@pytest.mark.parametrize("message, hint_word", [
    ("MultiFactorAuthentication failed with invalid MFA one time pass code.", "next code"),
    ("MultiFactorAuthentication failed, unable to validate MFA code.", "mfa_serial"),
])
def test_rejected_codes_say_what_to_do(message, hint_word):
    error = explain_client_error("prod", "AssumeRole", _error("AccessDenied", message),
                                 {**ROLE, "SerialNumber": "arn:aws:iam::1:mfa/a", "TokenCode": "123456"})
    assert isinstance(error, MfaCodeRejected) and hint_word in error.hint
    assert "123456" not in error.message + error.hint


def test_access_denied_on_assume_role_names_trust_policy_external_id_and_mfa():
    error = explain_client_error("prod", "AssumeRole", _error("AccessDenied", "not authorized"), ROLE)
    assert not isinstance(error, MfaCodeRejected)
    assert "trust policy" in error.hint and "external_id" in error.hint and "mfa_serial" in error.hint


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidClientTokenId"])
def test_refused_sessions_can_be_retried_but_refused_keys_cannot(code):
    assert isinstance(explain_client_error("p", "AssumeRole", _error(code, "x"), ROLE, temporary=True),
                      SourceRefused)
    assert not isinstance(explain_client_error("p", "AssumeRole", _error(code, "x"), ROLE, temporary=False),
                          SourceRefused)


def test_access_denied_with_a_source_identity_or_tags_names_their_permissions():
    params = {**ROLE, "SourceIdentity": "alice", "Tags": [{"Key": "team", "Value": "core"}]}
    error = explain_client_error("prod", "AssumeRole", _error("AccessDenied", "not authorized"), params)
    assert "sts:SetSourceIdentity" in error.hint and "cannot change it" in error.hint
    assert "sts:TagSession" in error.hint
    plain = explain_client_error("prod", "AssumeRole", _error("AccessDenied", "not authorized"), ROLE)
    assert "sts:SetSourceIdentity" not in plain.hint and "sts:TagSession" not in plain.hint
