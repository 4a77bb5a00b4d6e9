"""The shell integration ships inside the package: the build of the repository carries the files of `shell/`
unchanged, and `awsenv init` prints exactly them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import AWSENV

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parents[2]
SHELL_FILES = sorted(p.name for p in (REPO / "shell").iterdir() if p.name.startswith("awsenv."))


def test_the_build_carries_every_shell_file_unchanged(tmp_path):
    """setuptools' own build of a copy of the repository (what a wheel is made from; offline, no `wheel` needed)."""
    source = tmp_path / "src"
    shutil.copytree(REPO, source, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".pytest_cache",
                                                  ".hypothesis", "tests"))
    done = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py",
                           "--build-lib", str(tmp_path / "lib")], cwd=str(source), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    shipped_dir = tmp_path / "lib" / "awsenv" / "shell_init"
    assert not shipped_dir.is_symlink()
    assert sorted(p.name for p in shipped_dir.iterdir()) == SHELL_FILES
    for name in SHELL_FILES:
        assert (shipped_dir / name).read_bytes() == (REPO / "shell" / name).read_bytes(), name


@pytest.mark.parametrize("shell, file", [("bash", "awsenv.bash"), ("sh", "awsenv.bash"), ("ksh", "awsenv.bash"),
                                         ("zsh", "awsenv.zsh"), ("fish", "awsenv.fish"), ("pwsh", "awsenv.ps1"),
                                         ("nu", "awsenv.nu"), ("elvish", "awsenv.elv"), ("xonsh", "awsenv.xsh")])
def test_init_prints_the_shipped_file(shell, file):
    done = subprocess.run([AWSENV, "init", shell], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (REPO / "shell" / file).read_text()


def test_init_tcsh_is_an_alias_sourcing_the_shipped_script():
    done = subprocess.run([AWSENV, "init", "tcsh"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    prefix, rest = done.stdout.split("'source \"", 1)
    assert prefix == "alias awsenv "
    path = rest.split('"', 1)[0]
    assert Path(path).read_text() == (REPO / "shell" / "awsenv.tcsh").read_text()


@pytest.mark.parametrize("shell", ["cmd", "klingon"])
def test_init_for_a_shell_without_integration_is_a_usage_error(shell):
    done = subprocess.run([AWSENV, "init", shell], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert shell in done.stderr or "cmd.exe" in done.stderr
