"""The polling loop against the stand-in, on a controllable clock: interval, SlowDown, expiry."""

from __future__ import annotations

import io

import pytest

from awsenv import sso_device, sso_oidc
from awsenv.errors import AwsError
from awsenv.model import SsoSession

SESSION = SsoSession("corp", "https://example.awsapps.com/start", "us-east-1", ("sso:account:access",))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def oidc(sso, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", sso.url)
    monkeypatch.setenv("AWSENV_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))  # the registration is saved in ~/.aws/sso/cache
    config = tmp_path / "config"
    config.write_text("[profile dev]\nsso_session = corp\n[sso-session corp]\n"
                      f"sso_start_url = {SESSION.start_url}\nsso_region = {SESSION.region}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = sso_oidc.client("dev", SESSION)
    return client, sso_oidc.register(client, "dev", SESSION)


def _sign_in(oidc, clock: FakeClock, stderr: io.StringIO):
    client, registration = oidc
    return sso_device.sign_in(client, "dev", SESSION, registration, browser=False, sleep=clock.sleep, clock=clock,
                              display=sso_device.Display(stderr, terminal=False))


def test_polls_at_the_server_interval_and_slows_down_by_5_seconds(sso, oidc):
    sso.interval, sso.slow_down_polls, sso.pending_polls = 2, 2, 1
    clock, stderr = FakeClock(), io.StringIO()
    token = _sign_in(oidc, clock, stderr)
    assert token.access_token in sso.tokens
    assert clock.sleeps == [2, 7, 12, 12]  # SlowDown, SlowDown, pending, approved
    assert "verify?user_code=" in stderr.getvalue()


def test_stops_when_the_device_code_lifetime_is_over(sso, oidc):
    sso.interval, sso.device_seconds, sso.approve_on_verify = 5, 12, True
    clock = FakeClock()
    with pytest.raises(AwsError, match="expired before it was approved"):
        _sign_in(oidc, clock, io.StringIO())
    assert clock.sleeps == [5, 5, 2]  # never waits past the deadline
    assert sso.count("CreateToken") == 3


def test_registration_is_reused_until_it_expires(sso, oidc):
    client, first = oidc
    assert sso_oidc.register(client, "dev", SESSION) == first
    assert sso.count("RegisterClient") == 1
