"""Profiles many tests start from: written into an AwsHome, with the STS gate told the rules they meet."""

from __future__ import annotations

import textwrap

from tests.helpers import MFA_SERIAL, TOTP_SEED
from tests.servers.sts_gate import RoleRule

PROD = "arn:aws:iam::111111111111:role/prod-admin"


def mfa_role(home, sts, more: str = "") -> None:
    """[base]: static keys; [prod]: a role on them that requires MFA (the gate enforces it), with an mfa_process
    that counts its runs; `more`: further config text."""
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[PROD] = RoleRule(require_mfa=True)
    home.write_base_keys()
    home.write_config(textwrap.dedent(f"""\
        [profile base]
        region = us-east-1
        [profile prod]
        role_arn = {PROD}
        source_profile = base
        mfa_serial = {MFA_SERIAL}
        mfa_process = {home.mfa_process()}
        region = eu-central-1
        """) + textwrap.dedent(more))
