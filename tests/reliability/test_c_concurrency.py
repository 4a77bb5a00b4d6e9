"""Concurrency (cases C17-C20): many processes asking at once share one STS call, one MFA code, one sign-in and one
token refresh; a killed or stuck lock holder never wedges the others; parallel writers of the shared credentials file
keep each other's sections.

The stampedes start 16 callers rather than 50: the lock is the same for 16 or 50, and 16 fit
a 2-core machine and the suite's time budget.
"""

from __future__ import annotations

import configparser
import fcntl
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers import AWSENV, TOTP_SEED, run_parallel
from tests.profiles import PROD, mfa_role
from tests.resolve.test_credential_process_source import PROCESS_KEY, runs
from tests.resolve.test_credential_process_source import setup as process_profiles
from tests.resolve.test_credential_source import DEPLOY, _imds_env
from tests.resolve.test_credential_source import _profile as instance_profile
from tests.servers.metadata import InstanceMetadataServer

pytestmark = pytest.mark.process

CALLERS = 16


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


def _start(home, *args: str, env=None) -> subprocess.Popen:
    return subprocess.Popen([AWSENV, *args], env=env or home.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, stdin=subprocess.DEVNULL, start_new_session=True)


def _wait_for(path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def _stalling_mfa_process(home) -> None:
    """mfa_process that, while the file `stall` exists, says it started and then hangs (a user not answering)."""
    script = home.root / "mfa_stall.py"
    script.write_text(textwrap.dedent(f"""\
        import os, time, pyotp
        if os.path.exists({str(home.root / 'stall')!r}):
            open({str(home.root / 'stalled')!r}, "w").close()
            time.sleep(120)
        print(pyotp.TOTP({TOTP_SEED!r}).now())
        """))
    home.write_config(home.config.read_text().replace(home.mfa_process(), f"{sys.executable} {script}"))


def _kill_session(proc: subprocess.Popen) -> None:
    """SIGKILL what is left of a process's session (a stalled mfa_process it started)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _assert_no_lock_held_and_no_temporaries(home) -> None:
    for lock in home.cache.glob("*.lock"):
        with open(lock, "rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if anyone still holds it
    leftovers = [p for folder in (home.cache, home.credentials.parent) if folder.exists()
                 for p in folder.rglob(".awsenv-*")]
    assert leftovers == []


# --- C17: stampedes -----------------------------------------------------------------------------------------


def test_c17_stampede_on_an_mfa_role_costs_one_code_and_one_call_per_step(home, sts):
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


def test_c17_stampede_on_an_sso_profile_causes_one_browser_sign_in(sso_home, sso):
    results = run_parallel(sso_home.env(browser=True), CALLERS, "credential-process", "dev",
                           cwd=str(sso_home.root))
    document = assert_valid_documents(results)
    assert sso.count("Authorize") == 1 and len(sso_home.browser_opens()) == 1
    assert sso.count("GetRoleCredentials") == 1  # the role credentials too: one call, shared through the cache
    assert all("Opening in existing browser session." not in r.stdout for r in results)
    assert document["AccessKeyId"]


def test_c17_stampede_on_the_sso_device_code_causes_one_device_authorization_and_one_browser_tab(sso_home, sso):
    sso.pending_polls = 3
    # --no-cache: no credentials-cache lock in front, so all sixteen race for the sign-in itself
    results = run_parallel(sso_home.env(True), CALLERS, "sso", "dev", "--no-cache", "--format", "json",
                           "--use-device-code", cwd=str(sso_home.root))
    for result in results:
        assert result.returncode == 0, result.stderr
    assert sso.count("RegisterClient") == 1
    assert sso.count("StartDeviceAuthorization") == 1
    assert len(sso_home.browser_opens()) == 1
    assert sso.count("GetRoleCredentials") == CALLERS
    assert len({json.loads(r.stdout)["AWS_ACCESS_KEY_ID"] for r in results}) == CALLERS


def _same_documents(results) -> dict:
    documents = []
    for result in results:
        assert result.returncode == 0, result.stderr
        documents.append(json.loads(result.stdout))
    assert len({json.dumps(d, sort_keys=True) for d in documents}) == 1
    return documents[0]


def test_c17_stampede_on_a_role_over_an_expiring_credential_process_runs_it_once_and_assumes_once(home, sts):
    process_profiles(home, sleep=1)
    _same_documents(run_parallel(home.env(), CALLERS, "credential-process", "ops", cwd=str(home.root)))
    assert len(runs(home, "vault")) == 1
    assert sts.actions() == ["AssumeRole"]


def test_c17_stampede_on_a_credential_process_profile_itself_runs_it_once(home, sts):
    process_profiles(home, sleep=1)
    document = _same_documents(run_parallel(home.env(), CALLERS, "credential-process", "vault", cwd=str(home.root)))
    assert document["AccessKeyId"] == PROCESS_KEY
    assert len(runs(home, "vault")) == 1


@pytest.fixture
def imds():
    server = InstanceMetadataServer().start()
    yield server
    server.server.shutdown()


def test_c17_stampede_on_two_roles_over_instance_metadata_asks_imds_once_and_sts_once_per_role(home, sts, imds):
    instance_profile(home, "ec2instancemetadata")  # names compare without case, as in botocore
    with open(home.config, "a") as config:
        config.write(f"[profile audit]\ncredential_source = Ec2InstanceMetadata\nrole_arn = {DEPLOY}-audit\n")
    env = _imds_env(home, imds)
    names = ["deploy", "audit"] * (CALLERS // 2)
    procs = [_start(home, "credential-process", name, env=env) for name in names]
    outputs = {}
    for name, proc in zip(names, procs):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.setdefault(name, set()).add(out)
    assert {name: len(documents) for name, documents in outputs.items()} == {"deploy": 1, "audit": 1}
    assert imds.credential_fetches() == 1  # the instance role's credentials: one fetch, shared through the cache
    assert sorted(c.params["RoleArn"] for c in sts.calls) == [DEPLOY, DEPLOY + "-audit"]


# --- C18: a lock holder that dies or hangs ------------------------------------------------------------------


def test_c18_holder_killed_during_its_sts_call_frees_the_lock_at_once(home, sts):
    """The STS gate holds the reply to the holder's AssumeRole, so the holder is killed inside that call."""
    mfa_role(home, sts)
    first = []

    def hold_the_first_assume_role(action: str, caller) -> bool:
        if action != "AssumeRole" or first:
            return False
        first.append(caller)
        return True

    sts.hold_when = hold_the_first_assume_role
    holder, waiter = _start(home, "credential-process", "prod"), None
    try:
        assert sts.held.wait(30), "the holder never reached its AssumeRole call"
        waiter = _start(home, "credential-process", "prod")
        time.sleep(1.0)
        assert waiter.poll() is None and sts.actions() == ["GetSessionToken", "AssumeRole"]  # waiting, not racing
        holder.kill()
        holder.wait()
        killed_at = time.monotonic()
        out, err = waiter.communicate(timeout=60)
    finally:
        sts.release.set()  # the held reply goes to a closed connection
        for proc in (holder, waiter):
            if proc is not None:
                _kill_session(proc)
    assert waiter.returncode == 0, err
    assert time.monotonic() - killed_at < 10  # no stale-lock timeout: the kernel released the lock
    assert json.loads(out)["AccessKeyId"] == sts.calls[-1].issued
    # The holder's MFA session was cached before it died: the waiter reuses it, with no second code.
    assert sts.actions() == ["GetSessionToken", "AssumeRole", "AssumeRole"] and home.mfa_runs() == 1
    _assert_no_lock_held_and_no_temporaries(home)


def test_c18_holder_killed_at_its_mfa_prompt_frees_the_lock_at_once(home, sts):
    mfa_role(home, sts)
    _stalling_mfa_process(home)
    (home.root / "stall").touch()
    holder = _start(home, "credential-process", "prod")
    _wait_for(home.root / "stalled")  # the holder has the lock and waits for its MFA code
    waiter = _start(home, "credential-process", "prod")
    try:
        time.sleep(1.0)
        assert waiter.poll() is None  # waiting on the lock, not racing the holder
        (home.root / "stall").unlink()
        holder.kill()
        holder.wait()
        killed_at = time.monotonic()
        out, err = waiter.communicate(timeout=60)
    finally:
        _kill_session(waiter)
    assert waiter.returncode == 0, err
    assert time.monotonic() - killed_at < 10  # no stale-lock timeout: the kernel released the lock
    assert json.loads(out)["Version"] == 1
    assert sts.actions() == ["GetSessionToken", "AssumeRole"]
    _kill_session(holder)  # the stalled mfa_process, left in the holder's session
    _assert_no_lock_held_and_no_temporaries(home)


def test_c18_waiters_give_up_on_a_holder_stuck_at_its_mfa_prompt_and_name_it(home, sts):
    """AWSENV_LOCK_TIMEOUT (default 900 s) shortened to 1 s: the waiters must fail, not hang, and say who holds."""
    mfa_role(home, sts)
    _stalling_mfa_process(home)
    (home.root / "stall").touch()
    holder = _start(home, "credential-process", "prod")
    try:
        _wait_for(home.root / "stalled")
        started = time.monotonic()
        waiters = run_parallel(home.env(AWSENV_LOCK_TIMEOUT="1"), 3, "credential-process", "prod",
                               cwd=str(home.root))
        assert time.monotonic() - started < 20
        for waiter in waiters:
            assert (waiter.returncode, waiter.stdout) == (1, ""), waiter.stderr
            assert f"process {holder.pid} holds the lock" in waiter.stderr and "'prod'" in waiter.stderr
            assert "and is waiting for an MFA code for profile 'base' from its mfa_process" in waiter.stderr
        assert holder.poll() is None and sts.calls == []
    finally:
        _kill_session(holder)


# --- C19: parallel writers of the shared credentials file ---------------------------------------------------

ORIGINAL = ("# hand-written: keep this comment\n"
            "[base]\n"
            "aws_access_key_id = AKIAIOSFODNN7BASEKEY\n"
            "aws_secret_access_key = base/secret+key\n"
            "\n"
            "[other]  ; someone else's\n"
            "aws_access_key_id = AKIAOTHEROTHEROTHER1\n"
            "aws_secret_access_key = other/secret\n")
WRITERS = 8  # per profile


class _Reader(threading.Thread):
    """Reads the credentials file and the cache entries in a loop, noting every read that is empty or partial."""

    def __init__(self, home) -> None:
        super().__init__(daemon=True)
        self.home, self.stop, self.reads, self.bad = home, threading.Event(), 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            text = self.home.credentials.read_text()
            parsed = configparser.ConfigParser(interpolation=None)
            try:
                parsed.read_string(text)
                if not text.startswith(ORIGINAL) or not {"base", "other"} <= set(parsed.sections()):
                    self.bad.append(text)
            except configparser.Error:
                self.bad.append(text)
            for entry in self.home.cache.glob("*.json"):
                try:
                    json.loads(entry.read_text())
                except FileNotFoundError:
                    pass  # replaced between the listing and the read
                except ValueError:
                    self.bad.append(entry.name)
            self.reads += 1


def _slow_disk(home) -> str:
    """A directory for PYTHONPATH whose sitecustomize makes each fsync in the child take 100 ms longer: a slow disk,
    which widens the gap between reading the file and replacing it to where parallel writers overlap. (Nothing
    outside the process can slow its fsync, so the seam is inside the child; awsenv's own code is untouched.)"""
    folder = home.root / "slow-disk"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(textwrap.dedent("""\
        import os, time
        _fsync = os.fsync
        def _slow_fsync(fd):
            time.sleep(0.1)
            _fsync(fd)
        os.fsync = _slow_fsync
        """))
    return str(folder)


def test_c19_parallel_write_profile_keeps_every_section_and_readers_never_see_a_partial_file(home, sts):
    home.write_credentials(ORIGINAL)
    home.write_config(f"""\
        [profile base]
        region = us-east-1
        [profile alpha]
        role_arn = {PROD}-alpha
        source_profile = base
        [profile beta]
        role_arn = {PROD}-beta
        source_profile = base
        """)
    for name in ("alpha", "beta"):  # cached first, so the writers below all reach the file at about one time
        assert home.run("role", name, "--shell", "sh").returncode == 0
    reader = _Reader(home)
    reader.start()
    # Each writer its own section, so a lost update shows in the final file, not only a lost role.
    sections = [f"{name}-{number}" for number in range(WRITERS) for name in ("alpha", "beta")]
    env = home.env(PYTHONPATH=_slow_disk(home))
    procs = [_start(home, "role", section.split("-")[0], "--shell", "sh", f"--write-profile={section}", env=env)
             for section in sections]
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    finally:
        reader.stop.set()
        reader.join()
    assert reader.reads > 0 and reader.bad == []
    final = home.credentials.read_text()
    assert final.startswith(ORIGINAL)  # every original byte, in place
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(final)
    assert parsed.sections()[:2] == ["base", "other"] and sorted(parsed.sections()[2:]) == sorted(sections)
    issued = {c.params["RoleArn"].rsplit("-", 1)[1]: c.issued for c in sts.calls if c.action == "AssumeRole"}
    assert {section: parsed[section]["aws_access_key_id"] for section in sections} == \
        {section: issued[section.split("-")[0]] for section in sections}
    _assert_no_lock_held_and_no_temporaries(home)


# --- C20: SSO refresh-token rotation ------------------------------------------------------------------------


def test_c20_callers_inside_the_refresh_window_refresh_the_token_once(sso_home, sso):
    """The SSO stand-in rotates refresh tokens: a second use of the old one would be answered invalid_grant."""
    sso_home.write_token(seconds=600)
    results = run_parallel(sso_home.env(), 8, "sso", "dev", "--no-cache", "--format", "json", cwd=str(sso_home.root))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    grants = [c.params.get("grantType") for c in sso.calls if c.api == "CreateToken"]
    assert grants == ["refresh_token"]  # the others waited and read the rotated token: no invalid_grant storm
    assert all(c.status == 200 for c in sso.calls)
