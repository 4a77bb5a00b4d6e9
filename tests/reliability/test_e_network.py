"""Network and service faults: throttling and 5xx, no network, refused MFA codes, the SSO token's life.

Faults come from the STS gate's controls (`faults`: errors, a reset connection, no answer, an answer lost after the
request was served), from endpoints and proxies pointing at a closed port, from a region no DNS knows, from a
terminal driven by pexpect, and from the IAM Identity Center stand-in's controls.
"""

from __future__ import annotations

import io
import socket
import time
from datetime import datetime, timedelta, timezone

import pexpect
import pyotp
import pytest

from awsenv.errors import AwsError
from tests.helpers import AWSENV, MFA_SERIAL, TOTP_SEED, parse_posix_exports
from tests.reliability.de_support import (FakeClock, cache_entries, gate, oidc, run_all, sign_in,  # noqa: F401
                                          tls_server_with_an_unknown_ca)
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.process

PROD = "arn:aws:iam::111111111111:role/prod-admin"
HOP1 = "arn:aws:iam::333333333333:role/hop-one"
MFA_PHRASE = "AWS rejected the MFA code: it was wrong, expired or already used"  # a regular expression for pexpect


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _user_config(home, mfa: bool = False) -> None:
    home.write_base_keys()
    extra = f"mfa_serial = {MFA_SERIAL}\nmfa_process = {home.mfa_process()}\n" if mfa else ""
    home.write_config(f"[profile base]\nregion = us-east-1\n{extra}"
                      f"[profile one]\nrole_arn = {HOP1}\nsource_profile = base\n")


def _timed(home, *args: str, **env: str):
    start = time.monotonic()
    done = home.run(*args, env=home.env(**env))
    return done, time.monotonic() - start


# --- E28 -------------------------------------------------------------------------------------------------------

def test_e28_throttling_twice_then_success_is_retried_quietly(home, gate):
    _user_config(home)
    gate.faults = ["Throttling", "Throttling"]
    done, took = _timed(home, "user", "base", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    assert [(c.action, c.status) for c in gate.calls] == [("GetSessionToken", 400)] * 2 + [("GetSessionToken", 200)]
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == gate.calls[-1].issued
    assert took < 10  # standard mode: at most 1 s + 2 s of backoff


@pytest.mark.parametrize("fault, named", [
    ("ServiceUnavailable", "ServiceUnavailable"),
    ("InternalFailure", "InternalFailure"),
    ("reset", "reset before an answer"),
    ("timeout", "no answer from"),
])
def test_e28_failing_sts_is_retried_3_times_then_named(home, gate, fault, named):
    """AWSENV_READ_TIMEOUT keeps the read timeout short; the gate keeps a "timeout" request unanswered longer."""
    _user_config(home)
    gate.faults, gate.fault_delay = [fault] * 5, 1.5
    done, took = _timed(home, "user", "base", "--shell", "bash", AWSENV_READ_TIMEOUT="0.5")
    assert done.returncode == 1 and done.stdout == ""
    assert "'base'" in done.stderr and named in done.stderr and "after 3 attempts" in done.stderr
    assert len(gate.calls) == 3 and len(gate.faults) == 2
    assert took < 12
    assert cache_entries(home) == []


def test_e28_mfa_code_is_sent_again_after_a_5xx_and_reported_when_an_answer_was_lost(home, gate):
    """STS uses a code up only when it answers with credentials: after a 503 the same code goes through. When the
    answer to a served request is lost, the retry is refused as a used code, and awsenv says so."""
    _user_config(home, mfa=True)
    gate.seeds[MFA_SERIAL] = TOTP_SEED
    gate.faults = ["ServiceUnavailable"]
    done = home.run("user", "base", "--shell", "bash", "--no-cache")
    assert done.returncode == 0, done.stderr
    first = gate.codes_sent()
    assert [c.status for c in gate.calls] == [503, 200] and first[0] == first[1]
    assert home.mfa_runs() == 1  # the code was not asked for again
    gate.calls.clear()
    gate.faults = ["lost"]
    following = pyotp.TOTP(TOTP_SEED).at(time.time() + 30)  # a code not used yet: STS accepts one step either side
    lost = home.run("user", "base", "--shell", "bash", "--no-cache", "--mfa-code", following)
    assert lost.returncode == 1 and lost.stdout == ""
    assert MFA_PHRASE in lost.stderr and "earlier attempt" in lost.stderr
    assert [c.status for c in gate.calls] == [200, 403]  # served, answer lost; the retry refused as used
    assert gate.codes_sent() == [following, following] and following not in lost.stderr


# --- E29 -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cause", ["closed port", "proxy", "unresolvable name", "tls interception"])
def test_e29_network_down_is_one_line_naming_the_cause_and_writes_nothing(home, gate, cause, tmp_path):
    _user_config(home)
    before = home.credentials.read_bytes()
    port = _closed_port()
    env = home.env()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY",
                 "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        env.pop(name, None)
    args = ["role", "one", "--shell", "bash"]
    hint = None
    if cause == "closed port":
        env["AWS_ENDPOINT_URL_STS"] = f"http://127.0.0.1:{port}"
        named = f"connection to http://127.0.0.1:{port} refused"
    elif cause == "proxy":
        del env["AWS_ENDPOINT_URL_STS"]  # the real https endpoint, reached only through the (closed) proxy
        env["HTTPS_PROXY"] = f"http://127.0.0.1:{port}"
        named = f"could not connect to the proxy http://127.0.0.1:{port}"
    elif cause == "unresolvable name":  # a name under .invalid, which no resolver answers (RFC 6761)
        env["AWS_ENDPOINT_URL_STS"] = f"http://sts.nowhere.invalid:{port}"
        named = "could not resolve sts.nowhere.invalid (DNS)"
    start = time.monotonic()
    if cause == "tls interception":  # the endpoint presents a certificate of a CA this machine does not trust
        with tls_server_with_an_unknown_ca(tmp_path) as url:
            env["AWS_ENDPOINT_URL_STS"] = url
            named, hint = f"TLS verification of {url} failed", "point AWS_CA_BUNDLE at its CA certificate"
            done = home.run(*args, env=env)
    else:
        done = home.run(*args, env=env)
    took = time.monotonic() - start
    assert done.returncode == 1 and done.stdout == ""
    first = done.stderr.splitlines()[0]
    assert first.startswith("awsenv: profile 'one': AssumeRole failed") and named in first, done.stderr
    assert hint is None or hint in done.stderr
    assert took < 5 + 3 + 2  # the connect timeout, standard mode's backoff, and start-up
    assert cache_entries(home) == [] and home.credentials.read_bytes() == before
    assert gate.calls == []


def test_e29_a_region_no_partition_knows_is_refused_before_any_connection(home, gate):
    """An unknown region would send STS requests to a host that does not exist: it is refused first (exit 2)."""
    _user_config(home)
    env = home.env()
    del env["AWS_ENDPOINT_URL_STS"]
    done = home.run("role", "one", "--shell", "bash", "--region", "xx-nowhere-7", env=env)
    assert (done.returncode, done.stdout) == (2, "")
    assert "'xx-nowhere-7' is not an AWS region name" in done.stderr
    assert cache_entries(home) == [] and gate.calls == []


def test_e29_a_wrong_sts_regional_endpoints_is_a_configuration_error_before_any_request(home, gate):
    _user_config(home)
    config = home.config.read_text()
    home.write_config(config.replace("[profile one]\n", "[profile one]\nsts_regional_endpoints = bogus\n"))
    done = home.run("role", "one", "--shell", "bash")
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert "profile 'one': sts_regional_endpoints is 'bogus'" in done.stderr and "`regional` or `legacy`" in done.stderr
    assert gate.calls == [] and cache_entries(home) == []


def test_e29_valid_cached_credentials_are_served_offline(home, gate):
    """Due for renewal (AWSENV_MIN_TTL beyond their life) but not expired: the failed renewal is logged, the
    cached credentials are served."""
    _user_config(home)
    first = home.run("role", "one", "--shell", "bash")
    assert first.returncode == 0, first.stderr
    cached = parse_posix_exports(first.stdout)["AWS_ACCESS_KEY_ID"]
    offline = {"AWS_ENDPOINT_URL_STS": f"http://127.0.0.1:{_closed_port()}"}
    served = home.run("role", "one", "--shell", "bash", env=home.env(**offline))
    assert served.returncode == 0 and served.stderr == ""  # well within its life: a plain cache hit
    assert parse_posix_exports(served.stdout)["AWS_ACCESS_KEY_ID"] == cached
    due = home.run("role", "one", "--shell", "bash", env=home.env(AWSENV_MIN_TTL="4000", **offline))
    assert due.returncode == 0, due.stderr
    assert parse_posix_exports(due.stdout)["AWS_ACCESS_KEY_ID"] == cached
    assert "refused" in due.stderr and "serving the cached credentials of profile 'one'" in due.stderr
    assert [c.action for c in gate.calls] == ["AssumeRole"]


# --- E30 -------------------------------------------------------------------------------------------------------

def _mfa_role(home, sts) -> None:
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[PROD] = RoleRule(require_mfa=True)
    home.write_base_keys()
    home.write_config(f"[profile prod]\nrole_arn = {PROD}\nsource_profile = base\nmfa_serial = {MFA_SERIAL}\n"
                      "[profile other-device]\nrole_arn = {PROD}\nsource_profile = base\n"
                      "mfa_serial = arn:aws:iam::123456789012:mfa/bob\n".replace("{PROD}", PROD))


def _wrong_codes(count: int) -> list[str]:
    totp = pyotp.TOTP(TOTP_SEED)
    return [c for c in (str(d) * 6 for d in range(10)) if not totp.verify(c, valid_window=1)][:count]


def test_e30_rejected_codes_without_a_terminal_fail_at_once(home, gate):
    """A wrong code, a code another tool has just used, a code for another device; --debug on, so a logged code
    would show."""
    _mfa_role(home, gate)
    totp = pyotp.TOTP(TOTP_SEED)
    reused = totp.now()
    gate.used_codes.add((MFA_SERIAL, reused))
    cases = (("prod", _wrong_codes(1)[0]), ("prod", reused), ("other-device", reused))
    results = run_all(home, [(("--debug", "role", profile, "--duration", "2h", "--mfa-code", code), home.env())
                             for profile, code in cases])
    for (profile, code), done in zip(cases, results):
        assert done.returncode == 1 and done.stdout == ""
        assert MFA_PHRASE in done.stderr, done.stderr
        assert code not in done.stderr
    assert len(gate.calls) == 3  # no retry of a refusal, no prompt
    assert cache_entries(home) == []


def _spawn(home, out):
    # stdout to a file, as in eval "$(...)"; the terminal stays the controlling one for the prompt
    return pexpect.spawn("bash", ["-c", f'exec "$0" role prod --duration 2h --shell bash > {out}', AWSENV],
                         env=home.env(), cwd=str(home.root), encoding="utf-8", timeout=30)


def test_e30_refused_code_is_asked_for_again_on_the_terminal(home, gate):
    """A wrong code, then a code already used elsewhere, then a good one: three prompts on the terminal."""
    _mfa_role(home, gate)
    totp = pyotp.TOTP(TOTP_SEED)
    wrong = _wrong_codes(1)[0]
    reused = totp.now()
    gate.used_codes.add((MFA_SERIAL, reused))
    right = totp.at(time.time() + 30)  # the next code: STS accepts one step either side
    out = home.root / "stdout"
    child = _spawn(home, out)
    try:
        child.expect(f"MFA code for {MFA_SERIAL} \\(prod\\): ")
        child.sendline(wrong)
        child.expect(MFA_PHRASE)
        child.expect("MFA code for")
        child.sendline(reused)
        child.expect(MFA_PHRASE)
        child.expect("MFA code for")
        child.sendline(right)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    printed = out.read_text()
    assert "AWS_ACCESS_KEY_ID" in printed and "MFA code" not in printed
    assert gate.codes_sent() == [wrong, reused, right]
    assert [c.status for c in gate.calls] == [403, 403, 200]


def test_e30_three_refused_codes_on_the_terminal_end_the_run(home, gate):
    _mfa_role(home, gate)
    wrong = _wrong_codes(3)
    out = home.root / "stdout"
    child = _spawn(home, out)
    try:
        for code in wrong:
            child.expect("MFA code for")
            child.sendline(code)
        child.expect(pexpect.EOF)
        transcript = child.before
    finally:
        child.close()
    assert child.exitstatus == 1
    assert "MFA code for" not in transcript  # no fourth prompt
    said = [line for line in transcript.splitlines() if line.startswith("awsenv:")]  # not the typed echo
    assert MFA_PHRASE in "\n".join(said) and not any(code in line for code in wrong for line in said)
    assert out.read_text() == ""
    assert gate.codes_sent() == wrong
    assert cache_entries(home) == []


# --- E31 -------------------------------------------------------------------------------------------------------

def _grants(sso) -> list:
    return [c.params.get("grantType") for c in sso.calls if c.api == "CreateToken"]


def test_e31_expired_access_token_with_a_valid_refresh_token_is_refreshed_silently(sso_home, sso):
    old = sso_home.write_token(seconds=-60)
    done = sso_home.run("sso", "dev", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert _grants(sso) == ["refresh_token"] and sso.count("StartDeviceAuthorization") == 0
    assert sso_home.token()["accessToken"] != old["accessToken"]


def test_e31_expired_registration_without_a_terminal_says_run_awsenv_login(sso_home, sso):
    past = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sso_home.write_token(seconds=-60, registrationExpiresAt=past)
    done = sso_home.run("sso", "dev")
    assert done.returncode == 1 and done.stdout == ""
    assert "awsenv login dev" in done.stderr
    assert sso.count("CreateToken") == 0 and sso.count("StartDeviceAuthorization") == 0  # nothing to try


def test_e31_refresh_refused_without_a_terminal_says_run_awsenv_login(sso_home, sso):
    sso.fail_refresh = True
    sso_home.write_token(seconds=-60)
    done = sso_home.run("sso", "dev")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "awsenv login dev" in done.stderr and "expired" in done.stderr
    assert _grants(sso) == ["refresh_token"]
    assert sso.count("StartDeviceAuthorization") == 0


def test_e31_refresh_refused_signs_in_again_when_someone_can_approve(sso_home, sso):
    sso.fail_refresh = True
    sso_home.write_token(seconds=-60)
    done = sso_home.run("sso", "dev", "--format", "json", browser=True)
    assert done.returncode == 0, done.stderr
    assert _grants(sso) == ["refresh_token", "authorization_code"]
    assert len(sso_home.browser_opens()) == 1


@pytest.mark.parametrize("outcome", ["expired_token", "access_denied"])
def test_e31_device_code_polling_outcomes(sso_home, sso, outcome):
    """Through the CLI, with the server's interval 0: an expired device code; the user choosing Deny.
    AuthorizationPending and SlowDown (5 real seconds) are checked on awsenv's own clock below."""
    sso.expire_devices = outcome == "expired_token"
    sso.deny_devices = outcome == "access_denied"
    done = sso_home.run("sso", "dev", "--format", "json", "--use-device-code", browser=True)
    assert done.returncode == 1 and done.stdout == ""
    assert ("expired before it was approved" if outcome == "expired_token" else "was denied") in done.stderr
    assert sso.count("CreateToken") == 1  # no more polling after a final answer
    assert not sso_home.token_path().exists()


def test_e31_polls_at_the_server_interval_and_slows_down_by_5_seconds(sso, oidc):
    """In-process, on awsenv's own injectable clock (see de_support): SlowDown would cost 5 real seconds."""
    sso.interval, sso.slow_down_polls, sso.pending_polls = 2, 2, 1
    clock, stderr = FakeClock(), io.StringIO()
    token = sign_in(oidc, clock, stderr)
    assert token.access_token in sso.tokens
    assert clock.sleeps == [2, 7, 12, 12]  # SlowDown, SlowDown, pending, approved
    assert "verify?user_code=" in stderr.getvalue()


def test_e31_device_code_polling_stops_when_its_lifetime_is_over(sso, oidc):
    sso.interval, sso.device_seconds, sso.approve_on_verify = 5, 12, True
    clock = FakeClock()
    with pytest.raises(AwsError, match="expired before it was approved"):
        sign_in(oidc, clock, io.StringIO())
    assert clock.sleeps == [5, 5, 2]  # never waits past the deadline
    assert sso.count("CreateToken") == 3


def test_e31_token_refused_by_the_portal_is_dropped_and_one_new_sign_in_is_made(sso_home, sso):
    old = sso_home.write_token()
    sso.revoke(old["accessToken"])
    done = sso_home.run("sso", "dev", "--shell", "bash", browser=True)
    assert done.returncode == 0, done.stderr
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == sso.issued_keys[-1]
    assert [c.status for c in sso.calls if c.api == "GetRoleCredentials"] == [401, 200]
    assert sso.count("Authorize") == 1
    assert sso_home.token()["accessToken"] != old["accessToken"]


def test_e31_token_refused_without_a_way_to_sign_in_stops_after_one_try(sso_home, sso):
    old = sso_home.write_token()
    sso.revoke(old["accessToken"])
    done = sso_home.run("sso", "dev")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "awsenv login dev" in done.stderr
    assert sso.count("GetRoleCredentials") == 1
    assert not sso_home.token_path().exists()  # the refused token is gone: the next login starts clean
