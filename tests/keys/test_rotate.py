"""`awsenv keys rotate` against moto's IAM behind the strict gate (a deleted key stops working, a new key is refused
for its first requests, IAM refuses a session opened without MFA): the MFA session signs the IAM calls, a crash
after any step leaves a stored key that works and running the command again finishes the job, and the two-keys
limit stops it before any change."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap

import pytest

from awsenv.keys.index import shorten
from tests.helpers import AWSENV, MFA_SERIAL, TOTP_SEED
from tests.keys.conftest import PASSPHRASE, keyfile_env

pytestmark = pytest.mark.in_process


def _stored(home, monkeypatch) -> dict:
    """What the encrypted file holds for dev, read with the backend itself."""
    from awsenv.keys.keyfile import EncryptedFile

    monkeypatch.setenv("AWSENV_DATA_DIR", str(home.root / ".local" / "share" / "awsenv"))
    monkeypatch.setenv("AWSENV_KEYFILE_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("AWSENV_KEYFILE", raising=False)
    return json.loads(EncryptedFile().get_password("awsenv", "dev"))


def _setup(home, iam_user, config="[profile dev]\nregion = us-east-1\n"):
    home.write_config(config)
    env = keyfile_env(home)
    added = home.run("keys", "add", "dev", "--stdin", env=env,
                     input=json.dumps({"AccessKeyId": iam_user["id"], "SecretAccessKey": iam_user["secret"]}))
    assert added.returncode == 0, added.stderr
    assert "arn:aws:iam::123456789012:user/alice" in added.stderr
    return env


def _works(home, env, sts, iam_user) -> str:
    """`awsenv user dev` succeeds with no cache; the key it used, which IAM lists as alice's."""
    done = home.run("user", "dev", "--format", "json", "--no-cache", env=env)
    assert done.returncode == 0, done.stderr
    used = sts.calls[-1].caller
    assert sts.calls[-1].action == "GetSessionToken" and used in iam_user["keys"]()
    return used


def test_rotation_with_mfa_replaces_the_key_and_drops_old_sessions(home, sts, iam_user, monkeypatch):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.new_key_refusals = 2  # IAM's eventual consistency: the new key is refused twice
    probe = home.root / "mfa_probe.py"
    # Each run prints a code not printed before among the ones valid now (the previous, current and next
    # period's), so the three MFA sessions of this test need no wait for a new period.
    probe.write_text(textwrap.dedent(f"""\
        import json, os, sys, time, pyotp
        seen = {str(home.root / 'mfa_seen')!r}
        given = [json.loads(line)[2] for line in open(seen)] if os.path.exists(seen) else []
        totp, now = pyotp.TOTP({TOTP_SEED!r}), time.time()
        code = next(c for c in (totp.at(now), totp.at(now + 30), totp.at(now - 30)) if c not in given)
        with open(seen, "a") as out:
            out.write(json.dumps([sys.argv, dict(os.environ), code]) + "\\n")
        print(code)
        """))
    env = _setup(home, iam_user, f"[profile dev]\nregion = us-east-1\nmfa_serial = {MFA_SERIAL}\n"
                                 f"mfa_process = {os.sys.executable} {probe}\n")
    first = home.run("user", "dev", "--format", "json", env=env)
    assert first.returncode == 0, first.stderr
    sts.calls.clear()

    done = home.run("--debug", "keys", "rotate", "dev", env=env)
    assert done.returncode == 0, done.stderr
    new = _stored(home, monkeypatch)
    assert new["AccessKeyId"] != iam_user["id"]
    assert iam_user["keys"]() == [new["AccessKeyId"]]
    by_action = {c.action: c for c in sts.calls if c.status == 200}
    session = by_action["GetSessionToken"]
    assert session.caller == iam_user["id"] and "TokenCode" in session.params
    for action in ("ListAccessKeys", "CreateAccessKey", "DeleteAccessKey"):
        assert by_action[action].caller == session.issued  # the MFA session signs IAM calls
    rotated = f"rotated: {shorten(new['AccessKeyId'])} is stored and works; {shorten(iam_user['id'])} is deleted"
    assert rotated in done.stderr
    assert f"created access key {shorten(new['AccessKeyId'])}" in done.stderr
    assert new["AccessKeyId"] not in done.stderr and iam_user["id"] not in done.stderr  # shortened in every message
    refused = [c for c in sts.calls if c.caller == new["AccessKeyId"] and c.status != 200]
    assert len(refused) == 2  # verified with retries until IAM accepted the new key

    after = home.run("user", "dev", "--format", "json", env=env)  # the old key's cached session is gone
    assert after.returncode == 0, after.stderr
    assert sts.calls[-1].action == "GetSessionToken" and sts.calls[-1].caller == new["AccessKeyId"]
    seen = [json.loads(line) for line in (home.root / "mfa_seen").read_text().splitlines()]
    assert seen  # the probe ran: awsenv started it
    for secret in (iam_user["secret"], new["SecretAccessKey"], PASSPHRASE):
        assert secret not in done.stderr and secret not in done.stdout
        for argv, environ, _ in seen:  # the processes awsenv started: never a secret in argv, no key in environ
            assert not any(secret in word for word in argv)
            if secret != PASSPHRASE:  # the user's own variable, inherited like every other (README: weaker)
                assert not any(secret in value for value in environ.values())


@pytest.mark.process
@pytest.mark.parametrize("stop_after", ["ListAccessKeys", "CreateAccessKey", "verify", "DeleteAccessKey"])
def test_a_crash_after_any_step_leaves_a_working_key_and_a_rerun_finishes(home, sts, iam_user, monkeypatch,
                                                                          stop_after):
    env = _setup(home, iam_user)
    if stop_after == "verify":
        sts.hold_when = lambda action, caller: action == "GetCallerIdentity" and caller in sts.created
    else:
        sts.hold_when = lambda action, caller: action == stop_after
    rotation = subprocess.Popen([AWSENV, "keys", "rotate", "dev"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True, cwd=str(home.root))
    try:
        assert sts.held.wait(60), "the rotation never reached the step"
        os.killpg(rotation.pid, signal.SIGKILL)
        rotation.wait(30)
    finally:
        sts.hold_when = None
        sts.release.set()

    used = _works(home, env, sts, iam_user)
    again = home.run("keys", "rotate", "dev", env=env)
    if stop_after == "CreateAccessKey":
        # IAM made a key awsenv never received: the stored key is unchanged, and the rerun changes nothing
        assert used == iam_user["id"]
        assert again.returncode == 1
        assert "already has two access keys" in again.stderr and shorten(sts.created[0]) in again.stderr
        assert "nothing was changed" in again.stderr
        assert len(sts.created) == 1 and len(iam_user["keys"]()) == 2
    else:
        assert again.returncode == 0, again.stderr
        stored = _stored(home, monkeypatch)["AccessKeyId"]
        assert iam_user["keys"]() == [stored] and stored != iam_user["id"]
        if stop_after != "ListAccessKeys":
            assert "finishing the rotation" in again.stderr
            assert len(sts.created) == 1
    _works(home, env, sts, iam_user)


def test_two_keys_already_stop_before_any_change(home, sts, iam_user, monkeypatch):
    env = _setup(home, iam_user)
    other = iam_user["client"].create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    before = iam_user["keys"]()
    done = home.run("keys", "rotate", "dev", env=env)
    assert done.returncode == 1
    assert "two access keys" in done.stderr and "nothing was changed" in done.stderr
    assert shorten(other) in done.stderr and shorten(iam_user["id"]) in done.stderr  # key ids shortened, as promised
    assert other not in done.stderr and iam_user["id"] not in done.stderr
    assert iam_user["keys"]() == before
    assert not [c for c in sts.calls if c.action in ("CreateAccessKey", "DeleteAccessKey")]
    assert _stored(home, monkeypatch)["AccessKeyId"] == iam_user["id"]
    checked = home.run("keys", "list", "--check", "--json", env=env)
    assert checked.returncode == 0, checked.stderr
    [row] = json.loads(checked.stdout)
    assert (row["profile"], row["status"], row["age"]) == ("dev", "Active", "0 days")
    assert iam_user["secret"] not in checked.stdout + checked.stderr


def test_a_new_key_that_cannot_be_stored_is_deleted_again_and_the_old_one_kept(home, sts, iam_user, monkeypatch):
    """The key file's file system turns read-only between `keys add` and `keys rotate` (a real read-only tmpfs, so
    the test runs as root): storing the new key fails after CreateAccessKey, so awsenv deletes the new key in IAM
    and keeps the stored one, which still works."""
    data = home.root / ".local" / "share" / "awsenv"
    data.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(data)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.fail(f"this test mounts a tmpfs and needs root: {mounted.stderr.strip()}")
    try:
        env = _setup(home, iam_user)
        stored = _stored(home, monkeypatch)
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        done = home.run("keys", "rotate", "dev", env=env)
        assert done.returncode != 0 and done.stdout == ""
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
        assert "was deleted again; the stored key is unchanged" in done.stderr, done.stderr
        actions = [c.action for c in sts.calls if c.status == 200]
        assert actions.count("CreateAccessKey") == 1 and actions.count("DeleteAccessKey") == 1
        assert iam_user["keys"]() == [iam_user["id"]]  # IAM is as before
        assert _stored(home, monkeypatch) == stored
        assert _works(home, env, sts, iam_user) == iam_user["id"]
        for secret in (iam_user["secret"], PASSPHRASE):
            assert secret not in done.stderr
    finally:
        subprocess.run(["umount", "-l", str(data)], capture_output=True)


@pytest.mark.process
def test_a_new_key_that_cannot_be_verified_is_deleted_again_and_the_old_one_kept(home, sts, iam_user, monkeypatch):
    """STS stops answering (503) right after CreateAccessKey, for every attempt of the check that the new key
    works: awsenv puts the old key back, deletes the new one in IAM (which answers again by then), and says so."""
    env = _setup(home, iam_user)
    stored = _stored(home, monkeypatch)
    sts.hold_when = lambda action, caller: action == "CreateAccessKey"
    rotation = subprocess.Popen([AWSENV, "keys", "rotate", "dev"], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(home.root))
    try:
        assert sts.held.wait(60), "the rotation never reached CreateAccessKey"
        sts.faults = ["ServiceUnavailable"] * 3  # every attempt of the check (3 in all)
    finally:
        sts.hold_when = None
        sts.release.set()
    out, err = rotation.communicate(timeout=120)
    sts.clear_faults()
    assert rotation.returncode == 1 and out == "", err
    assert "ServiceUnavailable" in err and "was deleted again; the stored key is unchanged" in err, err
    checks = [c for c in sts.calls if c.caller == sts.created[0]]
    assert [c.status for c in checks] == [503] * 3  # the new key was never seen to work
    assert iam_user["keys"]() == [iam_user["id"]]  # IAM is as before
    again = _stored(home, monkeypatch)  # stored anew (a new generation), the same key
    assert (again["AccessKeyId"], again["SecretAccessKey"]) == (stored["AccessKeyId"], stored["SecretAccessKey"])
    assert _works(home, env, sts, iam_user) == iam_user["id"]
