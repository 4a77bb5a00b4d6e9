"""Every AWS call makes 3 attempts in all (botocore's standard mode), whichever API it is: STS (test_e_network), and
here IAM, sts:GetCallerIdentity for `awsenv keys`, SSO-OIDC and the SSO portal, each against a local server that keeps
failing and counts the requests. The calls run in-process, with the environment a run of awsenv would have."""

from __future__ import annotations

import os

import pytest

from awsenv.aws import iam
from awsenv.errors import AwsError
from awsenv.model import Credentials, SsoSession
from awsenv.sso import oidc as sso_oidc
from awsenv.sso import portal as sso_portal
from tests.reliability.de_support import gate  # noqa: F401

SESSION = SsoSession("corp", "https://example.awsapps.com/start", "us-east-1", ("sso:account:access",))
KEYS = Credentials("AKIAEXAMPLEEXAMPLE01", "secret-never-shown")
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def environment(home, monkeypatch):
    """A run's environment: the test's files and endpoints, no AWS_* settings of the machine (AWS_MAX_ATTEMPTS,
    AWS_RETRY_MODE, AWS_PROFILE), no proxy."""
    def use(**extra: str) -> None:
        for name in list(os.environ):
            if name.startswith(("AWS", "AWSENV")) or name in PROXIES:
                monkeypatch.delenv(name)
        for name, value in home.env(**extra).items():
            monkeypatch.setenv(name, value)

    return use


@pytest.mark.parametrize("call, service", [
    (lambda: iam.list_access_keys("dev", KEYS, "us-east-1", "alice"), "iam:ListAccessKeys"),
    (lambda: iam.caller_identity("dev", KEYS, "us-east-1"), "sts:GetCallerIdentity"),
])
def test_keys_calls_make_3_attempts_then_name_the_failure(home, gate, environment, call, service):
    home.write_config("[profile dev]\nregion = us-east-1\n")
    environment(AWS_ENDPOINT_URL_IAM=home.sts_url)
    gate.faults = ["ServiceUnavailable"] * 5
    with pytest.raises(AwsError) as caught:
        call()
    assert len(gate.calls) == 3 and len(gate.faults) == 2
    assert all(c.status == 503 for c in gate.calls)
    message = caught.value.message
    assert message.startswith(f"profile 'dev': {service} failed after 3 attempts: ServiceUnavailable"), message
    assert "try again in a minute" in caught.value.hint and KEYS.secret_access_key not in message


def test_iam_calls_wait_awsenv_read_timeout_for_each_attempt(home, gate, environment):
    """The gate leaves each request unanswered for 1.5 s: with AWSENV_READ_TIMEOUT=0.5 every attempt times out."""
    home.write_config("[profile dev]\nregion = us-east-1\n")
    environment(AWS_ENDPOINT_URL_IAM=home.sts_url, AWSENV_READ_TIMEOUT="0.5")
    gate.faults, gate.fault_delay = ["timeout"] * 5, 1.5
    with pytest.raises(AwsError) as caught:
        iam.list_access_keys("dev", KEYS, "us-east-1", "alice")
    assert len(gate.calls) == 3 and len(gate.faults) == 2
    assert "iam:ListAccessKeys could not reach AWS after 3 attempts: no answer from" in caught.value.message
    assert "AWSENV_READ_TIMEOUT" in caught.value.hint


@pytest.fixture
def sso_environment(home, sso, environment):
    home.write_config(f"[profile dev]\nsso_session = corp\n[sso-session corp]\nsso_start_url = {SESSION.start_url}\n"
                      f"sso_region = {SESSION.region}\n")
    environment(AWS_ENDPOINT_URL_SSO_OIDC=sso.url, AWS_ENDPOINT_URL_SSO=sso.url)
    return sso


@pytest.mark.parametrize("fault", ["ServiceUnavailable", "InternalServerException"])
def test_sso_oidc_calls_make_3_attempts_then_name_the_failure(sso_environment, fault):
    sso = sso_environment
    sso.faults = [fault] * 5
    with pytest.raises(AwsError) as caught:
        sso_oidc.register(sso_oidc.client("dev", SESSION), "dev", SESSION)
    assert sso.apis() == ["RegisterClient"] * 3 and len(sso.faults) == 2
    assert caught.value.message.startswith(f"profile 'dev': RegisterClient failed after 3 attempts: {fault}")
    assert "sso_region" in caught.value.hint  # the call site's own hint


def test_sso_oidc_retries_within_the_3_attempts_and_goes_on(sso_environment):
    sso = sso_environment
    sso.faults = ["ServiceUnavailable"] * 2
    registration = sso_oidc.register(sso_oidc.client("dev", SESSION), "dev", SESSION)
    assert registration.client_id in sso.clients
    assert [c.status for c in sso.calls] == [503, 503, 200]


def test_sso_portal_calls_make_3_attempts(sso_environment):
    sso = sso_environment
    token = sso.mint_token()[0]
    sso.faults = ["ServiceUnavailable"] * 5
    with pytest.raises(AwsError) as caught:
        sso_portal.accounts("dev", SESSION, token)
    assert sso.apis() == ["ListAccounts"] * 3 and len(sso.faults) == 2
    assert caught.value.message.startswith("profile 'dev': ListAccounts failed after 3 attempts: ServiceUnavailable")
    assert token not in caught.value.message + caught.value.hint
