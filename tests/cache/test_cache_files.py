"""The cache on disk: no symlink followed, unsafe places refused, bad entries missed. (Modes whatever the umask and
temporaries of a killed writer: tests/reliability/test_b_file_writes.py.)"""

from __future__ import annotations

import json
import os
import stat

from tests.cache_entries import entries


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_symlink_planted_at_an_entry_or_a_lock_is_not_followed(role_home, sts, tmp_path):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    entry = entries(home)["AssumeRole"]
    victim = tmp_path / "victim"
    victim.write_text("not yours\n")
    victim.chmod(0o644)
    entry.unlink()
    entry.symlink_to(victim)
    lock = entry.with_suffix(".lock")
    lock.unlink()
    lock.symlink_to(victim)
    done = home.run("role", "deploy", "--shell", "sh")
    assert done.returncode == 0, done.stderr
    assert sts.actions() == ["AssumeRole", "AssumeRole"]  # a symlinked entry is a miss
    assert victim.read_text() == "not yours\n" and _mode(victim) == 0o644
    assert not entry.is_symlink() and json.loads(entry.read_text())["kind"] == "AssumeRole"
    assert not lock.is_symlink()


def test_a_cache_directory_others_can_write_is_refused_with_one_warning(role_home, sts, tmp_path):
    home = role_home
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    env = home.env(AWSENV_CACHE_DIR=str(shared))
    for _ in range(2):
        done = home.run("role", "deploy", "--shell", "sh", env=env)
        assert done.returncode == 0, done.stderr
        warnings = [line for line in done.stderr.splitlines() if "not caching" in line]
        assert len(warnings) == 1 and "writable by group or others" in warnings[0]
    assert sts.actions() == ["AssumeRole", "AssumeRole"]
    assert list(shared.iterdir()) == [] and _mode(shared) == 0o777


def test_a_cache_directory_owned_by_someone_else_or_a_symlink_is_refused(role_home, sts, tmp_path):
    home = role_home
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    if os.getuid() == 0:
        os.chown(theirs, 65534, 65534)
        done = home.run("role", "deploy", "--shell", "sh", env=home.env(AWSENV_CACHE_DIR=str(theirs)))
        assert done.returncode == 0 and "owned by uid 65534" in done.stderr
        assert list(theirs.iterdir()) == []
    link = tmp_path / "link"
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    link.symlink_to(mine)
    done = home.run("role", "deploy", "--shell", "sh", env=home.env(AWSENV_CACHE_DIR=str(link)))
    assert done.returncode == 0 and "not caching" in done.stderr and "not a plain directory" in done.stderr
    assert list(mine.iterdir()) == []


def test_truncated_or_unknown_version_entries_are_misses_and_get_overwritten(role_home, sts):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    entry = entries(home)["AssumeRole"]
    text = entry.read_text()
    good = json.loads(text)
    for broken in (text[: len(text) // 2], "", json.dumps({**good, "version": 99}), "[]", "null",
                   json.dumps({**good, "expiration": "2099-01-01T00:00:00"}),  # naive: whose clock?
                   json.dumps({**good, "credentials": {**good["credentials"], "AccessKeyId": 7}})):
        entry.write_text(broken)
        done = home.run("role", "deploy", "--shell", "sh")
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert json.loads(entry.read_text())["version"] == 1
    assert sts.actions() == ["AssumeRole"] * 8
