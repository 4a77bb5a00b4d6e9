"""`aws login` sessions (login_session profiles): the AWS CLI's token cache read as is, refreshed through the
sign-in service stand-in (DPoP, rotating refresh token) when due, shared both ways, usable as a chain root."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import parse_posix_exports, run_parallel
from tests.servers.signin_server import CLIENT_ID, SigninServer

pytestmark = pytest.mark.in_process

SESSION = "arn:aws:iam::123456789012:user/alice"
OPS = "arn:aws:iam::123456789012:role/Ops"
CACHED_KEY = "ASIACACHEDLOGIN12345"


@pytest.fixture
def signin():
    server = SigninServer().start()
    yield server
    server.server.shutdown()


def _write_cache(home, signin, minutes_left: int) -> "Path":  # noqa: F821
    folder = home.root / ".aws" / "login" / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    expires = (datetime.now(timezone.utc) + timedelta(minutes=minutes_left)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = folder / (hashlib.sha256(SESSION.encode()).hexdigest() + ".json")
    path.write_text(json.dumps({
        "accessToken": {"accessKeyId": CACHED_KEY, "secretAccessKey": "cached/secret", "sessionToken": "cached-token",
                        "accountId": "123456789012", "expiresAt": expires},
        "tokenType": "aws_sigv4", "clientId": CLIENT_ID, "refreshToken": signin.refresh_token,
        "idToken": "id", "dpopKey": signin.dpop_pem()}))
    return path


def _setup(home) -> None:
    home.write_config(f"""\
        [profile me]
        login_session = {SESSION}
        region = eu-west-1
        [profile ops]
        source_profile = me
        role_arn = {OPS}
        """)


def _env(home, signin):
    return home.env(AWS_ENDPOINT_URL_SIGNIN=signin.url)


def test_fresh_cached_credentials_are_used_without_a_call(home, sts, signin):
    _setup(home)
    _write_cache(home, signin, minutes_left=50)
    done = home.run("export", "me", "--shell", "sh", env=_env(home, signin))
    assert done.returncode == 0, done.stderr
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == CACHED_KEY
    assert signin.issued == [] and signin.refused == []


def test_due_credentials_are_refreshed_with_dpop_and_the_rotated_token_is_saved(home, sts, signin):
    _setup(home)
    path = _write_cache(home, signin, minutes_left=2)
    done = home.run("export", "me", "--shell", "sh", env=_env(home, signin))
    assert done.returncode == 0, done.stderr
    assert signin.refused == [] and len(signin.issued) == 1
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"] == signin.issued[0]
    saved = json.loads(path.read_text())  # written back for the AWS CLI, with the rotated refresh token
    assert saved["accessToken"]["accessKeyId"] == signin.issued[0]
    assert saved["refreshToken"] == signin.refresh_token


def test_as_a_chain_root_the_role_is_assumed_with_the_login_credentials(home, sts, signin):
    _setup(home)
    _write_cache(home, signin, minutes_left=50)
    done = home.run("export", "ops", "--shell", "sh", env=_env(home, signin))
    assert done.returncode == 0, done.stderr
    assert [(c.caller, c.params["RoleArn"]) for c in sts.calls if c.action == "AssumeRole"] == [(CACHED_KEY, OPS)]
    text = home.run("explain", "ops", env=_env(home, signin)).stdout
    assert f"the `aws login` session {SESSION}" in text


def test_an_ended_session_or_none_at_all_says_to_sign_in_again(home, sts, signin):
    _setup(home)
    missing = home.run("export", "me", "--shell", "sh", env=_env(home, signin))
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "'me'" in missing.stderr and "aws login --profile me" in missing.stderr
    _write_cache(home, signin, minutes_left=-5)
    signin.refresh_token = "rotated-elsewhere"
    ended = home.run("export", "me", "--shell", "sh", env=_env(home, signin))
    assert (ended.returncode, ended.stdout) == (1, ""), ended.stderr
    assert "has ended" in ended.stderr and "aws login --profile me" in ended.stderr
    assert "cached/secret" not in ended.stderr and signin.refused == ["old refresh token"]



@pytest.mark.process
def test_parallel_callers_refresh_once_so_the_rotating_refresh_token_is_never_spent_twice(home, sts, signin):
    _setup(home)
    _write_cache(home, signin, minutes_left=2)
    results = run_parallel(_env(home, signin), 8, "export", "me", "--shell", "sh", cwd=str(home.root))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len(signin.issued) == 1 and signin.refused == []
    assert {parse_posix_exports(r.stdout)["AWS_ACCESS_KEY_ID"] for r in results} == {signin.issued[0]}
