"""Files awsenv reads and writes in unsafe or unusual places: sections it does not own, symlinked files across
filesystems, hostile or corrupt caches, a home that is missing, read-only or not writable.

Faults come from real seams: tmpfs and read-only mounts (the tests run as root), files chowned to another user,
symlinks, and a run as the unprivileged user `nobody` (whose home does not exist) for a HOME that cannot be used.
Root can open any file, so where awsenv must refuse another user's file the test chowns it and checks that awsenv
looked at the owner itself rather than relying on a failed open.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.cache_entries import ROLE, entries
from tests.helpers import AWSENV, BASE_KEY_ID, MFA_SERIAL, TOTP_SEED, parse_posix_exports
from tests.servers.sso_server import organisation

pytestmark = pytest.mark.process

NOBODY = 65534
BASE_KEYS = f"[base]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = base/secret+key\n"
ROLE_CONFIG = f"[profile base]\nregion = us-east-1\n[profile deploy]\nrole_arn = {ROLE}\nsource_profile = base\n" \
              "region = eu-west-1\n"


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("awsenv:")]


def _temporaries(*directories: Path) -> list[Path]:
    return [p for d in directories for p in d.iterdir() if p.name.startswith(".awsenv-")]


def _together(runs: list) -> list[subprocess.CompletedProcess]:
    """Run each (argv, env) at once, each in its own session with no terminal; their results, in order."""
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              text=True, start_new_session=True, cwd="/") for argv, env in runs]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


@pytest.fixture
def mount(tmp_path):
    """mount(path, ro=False): a small tmpfs at `path` (another filesystem); remount(path) makes it read-only."""
    mounted: list[Path] = []

    def do_mount(path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(path)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"these tests mount a tmpfs and need root: {done.stderr.strip()}")
        mounted.append(path)
        return path

    def read_only(path: Path) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)

    do_mount.read_only = read_only
    yield do_mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


# --- B12 ------------------------------------------------------------------------------------------------------------

USER_SECTION = (
    "[deploy-temporary]\n"
    "# my own session, from another tool\n"
    "aws_access_key_id = ASIAUSEROWNEDKEY0001\n"
    "aws_secret_access_key = user/secret\n"
    "aws_session_token = user-token\n"
)


def test_b12_a_section_awsenv_did_not_write_is_refused_unless_taken_over(role_home, sts):
    """Only sections with awsenv's marker are rewritten; another section of that name is refused with file:line and
    the way out, before anything is printed; --overwrite-profile takes it over (keeping its other lines), after which
    it is awsenv's. Long-lived keys stay refused even then: they could not be got back. (awsenv has no command that
    removes sections from the credentials file, so "clean only expired managed sections" does not apply.)"""
    home = role_home
    original = BASE_KEYS + "\n# keep this\n" + USER_SECTION + "[after]\nregion = us-west-2\n"
    home.write_credentials(original)
    path = str(home.credentials)
    refused = _together([([AWSENV, *args], home.env()) for args in (
        ("role", "deploy", "--shell", "sh", "--write-profile"),
        ("credential-process", "deploy", "--write-profile=deploy-temporary"),
        ("role", "deploy", "--shell", "sh", "--write-profile=base", "--overwrite-profile"))])
    for done in refused:
        assert done.returncode == 2 and done.stdout == "", (done.args, done.stderr)
    for done in refused[:2]:
        assert f"{path}:6: profile 'deploy-temporary' was not written by awsenv" in done.stderr
        assert "--overwrite-profile" in done.stderr and "--write-profile=NAME" in done.stderr
    assert "long-lived" in refused[2].stderr
    assert home.credentials.read_text() == original

    done = home.run("role", "deploy", "--shell", "sh", "--write-profile", "--overwrite-profile")
    assert done.returncode == 0, done.stderr
    exported = parse_posix_exports(done.stdout)
    text = home.credentials.read_text()
    head, section_and_rest = text.split("[deploy-temporary]\n")
    assert head == BASE_KEYS + "\n# keep this\n" and section_and_rest.endswith("[after]\nregion = us-west-2\n")
    assert "# managed by awsenv\n" in section_and_rest and "# my own session, from another tool\n" in section_and_rest
    assert f"aws_access_key_id = {exported['AWS_ACCESS_KEY_ID']}\n" in section_and_rest
    assert "ASIAUSEROWNEDKEY0001" not in text

    again = home.run("role", "deploy", "--shell", "sh", "--write-profile")  # now awsenv's own: no flag needed
    assert again.returncode == 0, again.stderr


# --- B13 ------------------------------------------------------------------------------------------------------------

def test_b13_a_symlinked_credentials_file_on_another_filesystem_is_written_through(home, sts, tmp_path, mount):
    """The link stays and its target is replaced, across filesystems: a temporary file anywhere but in the
    target's directory could not be renamed over it (EXDEV). A dangling link is an error naming it; nothing is
    created where it points."""
    dotfiles = mount(tmp_path / "dotfiles")
    target = dotfiles / "credentials"
    target.write_text(BASE_KEYS)
    target.chmod(0o600)
    home.write_config(ROLE_CONFIG)
    home.credentials.symlink_to(os.path.relpath(target, home.credentials.parent))
    link_text = os.readlink(home.credentials)
    assert os.stat(dotfiles).st_dev != os.stat(home.root).st_dev
    inode = os.stat(target).st_ino

    done = home.run("role", "deploy", "--shell", "sh", "--write-profile")
    assert done.returncode == 0, done.stderr
    assert home.credentials.is_symlink() and os.readlink(home.credentials) == link_text
    text = target.read_text()
    assert text.startswith(BASE_KEYS + "[deploy-temporary]\n# managed by awsenv\n")
    assert parse_posix_exports(done.stdout)["AWS_SESSION_TOKEN"] in text
    assert os.stat(target).st_ino != inode and _mode(target) == 0o600  # replaced by rename, not rewritten in place
    assert _temporaries(dotfiles, home.credentials.parent) == []

    # A dangling link: the keys come from the config file, so only the write can fail.
    home.write_config(ROLE_CONFIG.replace("[profile base]\n", "[profile base]\n" + BASE_KEYS.split("\n", 1)[1]))
    home.credentials.unlink()
    home.credentials.symlink_to(dotfiles / "gone" / "credentials")
    done = home.run("role", "deploy", "--shell", "sh", "--write-profile")
    assert done.returncode == 2 and done.stdout == ""
    assert f"{home.credentials} is a symlink to {dotfiles / 'gone' / 'credentials'}, which does not exist" \
        in done.stderr
    assert home.credentials.is_symlink() and not (dotfiles / "gone").exists()


SESSION_ONLY = ("# my AWS config\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n"
                "sso_region = us-east-1\n")


def test_b13_populate_writes_a_symlinked_config_on_another_filesystem_through(sso_home, sso, tmp_path, mount):
    """`awsenv populate` edits ~/.aws/config the same way: through the link, in the target's directory."""
    sso.assignments = organisation()
    sso_home.write_token()
    dotfiles = mount(tmp_path / "dotfiles")
    target = dotfiles / "aws-config"
    target.write_text(SESSION_ONLY)
    target.chmod(0o644)
    config = sso_home.home.config
    config.unlink()
    config.symlink_to(target)
    inode = os.stat(target).st_ino
    done = sso_home.run("populate", "corp")
    assert done.returncode == 0, done.stderr
    assert config.is_symlink() and os.readlink(config) == str(target)
    assert target.read_text().startswith(SESSION_ONLY) and "[profile dev.Admin]" in target.read_text()
    assert os.stat(target).st_ino != inode and _mode(target) == 0o644
    assert _temporaries(dotfiles, config.parent) == []

    config.unlink()
    config.symlink_to(dotfiles / "gone" / "config")
    done = sso_home.run("populate", "corp")
    assert done.returncode == 2 and done.stdout == ""
    assert f"{config} is a symlink to {dotfiles / 'gone' / 'config'}, which does not exist" in done.stderr
    assert not (dotfiles / "gone").exists()


# --- B14 ------------------------------------------------------------------------------------------------------------

def test_b14_symlinks_planted_in_the_cache_are_not_followed_and_a_foreign_lock_means_no_cache(role_home, sts, tmp_path):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    entry = entries(home)["AssumeRole"]
    victim = tmp_path / "victim"
    victim.write_text("not yours\n")
    victim.chmod(0o644)
    index = next((home.cache / "fast").iterdir())
    planted = [entry, entry.with_suffix(".lock"), index]
    for path in planted:
        path.unlink()
        path.symlink_to(victim)
    done = home.run("role", "deploy", "--shell", "sh")
    assert done.returncode == 0, done.stderr
    assert sts.actions() == ["AssumeRole", "AssumeRole"]  # a symlinked entry is a miss
    assert victim.read_text() == "not yours\n" and _mode(victim) == 0o644
    assert not any(path.is_symlink() for path in planted)
    assert json.loads(entry.read_text())["kind"] == "AssumeRole"

    # A lock file of another user (only root could have put it there): root can open and lock anyone's file, so
    # awsenv checks the owner itself, and goes on without the cache rather than share a lock with another user.
    entry.unlink()
    lock = entry.with_suffix(".lock")
    os.chown(lock, NOBODY, NOBODY)
    done = home.run("role", "deploy", "--shell", "sh")
    assert done.returncode == 0, done.stderr
    assert parse_posix_exports(done.stdout)["AWS_SESSION_TOKEN"]
    warnings = _warnings(done.stderr)
    assert len(warnings) == 1 and "not caching" in warnings[0] and f"owned by uid {NOBODY}" in warnings[0]
    assert not entry.exists() and os.lstat(lock).st_uid == NOBODY


def test_b14_a_cache_directory_of_another_user_writable_by_others_or_a_symlink_is_refused(role_home, sts, tmp_path):
    """Through AWSENV_CACHE_DIR and through XDG_CACHE_HOME (whose awsenv/ is the cache): one warning, the credentials
    still printed, nothing written there. Root could write into another user's directory, so the owner is checked."""
    home = role_home
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    hostile = {}
    for through in ("AWSENV_CACHE_DIR", "XDG_CACHE_HOME"):
        for kind in ("writable by group or others", f"owned by uid {NOBODY}", "not a plain directory"):
            cache = tmp_path / f"{through}-{len(hostile)}" / "awsenv"
            cache.parent.mkdir()
            if kind == "not a plain directory":
                cache.symlink_to(mine)
            else:
                cache.mkdir(mode=0o700)
                cache.chmod(0o777) if kind.startswith("writable") else os.chown(cache, NOBODY, NOBODY)
            env = home.env(**{through: str(cache if through == "AWSENV_CACHE_DIR" else cache.parent)})
            if through == "XDG_CACHE_HOME":
                del env["AWSENV_CACHE_DIR"]
            hostile[(through, kind)] = (cache, env)
    results = _together([([AWSENV, "role", "deploy", "--shell", "sh"], env) for _, env in hostile.values()])
    for ((through, kind), (cache, _)), done in zip(hostile.items(), results):
        assert done.returncode == 0, (through, kind, done.stderr)
        assert parse_posix_exports(done.stdout)["AWS_SESSION_TOKEN"]
        warnings = _warnings(done.stderr)
        assert len(warnings) == 1 and "not caching" in warnings[0] and kind in warnings[0], (through, kind, warnings)
        assert list(cache.iterdir()) == [], (through, kind)
    assert list(mine.iterdir()) == []
    assert sts.actions() == ["AssumeRole"] * len(hostile)


# --- B15 ------------------------------------------------------------------------------------------------------------

def test_b15_corrupt_cache_entries_and_index_records_are_misses_that_get_overwritten(home, sts):
    """One role profile per broken shape, run at once. Each run is the simple form with the index in place, so the
    entry is read first by the cache-hit path (awsenv.cli.fast) and, on its miss, by the full path's cache: both
    meet the corrupt file in the same run. A broken index record only sends the run to the full path."""
    entry_cases = {
        "empty": lambda text, good: "",
        "truncated": lambda text, good: text[: len(text) // 2],
        "a list": lambda text, good: "[]",
        "unknown version": lambda text, good: json.dumps({**good, "version": 99}),
        "naive expiration": lambda text, good: json.dumps({**good, "expiration": "2099-01-01T00:00:00"}),
        "unparsable expiration": lambda text, good: json.dumps({**good, "expiration": "tomorrow"}),
        "key of another type": lambda text, good: json.dumps({**good, "credentials": {**good["credentials"],
                                                                                       "AccessKeyId": 7}}),
        "another user's file": lambda text, good: text,
    }
    index_cases = {
        "index empty": lambda record: "",
        "index entry a path": lambda record: json.dumps({**record, "entry": "../../victim"}),
        "index region of another type": lambda record: json.dumps({**record, "region": {"not": "a region"}}),
    }
    names = list(entry_cases) + list(index_cases)
    home.write_base_keys()
    home.write_config(ROLE_CONFIG.split("[profile deploy]")[0] + "".join(
        f"[profile r{n}]\nrole_arn = {ROLE}-{n}\nsource_profile = base\nregion = eu-west-1\n"
        for n in range(len(names))))
    runs = [([AWSENV, "role", f"r{n}", "--shell", "sh"], home.env()) for n in range(len(names))]
    assert all(done.returncode == 0 for done in _together(runs))
    by_profile = {json.loads(p.read_text())["profile"]: p for p in home.cache.glob("*.json")}
    index_of = {json.loads(p.read_text())["entry"]: p for p in (home.cache / "fast").iterdir()}
    inodes = {}
    for n, case in enumerate(names):
        entry = by_profile[f"r{n}"]
        if case in entry_cases:
            text = entry.read_text()
            entry.write_text(entry_cases[case](text, json.loads(text)))
            if case == "another user's file":
                os.chown(entry, NOBODY, NOBODY)
            inodes[case] = os.stat(entry).st_ino
        else:
            index = index_of[entry.stem]
            index.write_text(index_cases[case](json.loads(index.read_text())))

    for n, (case, done) in enumerate(zip(names, _together(runs))):
        assert done.returncode == 0 and "Traceback" not in done.stderr, (case, done.stderr)
        assert parse_posix_exports(done.stdout)["AWS_REGION"] == "eu-west-1", case
        assert len(_warnings(done.stderr)) <= (1 if case in entry_cases else 0), (case, done.stderr)
        if case in entry_cases:  # refetched, and the entry replaced (a new file, ours, 0600) with a good one
            entry = by_profile[f"r{n}"]
            info = os.stat(entry)
            assert json.loads(entry.read_text())["version"] == 1, case
            assert info.st_ino != inodes[case] and info.st_uid == os.getuid() and _mode(entry) == 0o600, case
    assert sts.actions() == ["AssumeRole"] * (len(names) + len(entry_cases))


def test_b15_a_corrupt_sso_token_file_means_a_new_sign_in_that_replaces_it(sso_home, sso):
    """The AWS CLI's token file (~/.aws/sso/cache) in each broken shape, one sso-session per shape, signed in to at
    once: no crash, one sign-in each, and the file replaced by a good one."""
    cases = {
        "empty": lambda good: "",
        "truncated": lambda good: json.dumps(good)[:40],
        "access token of another type": lambda good: json.dumps({**good, "accessToken": 5}),
        "unparsable expiresAt": lambda good: json.dumps({**good, "expiresAt": "tomorrow"}),
        "refresh token of another type": lambda good: json.dumps({**good, "refreshToken": {"x": 1},
                                                                  "expiresAt": "2000-01-01T00:00:00Z"}),
        "another user's file": lambda good: json.dumps(good),
    }
    sso_home.write_config("".join(
        f"[profile p{n}]\nsso_session = s{n}\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
        f"[sso-session s{n}]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
        for n in range(len(cases))))
    inodes = {}
    for n, (case, broken) in enumerate(cases.items()):
        path = sso_home.token_path(f"s{n}")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(broken(sso_home.write_token(f"s{n}")))
        if case == "another user's file":
            os.chown(path, NOBODY, NOBODY)
        inodes[case] = os.stat(path).st_ino
    results = _together([([AWSENV, "login", f"p{n}"], sso_home.env(browser=True)) for n in range(len(cases))])
    for n, (case, done) in enumerate(zip(cases, results)):
        assert done.returncode == 0, (case, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr, case
        path = sso_home.token_path(f"s{n}")
        assert sso_home.token(f"s{n}")["accessToken"] in sso.tokens and os.stat(path).st_ino != inodes[case], case
        assert os.stat(path).st_uid == os.getuid() and _mode(path) == 0o600, case
    assert sso.count("Authorize") == len(cases)


# --- B16 ------------------------------------------------------------------------------------------------------------

def _bare_env(home, **extra: str) -> dict:
    """The test's environment with awsenv's and the AWS files' locations left to their defaults under HOME."""
    env = home.env(**extra)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWSENV_CACHE_DIR", "AWSENV_DATA_DIR",
                 "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        env.pop(name, None)
    return env


def _check_without_cache(argv_prefix: list, env: dict, credentials_path: str, roles: tuple = ("deploy",)) -> None:
    """role, exec and credential-process work with one warning; --write-profile fails naming the file."""
    run, process, write, *role_runs = _together([([*argv_prefix, *args], env) for args in (
        ("exec", "deploy", "--", "sh", "-c", 'test -n "$AWS_SESSION_TOKEN" && echo ok'),
        ("credential-process", "deploy"),
        ("role", "deploy", "--shell", "sh", "--write-profile"),
        *(("role", name, "--shell", "sh") for name in roles))])
    for done in (run, process, *role_runs):  # (an MFA profile's plan adds a note: not a warning)
        warnings = [line for line in _warnings(done.stderr) if "cach" in line or "error" in line]
        assert done.returncode == 0 and len(warnings) == 1 and "not caching" in warnings[0], done.stderr
    for role in role_runs:
        assert parse_posix_exports(role.stdout)["AWS_SESSION_TOKEN"]
    assert run.stdout == "ok\n"
    document = json.loads(process.stdout)
    assert document["Version"] == 1 and document["SessionToken"]
    assert write.returncode != 0 and write.stdout == ""
    assert credentials_path in write.stderr, write.stderr
    assert "Traceback" not in write.stderr and "internal error" not in write.stderr


def test_b16_a_read_only_home_means_no_cache_and_a_refused_write_profile(home, sts, tmp_path, mount):
    """HOME on a read-only filesystem, its ~/.cache/awsenv already there and private: the cache can be neither
    locked nor written, nor can a used MFA code be recorded. The files are read; the credentials are printed;
    --write-profile fails naming the file."""
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    root = mount(tmp_path / "rohome")
    (root / ".aws").mkdir(mode=0o700)
    (root / ".aws" / "config").write_text(ROLE_CONFIG + f"[profile deploy-mfa]\nrole_arn = {ROLE}\nsource_profile = "
                                          f"base\nmfa_serial = {MFA_SERIAL}\nmfa_process = {home.mfa_process()}\n")
    (root / ".aws" / "credentials").write_text(BASE_KEYS)
    (root / ".cache" / "awsenv").mkdir(parents=True, mode=0o700)
    (root / ".cache").chmod(0o700)
    mount.read_only(root)
    _check_without_cache([AWSENV], _bare_env(home, HOME=str(root)), str(root / ".aws" / "credentials"),
                         roles=("deploy", "deploy-mfa"))
    assert sorted(sts.actions()) == ["AssumeRole"] * 5 + ["GetSessionToken"] and home.mfa_runs() == 1


def test_b16_no_home_means_no_cache_and_a_refused_write_profile(home, sts, awsenv_as_anyone):
    """HOME unset, run as `nobody`, whose home (from the password database) does not exist and cannot be made: the
    config comes from AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, nothing is cached, nothing is created.
    `nobody` runs a copy of this checkout's awsenv it can read (the checkout may be private to its owner)."""
    shared = Path(tempfile.mkdtemp(prefix="awsenv-b16-"))
    try:
        shared.chmod(0o755)
        (shared / "config").write_text(ROLE_CONFIG)
        (shared / "credentials").write_text(BASE_KEYS)
        for name in ("config", "credentials"):
            (shared / name).chmod(0o644)
        env = _bare_env(home)
        env.update(AWS_CONFIG_FILE=str(shared / "config"), AWS_SHARED_CREDENTIALS_FILE=str(shared / "credentials"))
        del env["HOME"]
        as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *awsenv_as_anyone]
        # --write-profile: the credentials file is root's, so awsenv will not rewrite it (and could not).
        _check_without_cache(as_nobody, env, str(shared / "credentials"))
        assert sts.actions() == ["AssumeRole"] * 4
        assert sorted(p.name for p in shared.iterdir()) == ["config", "credentials"]
        assert not os.path.exists("/nonexistent")
    finally:
        for path in shared.iterdir():
            path.unlink()
        shared.rmdir()
