"""The MFA prompt on a real terminal (pexpect): a refused code is reported and asked for once more."""

from __future__ import annotations

import pexpect
import pyotp

from tests.helpers import AWSENV, MFA_SERIAL, TOTP_SEED
from tests.servers.sts_gate import RoleRule

PROD = "arn:aws:iam::111111111111:role/prod-admin"


def test_refused_code_is_asked_for_again_on_the_terminal(home, sts):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[PROD] = RoleRule(require_mfa=True)
    home.write_base_keys()
    home.write_config(f"[profile prod]\nrole_arn = {PROD}\nsource_profile = base\nmfa_serial = {MFA_SERIAL}\n")
    totp = pyotp.TOTP(TOTP_SEED)
    wrong = next(c for c in ("000000", "111111", "222222") if not totp.verify(c, valid_window=1))
    out = home.root / "stdout"
    # stdout to a file, as in eval "$(...)"; the terminal stays the controlling one for the prompt
    child = pexpect.spawn("bash", ["-c", f'exec "$0" role prod --duration 2h --shell bash > {out}', AWSENV],
                          env=home.env(), cwd=str(home.root), encoding="utf-8", timeout=30)
    try:
        child.expect(f"MFA code for {MFA_SERIAL} \\(prod\\): ")
        child.sendline(wrong)
        child.expect("wait for the next")
        child.expect("MFA code for")
        right = totp.now()
        child.sendline(right)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    printed = out.read_text()
    assert "AWS_ACCESS_KEY_ID" in printed and "MFA code" not in printed
    assert sts.codes_sent() == [wrong, right]
    assert [c.status for c in sts.calls] == [403, 200]
