"""The cache on disk: private modes whatever the umask, stale temporary files removed (unsafe places and corrupt
entries: tests/reliability/test_b_file_safety.py)."""

from __future__ import annotations

import os
import stat
import subprocess

from tests.cache_entries import entries
from tests.helpers import AWSENV


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_modes_under_umask_000_on_a_fresh_home(role_home, sts):
    home = role_home
    env = home.env()
    del env["AWSENV_CACHE_DIR"]  # the default place: ~/.cache/awsenv, with ~/.cache created by awsenv
    for args in (("role", "deploy", "--shell", "sh"), ("credential-process", "deploy")):
        done = subprocess.run(["sh", "-c", 'umask 000; exec "$@"', "sh", AWSENV, *args], env=env,
                              capture_output=True, text=True, timeout=60, start_new_session=True)
        assert done.returncode == 0, done.stderr
    cache = home.root / ".cache" / "awsenv"
    assert _mode(home.root / ".cache") == 0o700 and _mode(cache) == 0o700 and _mode(cache / "fast") == 0o700
    written = [p for p in cache.rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".json", ".lock"} and len(list((cache / "fast").iterdir())) == 2  # role, export
    for path in written:
        assert _mode(path) == 0o600, path
    assert not [p for p in cache.rglob("*.tmp")]


def test_temporary_files_a_killed_writer_left_are_removed_by_the_next_write(role_home, sts):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    stale, fresh = home.cache / ".awsenv-killed.tmp", home.cache / ".awsenv-writing.tmp"
    for path in (stale, fresh):
        path.write_text("half an entry")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    entries(home)["AssumeRole"].unlink()
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0  # writes the entry again
    assert not stale.exists() and fresh.exists()  # a fresh one may belong to a writer still at work
