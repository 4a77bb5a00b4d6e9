"""A step's cache key is computed from a shallow copy of its fields: the same keys as the deep asdict() copy it
replaced, so entries cached before stay found."""

from __future__ import annotations

from dataclasses import asdict

from awsenv.resolve.engine import _fields
from awsenv.model import AssumeRole, GetSessionToken, SsoRoleCredentials, SsoSession, StaticKeys


def test_step_fields_are_those_asdict_gives():
    session = SsoSession("corp", "https://corp.awsapps.com/start", "eu-west-1", ("sso:account:access", "x"))
    steps = [StaticKeys("base"), GetSessionToken("base", 43200, "arn:aws:iam::123456789012:mfa/alice", "otp"),
             AssumeRole("deploy", "arn:aws:iam::111111111111:role/deploy", "awsenv-deploy", 3600, "ext", None, None,
                        True),
             SsoRoleCredentials("dev", session, "111111111111", "Admin")]
    for step in steps:
        expected = asdict(step)
        if isinstance(step, SsoRoleCredentials):
            expected["session"] = {"name": "corp", "start_url": session.start_url, "region": "eu-west-1"}
        assert _fields(step) == expected, step
    assert _fields(steps[-1])["session"] == {"name": "corp", "start_url": session.start_url, "region": "eu-west-1"}
