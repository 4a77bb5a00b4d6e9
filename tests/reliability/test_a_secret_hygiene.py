"""Secret hygiene: no secret or MFA code in traces, error messages, tracebacks, process arguments or the wrong
channel. Every case runs the installed CLI against the strict STS stand-in with canary secrets, and scans
stdout, stderr, the files written under HOME and (with strace) every process's arguments for them."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

import pytest

from tests.helpers import AWSENV, need_binary, parse_posix_exports
from tests.reliability.a_support import (BASE_KEY_ID, BASE_SECRET, EXPIRATION, PROD, REFUSING_STDOUT, REPORTING_CHILD,
                                         WARNING_MIDWAY, cached_secrets, canary_home, files_with_secrets, leaks,
                                         no_traceback_shown, region_disabled_sts, secrets_of)
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.process

# --- A1 -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command, outcome", [("role", "ok"), ("exec", "ok"), ("exec", "refused")])
def test_a1_debug_trace_never_shows_a_secret(home, sts, command, outcome):
    """`--debug role` and `--debug exec` on success, and on an AWS refusal after the MFA session was issued (the
    same engine for both commands): the trace is there, masks every key id to its last 4 characters, never shows a
    secret, a session token or the MFA code, and botocore/urllib3 say nothing (their DEBUG logs print signed headers
    and response bodies)."""
    profile = f"{command}-{outcome}"
    canary_home(home, sts, profile)
    if outcome == "refused":
        sts.roles[PROD] = RoleRule(require_mfa=True, external_id="never-given")  # after the MFA session is issued
    args = ["--shell", "sh"] if command == "role" else ["--", "true"]
    done = home.run("--debug", command, profile, *args)

    assert done.returncode == (0 if outcome == "ok" else 1), done.stderr
    assert sts.actions() == ["GetSessionToken", "AssumeRole"] and sts.codes_sent()
    exported = parse_posix_exports(done.stdout) if command == "role" and outcome == "ok" else {}
    secrets = secrets_of(home, sts, issued=(exported.get("AWS_SECRET_ACCESS_KEY"), exported.get("AWS_SESSION_TOKEN")))
    assert "awsenv[debug]:" in done.stderr
    assert not leaks(done.stderr, secrets), done.stderr
    key_ids = [BASE_KEY_ID] + [call.issued for call in sts.calls if call.issued]
    assert not [key for key in key_ids if key in done.stderr], done.stderr
    assert [line for line in done.stderr.splitlines() if not line.startswith("awsenv")] == [], done.stderr
    if command == "exec" or outcome == "refused":
        assert done.stdout == ""
    assert files_with_secrets(home, secrets) == {}


# --- A2 -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("error", ["AccessDenied", "InvalidClientTokenId", "ExpiredToken", "RegionDisabledException"])
def test_a2_sts_refusals_name_profile_and_code_never_a_secret(home, sts, error):
    """Each STS refusal with an MFA code and canary keys in flight: exit 1, nothing on stdout, the message names the
    profile, the failing call (with the role for AssumeRole), AWS's error code and message; no secret, no MFA code."""
    canary_home(home, sts, "prod")
    env, server, codes = home.env(), None, []
    if error == "AccessDenied":
        sts.roles[PROD] = RoleRule(require_mfa=True, external_id="never-given")
    elif error == "InvalidClientTokenId":
        sts.invalid.add(BASE_KEY_ID)
    elif error == "ExpiredToken":
        sts.expired.add(BASE_KEY_ID)
    else:
        url, server, codes = region_disabled_sts()
        env = home.env(AWS_ENDPOINT_URL_STS=url)
    try:
        done = home.run("role", "prod", "--shell", "sh", env=env)
    finally:
        if server is not None:
            server.shutdown()

    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    secrets = secrets_of(home, sts, codes=codes)
    assert any(name.startswith("MFA") for name in secrets)  # a code was sent along
    assert not leaks(done.stderr, secrets), done.stderr
    assert BASE_KEY_ID not in done.stderr
    assert "'prod'" in done.stderr and PROD in done.stderr and error in done.stderr, done.stderr
    if error == "AccessDenied":
        assert f"AssumeRole of {PROD} failed" in done.stderr and "not authorized" in done.stderr
    else:
        assert "GetSessionToken failed" in done.stderr
    assert "Traceback" not in done.stderr
    assert files_with_secrets(home, secrets) == {}


def test_a2_malformed_mfa_code_is_a_usage_error_that_does_not_echo_it(home, sts):
    """A bad --mfa-code is a usage error (2, not AWS's 1), found before any call, and the value is not repeated."""
    canary_home(home, sts, "prod")
    done = home.run("role", "prod", "--mfa-code", "98765x")
    assert (done.returncode, done.stdout) == (2, "")
    assert "six digits" in done.stderr and "98765x" not in done.stderr and BASE_SECRET not in done.stderr
    assert sts.calls == []


# --- A3 -------------------------------------------------------------------------------------------------------------

def test_a3_unexpected_error_after_credentials_are_held_shows_no_secret(home, sts, tmp_path):
    """An exception raised while printing, its text quoting the credentials: on the simple path (cache miss), on the
    cache-hit path and through the Typer application, awsenv says "internal error" in one line, exit 70, nothing on
    stdout, no traceback and no locals. --debug is the traceback switch: the traceback is then shown with every
    secret masked. The fault is put in the awsenv process by a sitecustomize, because nothing outside the process
    can make its writer raise after the credentials are in memory; a real full disk (/dev/full) is the second,
    outside seam: it is an environment problem, reported as such (exit 1)."""
    from awsenv.cli.app import app

    assert app.pretty_exceptions_enable is False or app.pretty_exceptions_show_locals is False
    canary_home(home, sts, "prod")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(REFUSING_STDOUT)
    env = home.env(PYTHONPATH=str(hook), REFUSE_STDOUT="1")

    miss = home.run("role", "prod", "--shell", "sh", env=env)
    hit = home.run("role", "prod", "--shell", "sh", env=env)
    traced = home.run("--debug", "role", "prod", "--shell", "sh", env=env)
    disk_full = []
    for debug in ([], ["--debug"]):  # the cache-hit path, and the Typer application
        with open("/dev/full", "w") as full:
            disk_full.append(subprocess.run([AWSENV, *debug, "role", "prod", "--shell", "sh"], env=home.env(),
                                            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
                                            start_new_session=True))

    assert sts.actions() == ["GetSessionToken", "AssumeRole"]  # the later runs are cache hits: secrets held at once
    secrets = secrets_of(home, sts)
    for done in (miss, hit):
        assert (done.returncode, done.stdout) == (70, ""), done.stderr
        assert done.stderr.splitlines()[-1] == ("awsenv: internal error (RuntimeError); run again with --debug for "
                                                "the traceback and report it"), done.stderr
        assert no_traceback_shown(done.stderr) and "refused" not in done.stderr
    assert (traced.returncode, traced.stdout) == (70, "")
    assert "Traceback" in traced.stderr and "the output writer refused" in traced.stderr
    assert "AWS_SECRET_ACCESS_KEY=****" in traced.stderr.replace("'", "")
    assert not leaks(traced.stderr, secrets), traced.stderr
    assert not any(mark in traced.stderr for mark in "╭│╰")  # no Rich traceback, so no frame locals
    for done in disk_full:
        assert done.returncode == 1, done.stderr  # an environment problem, not a bug (70)
        assert "could not write the output to stdout: No space left on device" in done.stderr
        assert no_traceback_shown(done.stderr) and not leaks(done.stderr, secrets), done.stderr
    assert files_with_secrets(home, secrets) == {}


# --- A4 -------------------------------------------------------------------------------------------------------------

def test_a4_write_profile_starts_no_process_and_puts_no_secret_on_argv(home, sts, tmp_path):
    """`--write-profile` under `strace -f -e trace=execve`: the only program executed is awsenv itself (nothing like
    `aws configure set`, though Debian's aws is on PATH), and no secret appears in any argv or environment given to
    execve; the section is written from Python, 0600."""
    strace = need_binary("strace", "/usr/bin/strace")
    canary_home(home, sts, "prod", mfa=False)
    log = tmp_path / "execve.log"
    done = subprocess.run([strace, "-f", "-qq", "-v", "-s", "100000", "-e", "trace=execve", "-o", str(log),
                           AWSENV, "role", "prod", "--shell", "sh", "--write-profile"],
                          env=home.env(), capture_output=True, text=True, timeout=120, start_new_session=True,
                          cwd=str(home.root))
    assert done.returncode == 0, done.stderr

    exported = parse_posix_exports(done.stdout)
    secrets = secrets_of(home, sts, issued=(exported["AWS_SECRET_ACCESS_KEY"], exported["AWS_SESSION_TOKEN"]))
    calls = [line for line in log.read_text().splitlines() if "execve(" in line]
    assert len(calls) == 1 and f'execve("{AWSENV}"' in calls[0], calls
    assert not leaks(log.read_text(), secrets)
    assert not leaks(done.stderr, secrets), done.stderr
    written = home.credentials.read_text()
    assert "[prod-temporary]" in written and exported["AWS_SESSION_TOKEN"] in written
    assert stat.S_IMODE(home.credentials.stat().st_mode) == 0o600
    assert files_with_secrets(home, secrets) == {}


# --- A5 -------------------------------------------------------------------------------------------------------------

def test_a5_exec_gives_fresh_keys_and_drops_stale_ones(home, sts):
    """`awsenv exec prod -- CMD` in a shell still holding another session: CMD gets the fresh keys, the region, the
    expiry and AWSENV_PROFILE; AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_SECURITY_TOKEN, AWS_CREDENTIAL_FILE and the
    legacy key names are gone, no stale secret is left in any variable, and no secret is on CMD's argv."""
    canary_home(home, sts, "prod")
    stale = {"AWS_PROFILE": "old", "AWS_DEFAULT_PROFILE": "old", "AWS_SECURITY_TOKEN": "canaryTOKENsecurity",
             "AWS_CREDENTIAL_FILE": "/tmp/old-credentials", "AWS_ACCESS_KEY": "AKIAOLDLEGACYKEY0001",
             "AWS_SECRET_KEY": "canarySECRETlegacy", "AWS_ACCESS_KEY_ID": "AKIAOLDOLDOLDOLDOLD1",
             "AWS_SECRET_ACCESS_KEY": "canarySECRETold", "AWS_SESSION_TOKEN": "canaryTOKENold",
             "AWS_CREDENTIAL_EXPIRATION": "2000-01-01T00:00:00Z", "AWSENV_PROFILE": "previous"}
    done = home.run("exec", "prod", "--", sys.executable, "-c", REPORTING_CHILD, env=home.env(**stale))
    assert done.returncode == 0, done.stderr

    report = json.loads(done.stdout)
    env = report["env"]
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_FILE", "AWS_ACCESS_KEY",
                 "AWS_SECRET_KEY"):
        assert name not in env, name
    old_values = [value for name, value in stale.items() if name != "AWSENV_PROFILE"]
    assert not [name for name, value in env.items() if any(old in value for old in old_values)]
    assert env["AWS_ACCESS_KEY_ID"] == sts.calls[-1].issued and env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert env["AWS_SECRET_ACCESS_KEY"] in cached_secrets(home)
    assert env["AWS_SESSION_TOKEN"] in cached_secrets(home)
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-central-1"
    assert env["AWS_CREDENTIAL_EXPIRATION"].endswith("Z") and env["AWS_CREDENTIAL_EXPIRATION"] > "2001"
    assert env["AWSENV_PROFILE"] == "prod"
    secrets = secrets_of(home, sts)
    assert not leaks(report["cmdline"], secrets)
    assert not leaks(done.stderr, secrets), done.stderr
    assert "replacing the credentials of profile 'previous' with 'prod'" in done.stderr


# --- A6 -------------------------------------------------------------------------------------------------------------

def test_a6_credential_process_stdout_is_one_json_document_botocore_reads(home, sts, tmp_path):
    """`credential-process` run by botocore's own ProcessProvider, with colours forced on every way tools look for
    it and a DeprecationWarning shown mid-run, on a cache miss (MFA from mfa_process) and on a cache hit: stdout is
    exactly one JSON object (Version 1, Expiration in UTC with Z) and a newline, no BOM, no ANSI escape, nothing
    after it; botocore accepts it; stderr holds no secret and no MFA code."""
    from botocore.credentials import ProcessProvider

    canary_home(home, sts, "prod")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(WARNING_MIDWAY)
    env = home.env(FORCE_COLOR="1", CLICOLOR_FORCE="1", CLICOLOR="1", TERM="xterm-256color", COLORTERM="truecolor",
                   PYTHONWARNINGS="always", PYTHONPATH=str(hook))
    runs: list[tuple[bytes, bytes]] = []

    class RecordingPopen(subprocess.Popen):
        def __init__(self, args, **kwargs):
            super().__init__(args, env=env, cwd=str(home.root), start_new_session=True, **kwargs)

        def communicate(self, *args, **kwargs):
            out, err = super().communicate(timeout=60)
            runs.append((out, err))
            return out, err

    documents = []
    for _ in range(2):  # the first call fills the cache, the second is served from it
        provider = ProcessProvider("sdk", lambda: {"profiles": {"sdk": {
            "credential_process": f"{AWSENV} credential-process prod"}}}, popen=RecordingPopen)
        frozen = provider.load().get_frozen_credentials()
        out, err = runs[-1]
        assert out.startswith(b"{") and out.endswith(b"}\n") and out.count(b"\n") == 1, out
        assert b"\x1b" not in out and b"\xef\xbb\xbf" not in out
        document = json.loads(out)
        assert set(document) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
        assert document["Version"] == 1 and EXPIRATION.fullmatch(document["Expiration"]), document
        assert (frozen.access_key, frozen.secret_key, frozen.token) == (
            document["AccessKeyId"], document["SecretAccessKey"], document["SessionToken"])
        assert b"canary deprecation" in err  # the warning was raised, and went to stderr
        documents.append(document)

    assert documents[0] == documents[1] and sts.actions() == ["GetSessionToken", "AssumeRole"]
    secrets = secrets_of(home, sts, issued=(documents[0]["SecretAccessKey"], documents[0]["SessionToken"]))
    for _, err in runs:
        assert not leaks(err.decode("utf-8", "replace"), secrets), err
    assert files_with_secrets(home, secrets) == {}
