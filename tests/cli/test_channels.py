"""What goes where: product on stdout, humans on stderr, nothing on stdout on failure; exit statuses."""

from __future__ import annotations

import os
import pty
import subprocess

import pytest

from awsenv import __version__
from tests.helpers import AWSENV

pytestmark = pytest.mark.in_process


def _dev(home):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n")


def test_version(home):
    done = home.run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"awsenv {__version__}"


@pytest.mark.parametrize("command", ["user", "role", "sso", "export"])
def test_help_shows_an_example(home, command):
    done = home.run(command, "--help")
    assert done.returncode == 0
    assert "Example:" in done.stdout and f"awsenv {command}" in done.stdout


def test_unknown_shell_is_a_usage_error_before_any_call(home, sts):
    _dev(home)
    done = home.run("user", "dev", "--shell", "klingon")
    assert (done.returncode, done.stdout) == (2, "")
    assert "klingon" in done.stderr
    assert sts.calls == []


def test_unreachable_sts_exits_1_naming_the_profile(home):
    _dev(home)
    done = home.run("user", "dev", env=home.env(AWS_ENDPOINT_URL_STS="http://127.0.0.1:9"))
    assert (done.returncode, done.stdout) == (1, "")
    assert "'dev'" in done.stderr and "Traceback" not in done.stderr


def test_missing_profile_argument_without_terminal_is_a_usage_error(home, sts):
    _dev(home)
    done = home.run("user")
    assert (done.returncode, done.stdout) == (2, "")
    assert "PROFILE" in done.stderr


@pytest.mark.process
def test_terminal_stdout_gets_instructions_not_secrets(home, sts):
    """The user forgot `eval`: the credentials must not be dumped on the screen."""
    _dev(home)
    leader, follower = pty.openpty()
    process = subprocess.Popen([AWSENV, "user", "dev", "--shell", "bash"], stdout=follower,
                               stderr=subprocess.PIPE, env=home.env(), start_new_session=True)
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=30) == 0
    os.close(leader)
    assert b"AWS_SECRET_ACCESS_KEY" not in screen
    assert 'eval "$(awsenv user dev)"' in stderr
    assert sts.actions() == ["GetSessionToken"]
