"""Ctrl-C at a prompt on the terminal: "awsenv: interrupted" starts a line of its own, not after the question."""

from __future__ import annotations

import pexpect

from tests.helpers import AWSENV, MFA_SERIAL, TOTP_SEED
import pytest

pytestmark = pytest.mark.process


def test_ctrl_c_at_the_mfa_prompt_ends_the_line_first(home, sts):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    home.write_base_keys()
    home.write_config(f"[profile prod]\nrole_arn = arn:aws:iam::111111111111:role/prod\nsource_profile = base\n"
                      f"mfa_serial = {MFA_SERIAL}\n")
    out = home.root / "out"
    child = pexpect.spawn("/bin/sh", ["-c", f'exec "{AWSENV}" role prod --shell sh > "{out}"'], env=home.env(),
                          cwd=str(home.root), encoding="utf-8", timeout=30, dimensions=(24, 200))
    try:
        child.expect(r"MFA code for \S+ \(\w+\): ")
        child.sendintr()
        child.expect(pexpect.EOF)
        transcript = child.before
    finally:
        child.close()
    assert child.exitstatus == 130 or child.signalstatus is not None
    assert out.read_text() == "" and sts.calls == []
    lines = transcript.replace("\r\n", "\n").split("\n")
    assert "awsenv: interrupted" in lines, repr(transcript)  # a line of its own
