"""`awsenv console`: a federation sign-in URL from role and user credentials, opened or printed."""

from __future__ import annotations

import sys
import urllib.parse

import pytest

from tests.servers import federation_server


@pytest.fixture
def federation():
    state, server = federation_server.start()
    yield state
    server.shutdown()


def _profiles(home):
    home.write_config("""\
        [profile dev]
        region = eu-west-1
        [profile admin]
        role_arn = arn:aws:iam::210987654321:role/Admin
        source_profile = dev
        region = eu-central-1
        """)
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n")


def test_role_console_url_is_printed(home, sts, federation):
    _profiles(home)
    done = home.run("console", "admin", "--print", env=home.env(AWSENV_SIGNIN_URL=federation.url))
    assert done.returncode == 0, done.stderr
    url = urllib.parse.urlsplit(done.stdout.strip())
    query = dict(urllib.parse.parse_qsl(url.query))
    assert f"{url.scheme}://{url.netloc}" == federation.url and url.path == "/federation"
    assert query["Action"] == "login" and query["SigninToken"] == federation.tokens[0]
    assert query["Destination"] == "https://console.aws.amazon.com/console/home?region=eu-central-1"
    assumed = next(c for c in sts.calls if c.action == "AssumeRole")
    assert federation.sessions[0]["sessionId"] == assumed.issued


def test_user_console_uses_a_federation_token(home, sts, federation):
    _profiles(home)
    done = home.run("console", "dev", "--print", env=home.env(AWSENV_SIGNIN_URL=federation.url))
    assert done.returncode == 0, done.stderr
    assert sts.actions() == ["GetFederationToken"]
    assert len(federation.sessions) == 1


def test_console_opens_the_browser(home, sts, federation, tmp_path):
    _profiles(home)
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(f"#!{sys.executable}\nimport sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n")
    browser.chmod(0o755)
    done = home.run("console", "admin", env=home.env(AWSENV_SIGNIN_URL=federation.url, BROWSER=str(browser)))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert opened.read_text().startswith(federation.url + "/federation?Action=login")


def test_refused_sign_in_exits_1(home, sts):
    _profiles(home)
    done = home.run("console", "admin", "--print", env=home.env(AWSENV_SIGNIN_URL="http://127.0.0.1:9"))
    assert (done.returncode, done.stdout) == (1, "")
    assert "'admin'" in done.stderr
