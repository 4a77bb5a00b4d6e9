"""`make install` as the README gives it, for a user with no pipx: awsenv lands in a virtualenv of its own under
~/.local/share/awsenv, linked as ~/.local/bin/awsenv; the note it prints names the one line that puts ~/.local/bin
on PATH, and with that line in ~/.profile a new login shell finds `awsenv`. `make uninstall` takes it all away and
leaves awsenv's data (stored keys' index) alone.

Network-free: pip installs this checkout with --no-deps and without build isolation (the build backend, setuptools,
comes from this test run's own virtualenv through PYTHONPATH), with no package index at all; the installed
virtualenv then reaches its dependencies (Typer, boto3, …) through a .pth line naming this test run's site-packages.
The install of dependencies from the index is what tests/release/test_wheel_install.py covers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from awsenv import __version__

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parents[2]


def _path_without_pipx() -> str:
    kept = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not os.access(os.path.join(d, "pipx"), os.X_OK)]
    path = os.pathsep.join(kept)
    for needed in ("make", "bash"):
        assert shutil.which(needed, path=path), f"{needed} is not on PATH once the pipx directories are left out"
    return path


def _run(argv: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, cwd=str(cwd), capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def _login_shell(home: Path, script: str) -> subprocess.CompletedProcess:
    """A new login shell of a user whose HOME is `home`, started with an empty environment."""
    return subprocess.run(["env", "-i", f"HOME={home}", "bash", "-lc", script], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, cwd=str(home))


@pytest.fixture
def checkout(tmp_path) -> Path:
    source = tmp_path / "awsenv"
    shutil.copytree(REPO, source, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                                  ".pytest_cache", ".hypothesis", "tests", "benchmarks"))
    return source


def test_make_install_puts_awsenv_on_a_new_login_shells_path_and_make_uninstall_removes_it(checkout, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    site_packages = sysconfig.get_paths()["purelib"]
    env = {
        "HOME": str(home),
        "PATH": _path_without_pipx(),
        "LANG": "C.UTF-8",
        "PYTHON": getattr(sys, "_base_executable", None) or sys.executable,
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_INSTALL_ARGS": "--no-deps --no-build-isolation",
        "PYTHONPATH": site_packages,  # the build backend, for the install only
    }
    installed = _run(["make", "install"], env, checkout)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    venv = home / ".local" / "share" / "awsenv" / "venv"
    link = home / ".local" / "bin" / "awsenv"
    assert link.is_symlink() and Path(os.readlink(link)) == venv / "bin" / "awsenv"
    assert "(pipx not found)" in installed.stdout
    assert not (checkout / "build").exists()  # built from a clean copy: nothing left, nothing stale taken in

    # the dependencies, without an index: this test run's own site-packages, after the virtualenv's own
    (pth,) = venv.glob("lib/python*/site-packages")
    (pth / "zz_test_dependencies.pth").write_text(site_packages + "\n")
    where = _run([str(venv / "bin" / "python"), "-c", "import awsenv; print(awsenv.__file__)"], {"HOME": str(home)},
                 home)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr  # not this checkout

    before = _login_shell(home, "awsenv --version")
    assert before.returncode == 127, before  # ~/.local/bin is not on a fresh login shell's PATH here...

    lines = [line.strip() for line in installed.stdout.splitlines() if line.strip().startswith("export PATH=")]
    assert len(lines) == 1, installed.stdout  # ...and the note says which line to add, and where
    assert "~/.profile" in installed.stdout
    (home / ".profile").write_text(lines[0] + "\n")

    after = _login_shell(home, "awsenv --version && command -v awsenv")
    assert after.returncode == 0, after.stderr
    assert after.stdout.splitlines() == [f"awsenv {__version__}", str(link)]

    keys_index = venv.parent / "keys.json"
    keys_index.write_text("{}")
    removed = _run(["make", "uninstall"], env, checkout)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not link.exists() and not link.is_symlink() and not venv.exists()
    assert keys_index.read_text() == "{}"  # awsenv's own data stays
    gone = _login_shell(home, "awsenv --version")
    assert gone.returncode == 127, gone
