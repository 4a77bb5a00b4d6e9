"""awsenv run inside the test process (tests/inprocess.py) answers as the binary does and leaves nothing behind that
a process would have taken with it when it ended: environment, descriptors, --debug's logging, remembered secrets,
the keyring backend."""

from __future__ import annotations

import logging
import os

import pytest

from awsenv import redact
from tests.helpers import parse_posix_exports

pytestmark = pytest.mark.in_process


def _fingerprint() -> tuple:
    descriptors = tuple((os.fstat(fd).st_dev, os.fstat(fd).st_ino) for fd in (0, 1, 2))
    return dict(os.environ), os.getcwd(), descriptors, logging.getLogger("awsenv").handlers[:]


def test_a_run_answers_like_the_binary_and_leaves_the_process_as_it_was(role_home, sts):
    before = _fingerprint()
    debug = role_home.run("--debug", "role", "deploy", "--shell", "sh", "--no-cache")
    assert debug.returncode == 0, debug.stderr
    secret = parse_posix_exports(debug.stdout)["AWS_SECRET_ACCESS_KEY"]
    assert "awsenv[debug]" in debug.stderr and secret not in debug.stderr
    assert _fingerprint() == before
    assert redact._MASKS == {}  # the secrets of that run are forgotten with it
    quiet = role_home.run("role", "deploy", "--shell", "sh")
    assert quiet.returncode == 0 and "awsenv[debug]" not in quiet.stderr
    refused = role_home.run("role", "deploy", "--shell", "klingon")
    assert (refused.returncode, refused.stdout) == (2, "") and "klingon" in refused.stderr
    assert _fingerprint() == before


def test_each_run_chooses_its_keyring_backend_from_its_own_environment(home, sts):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    refusing = home.run("keys", "add", "dev", "--stdin", "--no-verify",
                        env=home.env(PYTHON_KEYRING_BACKEND="tests.keyring_backends.RefusesToStore"),
                        input='{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "dev/secret"}')
    assert refusing.returncode != 0 and refusing.stdout == ""
    plaintext = home.run("keys", "add", "dev", "--stdin", "--no-verify",
                         env=home.env(PYTHON_KEYRING_BACKEND="tests.keyring_backends.PlaintextStore"),
                         input='{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "dev/secret"}')
    assert plaintext.returncode == 0, plaintext.stderr
