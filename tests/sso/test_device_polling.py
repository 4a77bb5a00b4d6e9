"""The polling loop against the stand-in, on a controllable clock. Its SlowDown and expiry cases are in
tests/reliability/test_e_network.py (E31)."""

from __future__ import annotations

from awsenv.sso import oidc as sso_oidc
from tests.reliability.de_support import SESSION, oidc  # noqa: F401 (a fixture)


def test_registration_is_reused_until_it_expires(sso, oidc):  # noqa: F811
    client, first = oidc
    assert sso_oidc.register(client, "dev", SESSION) == first
    assert sso.count("RegisterClient") == 1
