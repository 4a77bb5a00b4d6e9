"""`awsenv eks token`: an ExecCredential whose token the STS (the gate, checking the SigV4 query signature with the
secret it knows) accepts for that cluster alone; apiVersion as kubectl asks; cached, so kubectl's calls in a row
cost one STS call; MFA without a terminal as for credential_process."""

from __future__ import annotations

import pytest

import os
import stat
import time
import urllib.parse
from datetime import datetime, timezone

from tests.eks.conftest import exec_credential, query, sts_verdict, token_url
from tests.helpers import MFA_SERIAL, TOTP_SEED
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.in_process

EXEC_INFO_V1 = '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}'


def _seconds_until(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() - time.time()


def test_a_token_is_a_presigned_caller_identity_url_good_for_its_cluster_only(eks_home, sts):
    done = eks_home.run("eks", "token", "base", "--cluster", "alpha")
    assert done.returncode == 0, done.stderr
    document = exec_credential(done.stdout)
    assert document["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    url = token_url(document["status"]["token"])
    params = query(url)
    assert url.startswith(sts.url + "/?")  # the profile's STS endpoint (AWS_ENDPOINT_URL_STS)
    assert params["Action"] == "GetCallerIdentity" and params["X-Amz-Expires"] == "60"
    assert params["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id"
    # A key profile's flow is GetSessionToken: the token is signed with that session's keys.
    (session,) = [call.issued for call in sts.calls if call.action == "GetSessionToken"]
    assert params["X-Amz-Credential"].startswith(session + "/") and "/eu-west-1/sts/" in params["X-Amz-Credential"]
    assert 13 * 60 < _seconds_until(document["status"]["expirationTimestamp"]) <= 14 * 60
    assert sts_verdict(url, "alpha") == 200
    assert sts_verdict(url, "beta") == 403  # the cluster's name is signed in
    tampered = url.replace("Action=GetCallerIdentity", "Action=GetCallerIdentity&Extra=1")
    assert sts_verdict(tampered, "alpha") == 403
    assert [(p.cluster, p.caller, p.error) for p in sts.presigned] == [
        ("alpha", session, None), ("beta", session, "SignatureDoesNotMatch"),
        ("alpha", session, "SignatureDoesNotMatch")]


def test_the_region_option_signs_for_that_region(eks_home, sts):
    done = eks_home.run("eks", "token", "base", "--cluster", "alpha", "--region", "ap-south-1")
    assert done.returncode == 0, done.stderr
    url = token_url(exec_credential(done.stdout)["status"]["token"])
    assert "/ap-south-1/sts/" in query(url)["X-Amz-Credential"]
    assert sts_verdict(url, "alpha") == 200


def test_a_role_chain_token_three_times_in_a_row_costs_one_sts_call(eks_home, sts):
    tokens = []
    for _ in range(3):
        done = eks_home.run("eks", "token", "deploy", "--cluster", "alpha")
        assert done.returncode == 0, done.stderr
        tokens.append(exec_credential(done.stdout)["status"]["token"])
    assert sts.actions() == ["AssumeRole"]
    assert tokens[1] == tokens[0] and tokens[2] == tokens[0]  # handed out again from the cache
    issued = sts.calls[0].issued
    assert query(token_url(tokens[0]))["X-Amz-Credential"].startswith(issued + "/")  # the role's session keys
    assert sts_verdict(token_url(tokens[0]), "alpha") == 200
    assert [(p.caller, p.error) for p in sts.presigned] == [(issued, None)]
    # Another cluster is another token, from the same cached role credentials.
    other = eks_home.run("eks", "token", "deploy", "--cluster", "beta")
    assert other.returncode == 0 and sts.actions() == ["AssumeRole"]
    assert sts_verdict(token_url(exec_credential(other.stdout)["status"]["token"]), "beta") == 200


def test_the_api_version_follows_kubernetes_exec_info_on_every_path(eks_home, sts):
    env = eks_home.env(KUBERNETES_EXEC_INFO=EXEC_INFO_V1)
    first = eks_home.run("eks", "token", "base", "--cluster", "alpha", env=env)
    second = eks_home.run("eks", "token", "base", "--cluster", "alpha", env=env)  # from the cache
    plain = eks_home.run("eks", "token", "base", "--cluster", "alpha")
    for done in (first, second):
        assert done.returncode == 0, done.stderr
        assert exec_credential(done.stdout)["apiVersion"] == "client.authentication.k8s.io/v1"
    assert exec_credential(plain.stdout)["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert exec_credential(second.stdout)["status"] == exec_credential(plain.stdout)["status"]


def test_a_token_never_outlives_the_credentials_it_was_signed_with(eks_home, sts):
    sts.lifetime = 600  # the role's session ends in 10 minutes
    done = eks_home.run("eks", "token", "deploy", "--cluster", "alpha")
    assert done.returncode == 0, done.stderr
    document = exec_credential(done.stdout)
    assert _seconds_until(document["status"]["expirationTimestamp"]) <= 600


def test_tokens_are_private_files_and_an_edited_config_signs_anew(eks_home, sts):
    first = eks_home.run("eks", "token", "deploy", "--cluster", "alpha")
    assert first.returncode == 0, first.stderr
    directory = eks_home.cache / "eks"
    (entry,) = directory.iterdir()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700 and stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert exec_credential(first.stdout)["status"]["token"] in entry.read_text()
    time.sleep(1.1)  # a new signature differs only when its X-Amz-Date does
    eks_home.write_config(eks_home.config.read_text() + "[profile unrelated]\nregion = us-east-2\n")
    again = eks_home.run("eks", "token", "deploy", "--cluster", "alpha")
    assert again.returncode == 0, again.stderr
    assert exec_credential(again.stdout)["status"]["token"] != exec_credential(first.stdout)["status"]["token"]
    assert sts.actions() == ["AssumeRole"]  # the role's credentials still came from the cache


def test_bad_input_is_refused_before_any_call(eks_home, sts):
    for args in (("eks", "token", "nope", "--cluster", "alpha"), ("eks", "token", "base", "--cluster", ""),
                 ("eks", "token", "base")):
        done = eks_home.run(*args)
        assert done.returncode == 2 and done.stdout == "", (args, done.stderr)
    assert sts.calls == [] and sts.presigned == []


def _mfa_home(home, sts, mfa_process: bool):
    home.write_base_keys()
    mfa_role = "arn:aws:iam::111111111111:role/admin"
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[mfa_role] = RoleRule(require_mfa=True)
    home.write_config(f"""\
        [profile base]
        region = eu-west-1
        [profile admin]
        role_arn = {mfa_role}
        source_profile = base
        mfa_serial = {MFA_SERIAL}
        region = eu-west-1
        """ + (f"mfa_process = {home.mfa_process()}\n" if mfa_process else ""))


def test_an_mfa_role_gets_its_code_from_mfa_process_once(home, sts):
    _mfa_home(home, sts, mfa_process=True)
    for cluster in ("alpha", "alpha", "beta"):
        done = home.run("eks", "token", "admin", "--cluster", cluster)
        assert done.returncode == 0, done.stderr
        assert sts_verdict(token_url(exec_credential(done.stdout)["status"]["token"]), cluster) == 200
    # One MFA session (GetSessionToken with the code, as awsenv does for mfa_serial), one AssumeRole: the gate
    # required MFA for the role and took the code once.
    assert sts.actions() == ["GetSessionToken", "AssumeRole"] and home.mfa_runs() == 1
    assert [c.error for c in sts.calls] == [None, None] and len(sts.codes_sent()) == 1


def test_an_mfa_role_without_a_terminal_names_the_command_to_run_first(home, sts):
    import pyotp

    _mfa_home(home, sts, mfa_process=False)
    done = home.run("eks", "token", "admin", "--cluster", "alpha")  # as kubectl runs it: no terminal
    assert done.returncode == 1 and done.stdout == ""
    assert "awsenv eks token admin --cluster alpha" in done.stderr and "mfa_process" in done.stderr
    assert sts.calls == []
    # Run once with a code (as from a terminal): kubectl's calls then use the cached session.
    primed = home.run("export", "admin", "--mfa-code", pyotp.TOTP(TOTP_SEED).now())
    assert primed.returncode == 0, primed.stderr
    calls = sts.actions()
    done = home.run("eks", "token", "admin", "--cluster", "alpha")
    assert done.returncode == 0, done.stderr
    assert sts_verdict(token_url(exec_credential(done.stdout)["status"]["token"]), "alpha") == 200
    assert sts.actions() == calls == ["GetSessionToken", "AssumeRole"]


def test_the_sts_endpoint_setting_is_part_of_the_cached_token(eks_home, sts):
    first = eks_home.run("eks", "token", "base", "--cluster", "alpha")
    elsewhere = "http://127.0.0.1:9"  # never contacted: presigning sends nothing
    moved = eks_home.run("eks", "token", "base", "--cluster", "alpha", env=eks_home.env(AWS_ENDPOINT_URL_STS=elsewhere))
    assert first.returncode == 0 and moved.returncode == 0, moved.stderr
    assert token_url(exec_credential(first.stdout)["status"]["token"]).startswith(sts.url)
    assert token_url(exec_credential(moved.stdout)["status"]["token"]).startswith(elsewhere + "/?")
    assert urllib.parse.urlsplit(sts.url).port != 9 and os.path.isdir(eks_home.cache / "eks")


def test_cache_clear_forgets_the_profiles_tokens(eks_home, sts):
    for profile in ("deploy", "base"):
        assert eks_home.run("eks", "token", profile, "--cluster", "alpha").returncode == 0
    directory = eks_home.cache / "eks"
    assert len(list(directory.iterdir())) == 2
    assert eks_home.run("cache", "clear", "deploy").returncode == 0
    (left,) = directory.iterdir()
    assert '"profile": "base"' in left.read_text()
    assert eks_home.run("cache", "clear").returncode == 0
    assert list(directory.iterdir()) == []


def test_an_sso_profile_signs_with_its_role_credentials(sso_home, sso, sts):
    sso_home.write_token()
    done = sso_home.run("eks", "token", "dev", "--cluster", "alpha")
    assert done.returncode == 0, done.stderr
    (key,) = sso.issued_keys
    sts.secrets.update(sso.issued_secrets)  # what STS knows of the keys IAM Identity Center handed out
    url = token_url(exec_credential(done.stdout)["status"]["token"])
    assert query(url)["X-Amz-Credential"].startswith(key + "/")
    assert sts_verdict(url, "alpha") == 200 and sts_verdict(url, "beta") == 403
    assert sso.apis() == ["GetRoleCredentials"]


def test_a_credential_process_profile_signs_with_what_the_process_gives(home, sts):
    import sys

    script = home.root / "keys.py"
    script.write_text("import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAPROCESSKEY000001', "
                      "'SecretAccessKey': 'process/secret'}))\n")
    home.write_config(f"[profile tool]\ncredential_process = {sys.executable} {script}\nregion = eu-west-1\n")
    sts.secrets["AKIAPROCESSKEY000001"] = ("process/secret", None)
    done = home.run("eks", "token", "tool", "--cluster", "alpha")
    assert done.returncode == 0, done.stderr
    url = token_url(exec_credential(done.stdout)["status"]["token"])
    assert query(url)["X-Amz-Credential"].startswith("AKIAPROCESSKEY000001/") and sts.calls == []
    assert sts_verdict(url, "alpha") == 200
