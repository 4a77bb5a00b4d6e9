"""Group B, writing files: private modes whatever the umask (B7), a crash at every step of a write (B8), a full disk
(B9), a hand-kept credentials file round-tripped byte for byte (B10) and awkward content in it (B11).

Every test runs the installed CLI against the local STS gate (and the SSO stand-in for `populate`)."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from tests.cache_entries import ROLE, drop_fast_index, entries, set_expiry
from tests.helpers import AWSENV, BASE_KEY_ID, parse_posix_exports
from tests.keys.conftest import KEYFILE, PASSPHRASE, REPO
from tests.sso_fixtures import SSO_CONFIG, SsoHome

pytestmark = pytest.mark.process

HOOK = Path(__file__).with_name("write_faults.py")
BASE_SECRET = "base/secret+key"
ROLE_CONFIG = f"[profile base]\nregion = us-east-1\n[profile deploy]\nrole_arn = {ROLE}\nsource_profile = base\n" \
              "region = eu-west-1\n"
STORED_KEYS = json.dumps({"AccessKeyId": BASE_KEY_ID, "SecretAccessKey": BASE_SECRET})


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _run(env: dict, *args: str, umask: int = 0o022, input: str | None = None) -> subprocess.CompletedProcess:
    """The installed awsenv under `umask`, in its own session (no terminal)."""
    return subprocess.run([AWSENV, *args], env=env, input=input, capture_output=True, text=True, timeout=60,
                          start_new_session=True, umask=umask, cwd=env["HOME"])


def _temps(directory: Path) -> list[Path]:
    return sorted(directory.glob(".awsenv-*.tmp"))


def _keyfile_env(home, **extra: str) -> dict:
    """The encrypted file backend (awsenv.keyfile.EncryptedFile), its passphrase from the environment."""
    return home.env(PYTHON_KEYRING_BACKEND=KEYFILE, AWSENV_KEYFILE_PASSPHRASE=PASSPHRASE, PYTHONPATH=REPO, **extra)


# --- B7 -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask022", "umask000"])
def test_b7_modes_on_a_fresh_home(home, sts, sso, umask):
    """Every file awsenv writes on a fresh HOME is 0600 in a 0700 directory it made, whatever the umask: the cache
    (entries, fast index, locks), the key file and its index, the credentials file of --write-profile and of
    `keys import`, a config file it creates, and the config `populate` edits keeps its own (private) mode. A
    credentials file others can read is tightened by --write-profile and named by `keys import`; an existing ~/.aws
    others can write to is left as it is and named; no mode is ever loosened."""
    conf = home.root / "conf" / "config"
    conf.parent.mkdir()
    conf.write_text(ROLE_CONFIG)
    env = _keyfile_env(home, AWS_CONFIG_FILE=str(conf))
    del env["AWSENV_CACHE_DIR"], env["AWSENV_DATA_DIR"]  # the default places, made by awsenv
    aws, cache, data = home.root / ".aws", home.root / ".cache" / "awsenv", home.root / ".local" / "share" / "awsenv"

    done = _run(env, "keys", "add", "base", "--stdin", "--no-verify", umask=umask, input=STORED_KEYS)
    assert done.returncode == 0, done.stderr
    done = _run(env, "role", "deploy", "--shell", "sh", "--write-profile", umask=umask)
    assert done.returncode == 0, done.stderr
    for directory in (aws, home.root / ".cache", cache, cache / "fast", home.root / ".local", data):
        assert _mode(directory) == 0o700, directory
    written = [p for p in (*cache.rglob("*"), *data.iterdir(), home.credentials) if p.is_file()]
    assert {p.name for p in data.iterdir()} >= {"keyring.enc", "keys.json"}
    assert {p.suffix for p in cache.iterdir()} >= {".json", ".lock"} and list((cache / "fast").iterdir())
    for path in written:
        assert _mode(path) == 0o600, path
    if umask == 0o022:
        return  # what follows changes files that exist; umask 000 is the harder case for it

    # keys import: the file keeps its mode and a readable one is named; a config file it creates is private
    with home.credentials.open("a") as handle:
        handle.write("[ops]\naws_access_key_id = AKIAIOSFODNN7OPSKEY1\naws_secret_access_key = ops/secret\n")
    home.credentials.chmod(0o644)
    new_config = aws / "config"
    done = _run({**env, "AWS_CONFIG_FILE": str(new_config)}, "keys", "import", "ops", "--for-sdk", umask=umask)
    assert done.returncode == 0, done.stderr
    assert _mode(home.credentials) == 0o644 and f"other users can read {home.credentials}" in done.stderr
    assert b"ops/secret" not in home.credentials.read_bytes()
    assert _mode(new_config) == 0o600

    # --write-profile tightens a readable credentials file and keeps a stricter one as it is; a ~/.aws others can
    # write to is left as it is, and named
    aws.chmod(0o775)
    for before, after in ((0o644, 0o600), (0o400, 0o400)):
        home.credentials.chmod(before)
        done = _run(env, "role", "deploy", "--shell", "sh", "--write-profile", umask=umask)  # from the cache
        assert done.returncode == 0, done.stderr
        assert _mode(home.credentials) == after, oct(before)
        assert f"other users can write to {aws}" in done.stderr and _mode(aws) == 0o775
    aws.chmod(0o700)

    # populate edits the config in place of its own: mode kept (0600 stays 0600 under any umask); its lock is private
    sso_home = SsoHome(home, sso)
    sso_home.write_token()
    with new_config.open("a") as handle:
        handle.write(SSO_CONFIG.replace("    ", ""))
    done = _run({**sso_home.env(), **env, "AWS_CONFIG_FILE": str(new_config)}, "populate", "corp", umask=umask)
    assert done.returncode == 0, done.stderr
    assert "awsenv_generated" in new_config.read_text() and _mode(new_config) == 0o600
    for path in (*cache.glob("*.lock"), *data.iterdir()):
        assert _mode(path) == 0o600, path
    for directory in (aws, cache, data):
        assert not _temps(directory), directory


# --- B8 -----------------------------------------------------------------------------------------------------------

EXIT_STEPS = ["created", "written", "synced", "replacing"]


def _hook_env(tmp_path: Path, env: dict, point: str, action: str, directory: Path) -> dict:
    """`env` with the write-fault hook loaded as the child's sitecustomize (see write_faults.py)."""
    hook = tmp_path / "write-fault-hook"
    if not hook.exists():
        hook.mkdir()
        shutil.copy(HOOK, hook / "sitecustomize.py")
    fault = json.dumps({"point": point, "action": action, "dir": str(directory)})
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), env.get("PYTHONPATH")])),
            "WRITE_FAULT": fault}


def _credentials_target(home, sso, tmp_path):
    """--write-profile: the credentials file, rewritten on every run with another region (the keys come from the
    cache: no STS call needed to change the file)."""
    home.write_base_keys()
    home.write_config(ROLE_CONFIG)
    assert home.run("role", "deploy", "--shell", "sh", "--write-profile").returncode == 0
    regions = ["eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "us-east-2", "us-west-1", "us-west-2",
               "ap-south-1", "ca-central-1"]
    args = lambda step: ("role", "deploy", "--shell", "sh", "--write-profile", "--region", regions[step])  # noqa: E731
    steps = [(p, "exit") for p in EXIT_STEPS + ["replaced"]] + [("created", "raise"), ("synced", "raise")]
    return dict(env=home.env(), args=args, target=home.credentials, steps=steps, new_text="[deploy-temporary]",
                failed=(1, f"could not write {home.credentials}: Input/output error; the file is unchanged"))


def _cache_target(home, sso, tmp_path):
    """The cache entry of the role's credentials, made stale before each run so that it is written again."""
    home.write_base_keys()
    home.write_config(ROLE_CONFIG)
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    entry = entries(home)["AssumeRole"]
    set_expiry(entry, timedelta(minutes=1))  # inside the refresh window: renewed
    steps = [("written", "exit"), ("synced", "raise"), ("replaced", "exit")]
    return dict(env=home.env(), args=("role", "deploy", "--shell", "sh"), target=entry, steps=steps,
                new_text='"kind": "AssumeRole"', failed=(0, "could not cache the credentials of profile 'deploy'"),
                before_each=lambda: drop_fast_index(home))


def _config_target(home, sso, tmp_path):
    """`populate`: the config file it adds the generated profiles to."""
    setup = SsoHome(home, sso)
    setup.write_config()
    setup.write_token()
    steps = [("written", "exit"), ("replacing", "raise")]
    return dict(env=setup.env(), args=("populate", "corp"), target=home.config, steps=steps,
                new_text="awsenv_generated",
                failed=(1, f"could not write {home.config}: Input/output error; the file is unchanged"))


def _keyfile_target(home, sso, tmp_path):
    """`keys add`: the encrypted key file, holding one profile's keys, gets a second one."""
    env = _keyfile_env(home)
    keyfile = home.root / ".local" / "share" / "awsenv" / "keyring.enc"
    assert _run(env, "keys", "add", "ops", "--stdin", "--no-verify", input=STORED_KEYS).returncode == 0
    steps = [("written", "exit"), ("replacing", "raise")]
    return dict(env=env, args=("keys", "add", "dev", "--stdin", "--no-verify"), input=STORED_KEYS, target=keyfile,
                steps=steps, new_text='"format": "awsenv-keyfile"',
                failed=(1, f"could not write {keyfile}: Input/output error; the file is unchanged"))


@pytest.mark.parametrize("setup", [_credentials_target, _cache_target, _config_target, _keyfile_target],
                         ids=["credentials", "cache", "config", "keyfile"])
def test_b8_crash_at_every_step_of_a_write(home, sts, sso, tmp_path, setup):
    """A write stopped at each step (temp made, data written, synced, about to replace, replaced) by os._exit (as a
    SIGKILL or power cut would) or by an exception: the target is byte-identical or wholly new, never partial;
    an exception leaves no temporary file and says the file is unchanged (the cache, being optional, only warns);
    a killed writer's temporary files are private and ignored, and the next write in that directory removes them
    once they are old. The fault comes from a sitecustomize hook in the child (tests/reliability/write_faults.py):
    nothing else reaches the points between os.fsync and os.replace."""
    case = setup(home, sso, tmp_path)
    target: Path = case["target"]
    directory = target.parent
    args = case["args"] if callable(case["args"]) else lambda step: case["args"]
    for step, (point, action) in enumerate(case["steps"]):
        case.get("before_each", lambda: None)()
        before, left = target.read_bytes(), set(_temps(directory))
        done = _run(_hook_env(tmp_path, case["env"], point, action, directory), *args(step), input=case.get("input"))
        after = target.read_bytes()
        new_temps = set(_temps(directory)) - left
        if action == "exit":
            assert done.returncode == 137, (point, done.stderr)  # the crash happened inside the write
            assert done.stdout == ""
        if point == "replaced":
            assert after != before and case["new_text"] in after.decode(), point
            assert not new_temps
            continue
        assert after == before, (point, action)
        if action == "exit":
            # private, or no more open than the target itself (a config file keeps its own mode)
            assert len(new_temps) == 1 and all(_mode(p) & 0o077 & ~_mode(target) == 0 for p in new_temps), point
            if point != "created":  # the data is in the temporary file, not in the target
                assert case["new_text"] in new_temps.pop().read_text(), point
        else:
            code, message = case["failed"]
            assert not new_temps, point
            assert done.returncode == code and message in done.stderr, (point, done.stderr)
            assert "Traceback" not in done.stderr
            assert (done.stdout != "") == (code == 0)  # credentials still printed when only the cache failed

    stale = _temps(directory)
    assert stale, "the killed writers left their temporary files"
    for path in stale:
        os.utime(path, (1_000_000_000, 1_000_000_000))
    fresh = directory / ".awsenv-another-writer.tmp"
    fresh.write_text("a write in progress")
    case.get("before_each", lambda: None)()
    if setup is _cache_target:
        set_expiry(target, timedelta(minutes=1))
    done = _run(case["env"], *args(len(case["steps"])), input=case.get("input"))
    assert done.returncode == 0, done.stderr
    assert case["new_text"] in target.read_text()
    assert _temps(directory) == [fresh]  # the old ones removed; a young one may belong to a live writer


# --- B9 -----------------------------------------------------------------------------------------------------------

@pytest.fixture
def full_disk(tmp_path):
    """A 64 KiB tmpfs that `fill()` fills up (as root, in the test container), unmounted afterwards. Where it cannot
    be mounted, a plain directory, and `env()` makes the child's writes there fail with ENOSPC (write_faults.py)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs",
                                                    str(mount)], capture_output=True).returncode == 0

    def fill() -> None:
        if not mounted:
            return
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def env(base: dict, directory: Path) -> dict:
        return base if mounted else _hook_env(tmp_path, base, "written", "enospc", directory)

    yield mount, fill, env
    if mounted:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_b9_disk_full_leaves_files_unchanged(home, sts, full_disk):
    """No room left (a real full filesystem): writing the credentials file fails with "no space left ... the file
    is unchanged", stdout empty, the original intact and no temporary file; when only the cache cannot be written
    the credentials are still printed, exit 0, with a warning, and the old cache entry is intact."""
    mount, fill, full_env = full_disk
    home.write_base_keys()
    home.write_config(ROLE_CONFIG)
    credentials, cache = mount / "credentials", mount / "cache"
    env = home.env(AWS_SHARED_CREDENTIALS_FILE=str(credentials), AWSENV_CACHE_DIR=str(cache))
    shutil.copy(home.credentials, credentials)
    assert home.run("role", "deploy", "--shell", "sh", "--write-profile", env=env).returncode == 0
    fill()
    before = credentials.read_bytes()
    done = home.run("role", "deploy", "--shell", "sh", "--write-profile", "--region", "us-west-2",
                    env=full_env(env, mount))
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert f"no space left writing {credentials}" in done.stderr and "the file is unchanged" in done.stderr
    assert "Traceback" not in done.stderr
    assert credentials.read_bytes() == before

    if (mount / "filler").exists():
        (mount / "filler").unlink()
    entry = next(cache.glob("*.json"))
    set_expiry(entry, timedelta(minutes=1))  # inside the refresh window: the next run renews and writes it
    for path in (*(cache / "fast").iterdir(), *cache.glob("*.lock")):
        path.unlink()  # no index to answer from, and the lock files are made anew on the full disk
    fill()
    before = entry.read_bytes()
    done = home.run("role", "deploy", "--shell", "sh", env=full_env(env, cache))
    assert done.returncode == 0, done.stderr
    assert parse_posix_exports(done.stdout)["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert "could not cache the credentials of profile 'deploy': No space left on device" in done.stderr
    assert entry.read_bytes() == before
    assert not _temps(mount) and not _temps(cache)


# --- B10 / B11 ----------------------------------------------------------------------------------------------------

PROD_CONFIG = ROLE_CONFIG + "[profile prod]\nrole_arn = arn:aws:iam::111111111111:role/prod\nsource_profile = base\n" \
                            "region = eu-north-1\n"


def _botocore_profiles(path: Path) -> dict:
    from botocore.configloader import raw_config_parse

    return raw_config_parse(str(path))


def _hand_kept_credentials() -> tuple[bytes, bytes, bytes]:
    """A credentials file as people keep them (CRLF): what comes before [prod-temporary], the section, the rest."""
    head = [
        "# shared credentials, hand-kept; do not reorder",
        "; a semicolon comment",
        "",
        "[default]",
        "aws_access_key_id = AKIAIOSFODNN7DEFAULT  # the old key",
        "aws_secret_access_key = default/secret ; inline",
        "",
        "[base]",
        f"aws_access_key_id = {BASE_KEY_ID}",
        f"aws_secret_access_key = {BASE_SECRET}",
        "Region = eu-west-1",
        "",
    ]
    for number in range(25):
        head += [f"[team-{number:02d}]", f"AWS_Access_Key_ID = AKIAIOSFODNN7TEAM{number:03d}",
                 f"\taws_secret_access_key:team/{number}/Secret=Key%20x", "X_Unknown_Key = 50% off = a:b:c",
                 "note = first line", "    continued: second line", ""]
    section = ["[prod-temporary]   # renewed by awsenv", "# managed by awsenv", "aws_access_key_id = ASIAOLDOLDOLD",
               "AWS_Secret_Access_Key = old-secret", "note = keep me %(not interpolated)s",
               "aws_session_token = old-token", "", ""]
    tail = []
    for number in range(25, 50):
        tail += [f"[team-{number:02d}]", f"aws_access_key_id=AKIAIOSFODNN7TEAM{number:03d}",
                 f"aws_secret_access_key =team/{number}", "format = %(not)s interpolated", ""]
    tail += ["; the end, without a final newline"]
    crlf = lambda lines: "".join(line + "\r\n" for line in lines).encode()  # noqa: E731
    return crlf(head), crlf(section), crlf(tail)[:-2]


def test_b10_round_trip_keeps_every_byte_outside_the_section(home, sts):
    """--write-profile on a hand-kept file (comments of both kinds, also after values, blank lines, [default], 50
    other profiles, mixed-case and unknown keys, values with % = :, CRLF, tabs, a continuation line, no final
    newline): the section is replaced in place, a new one appended, and every other byte is as it was; botocore
    reads every other profile exactly as before. A file with a UTF-8 BOM, which botocore (and so the AWS CLI)
    cannot read, is refused with its name and left as it is."""
    home.write_config(PROD_CONFIG)
    head, section, tail = _hand_kept_credentials()
    original = head + section + tail
    home.credentials.write_bytes(original)
    before = _botocore_profiles(home.credentials)

    done = home.run("role", "prod", "--shell", "sh", "--write-profile")
    assert done.returncode == 0, done.stderr
    after = home.credentials.read_bytes()
    assert after.startswith(head) and after.endswith(tail)
    written = after[len(head):len(after) - len(tail)]
    assert written.startswith(b"[prod-temporary]   # renewed by awsenv\r\n# managed by awsenv\r\n")
    assert b"old" not in written and b"\n" not in written.replace(b"\r\n", b"")
    assert b"\r\nnote = keep me %(not interpolated)s\r\n" in written  # the user's own line in the section stays
    exported = parse_posix_exports(done.stdout)
    profiles = _botocore_profiles(home.credentials)
    assert {key: value for key, value in profiles.pop("prod-temporary").items()
            if key in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "region")} == {
        "aws_access_key_id": exported["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": exported["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": exported["AWS_SESSION_TOKEN"], "region": "eu-north-1"}
    assert profiles == {name: values for name, values in before.items() if name != "prod-temporary"}

    done = home.run("role", "prod", "--shell", "sh", "--write-profile=prod-ci")  # from the cache
    assert done.returncode == 0, done.stderr
    appended = home.credentials.read_bytes()
    assert appended.startswith(after + b"\r\n[prod-ci]\r\n")  # the missing final newline is added before it
    assert _mode(home.credentials) == 0o600

    home.credentials.write_bytes(b"\xef\xbb\xbf" + original)
    done = home.run("role", "prod", "--shell", "sh", "--write-profile")
    assert done.returncode == 2 and done.stdout == ""
    assert f"cannot parse {home.credentials}" in done.stderr
    assert home.credentials.read_bytes() == b"\xef\xbb\xbf" + original


AWKWARD = {
    "duplicate-section": ("[base]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n\n"
                          "[prod-temporary]\n# managed by awsenv\naws_access_key_id = A\n\n"
                          "[prod-temporary]\n# managed by awsenv\naws_access_key_id = B\n",
                          r"credentials:9: section \[prod-temporary\] appears a second time"),
    "duplicate-key": ("[base]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n\n"
                      "[Other]\nRegion = eu-west-1\nregion = us-east-1\n",
                      r"credentials:7: key .region. appears a second time"),
    "indented-header": ("[base]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
                        "  [prod-temporary]\n  # managed by awsenv\n  aws_access_key_id = OLD\n", r"credentials:4: .*indented"),
    "profile-prefix-and-percent": ("[base]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
                                   "Note = 100%(foo)s = a:b\n\n[profile prod-temporary]\nAWS_Access_Key_Id = X\n"
                                   "Some_Key = %(foo)s\n", None),
}


@pytest.mark.parametrize("name", list(AWKWARD))
def test_b11_awkward_content_is_refused_with_its_line_or_left_alone(home, sts, name):
    """Duplicate sections or keys (which botocore refuses to read) and a header indented under a value (which
    botocore reads as part of that value) are refused with the file and line, the file unchanged and stdout empty;
    a `profile ` prefix in the credentials file names another profile, left alone with its keys' case and a
    %(foo)s value as they were (a new [prod-temporary] follows it)."""
    home.write_config(PROD_CONFIG)
    text, where = AWKWARD[name]
    original = text.format(key=BASE_KEY_ID, secret=BASE_SECRET).encode()
    home.credentials.write_bytes(original)
    done = home.run("role", "prod", "--shell", "sh", "--write-profile")
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    if where is None:
        assert done.returncode == 0, done.stderr
        after = home.credentials.read_bytes()
        assert after.startswith(original + b"[prod-temporary]\n# managed by awsenv\n")
        profiles = _botocore_profiles(home.credentials)
        assert profiles["profile prod-temporary"] == {"aws_access_key_id": "X", "some_key": "%(foo)s"}
        assert profiles["prod-temporary"]["aws_session_token"] == parse_posix_exports(done.stdout)["AWS_SESSION_TOKEN"]
        return
    assert done.returncode == 2 and done.stdout == "", done.stderr
    assert str(home.credentials) in done.stderr and re.search(where, done.stderr), done.stderr
    assert home.credentials.read_bytes() == original
