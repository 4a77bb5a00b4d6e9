"""Many SDK processes asking at once: one STS call per step, one MFA code, one device sign-in, for all of them."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone

from tests.helpers import MFA_SERIAL, TOTP_SEED, run_parallel
from tests.servers.sts_gate import RoleRule

PROD = "arn:aws:iam::111111111111:role/prod-admin"
CALLERS = 16


def mfa_role(home, sts) -> None:
    """prod: a role that requires MFA, on base keys, with an mfa_process that counts its runs."""
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[PROD] = RoleRule(require_mfa=True)
    home.write_base_keys()
    home.write_config(f"""\
        [profile base]
        region = us-east-1
        [profile prod]
        role_arn = {PROD}
        source_profile = base
        mfa_serial = {MFA_SERIAL}
        mfa_process = {home.mfa_process()}
        region = eu-central-1
        """)


def assert_valid_documents(results: list[subprocess.CompletedProcess]) -> dict:
    """Every output is exactly one credential_process document, and all of them are the same credentials."""
    documents = []
    for result in results:
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)  # one document and nothing else, or this raises
        assert result.stdout.endswith("}\n") and result.stdout.count("\n") == 1
        assert set(document) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
        assert document["Version"] == 1 and document["AccessKeyId"].startswith("ASIA")
        expires = datetime.strptime(document["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        assert expires - datetime.now(timezone.utc) > timedelta(minutes=15)
        assert document["SecretAccessKey"] not in result.stderr
        documents.append(document)
    assert len({json.dumps(d, sort_keys=True) for d in documents}) == 1
    return documents[0]


def test_sixteen_cold_callers_on_an_mfa_role_cost_one_code_and_one_call_per_step(home, sts):
    mfa_role(home, sts)
    results = run_parallel(home.env(), CALLERS, "credential-process", "prod", cwd=str(home.root))
    document = assert_valid_documents(results)
    assert sts.actions() == ["GetSessionToken", "AssumeRole"]
    assert home.mfa_runs() == 1 and len(sts.codes_sent()) == 1
    assert document["AccessKeyId"] == sts.calls[1].issued
    # And a seventeenth caller later is served from the cache alone.
    again = home.run("credential-process", "prod")
    assert json.loads(again.stdout) == document
    assert len(sts.calls) == 2 and home.mfa_runs() == 1


def test_sixteen_cold_callers_on_an_sso_profile_cause_one_sign_in(sso_home, sso):
    results = run_parallel(sso_home.env(browser=True), CALLERS, "credential-process", "dev",
                           cwd=str(sso_home.root))
    document = assert_valid_documents(results)
    assert sso.count("Authorize") == 1 and len(sso_home.browser_opens()) == 1
    assert sso.count("GetRoleCredentials") == 1  # the role credentials too: one call, shared through the cache
    assert all("Opening in existing browser session." not in r.stdout for r in results)
    assert document["AccessKeyId"]
