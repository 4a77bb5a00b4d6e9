"""Leaving PROFILE out on a terminal offers the profiles that fit the command (pexpect: a real pty)."""

from __future__ import annotations

import pexpect

import pytest

from tests.helpers import AWSENV

pytestmark = pytest.mark.process


def test_picker_lists_fitting_profiles_and_uses_the_choice(home, sts):
    home.write_config("""\
        [profile dev]
        region = eu-west-1
        [profile ops]
        region = us-east-2
        [profile admin]
        role_arn = arn:aws:iam::210987654321:role/Admin
        source_profile = dev
        """)
    home.write_credentials("""\
        [dev]
        aws_access_key_id = AKIAIOSFODNN7DEVKEY1
        aws_secret_access_key = s
        [ops]
        aws_access_key_id = AKIAIOSFODNN7OPSKEY1
        aws_secret_access_key = s
        """)
    out = home.root / "stdout"
    child = pexpect.spawn("bash", ["-c", f'exec "$0" user --shell bash > {out}', AWSENV],
                          env=home.env(), cwd=str(home.root), encoding="utf-8", timeout=30)
    try:
        child.expect(r"Choose the profile \(number or name\): ")
        listing = child.before
        child.sendline("2")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert "1) dev" in listing and "2) ops" in listing and "admin" not in listing  # a role does not fit `user`
    printed = out.read_text()
    assert "export AWSENV_PROFILE='ops';" in printed and "Choose" not in printed
    assert sts.calls[0].caller == "AKIAIOSFODNN7OPSKEY1"
