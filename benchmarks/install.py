"""Install awsenv as a user does: build a wheel of this checkout and install it, not editable, into a throwaway
virtualenv the way pipx does (a current pip, no setuptools in the virtualenv), so that neither the editable
install's import hook nor an old launcher script is measured."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"benchmarks: {what} failed:\n{done.stdout[-2000:]}")


def base_python() -> str:
    """The interpreter this virtualenv was made from: a fresh virtualenv starts from the same one."""
    return getattr(sys, "_base_executable", None) or sys.executable


def install(directory: Path) -> Path:
    """A fresh virtualenv under `directory` holding the wheel of this checkout; the path of its python."""
    shutil.rmtree(directory, ignore_errors=True)
    dist, venv = directory / "dist", directory / "venv"
    print("benchmarks: building the wheel", file=sys.stderr)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)], "building the wheel")
    wheel = next(dist.glob("awsenv_sts-*.whl"))
    print(f"benchmarks: installing {wheel.name} into a throwaway virtualenv ({venv})", file=sys.stderr)
    _run([base_python(), "-m", "venv", str(venv)], "creating the virtualenv")
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "-q", "--disable-pip-version-check"]
    # pipx keeps its pip current; since pip 25 the console script it writes no longer imports `re`.
    _run([*pip, "install", "--upgrade", "pip"], "upgrading pip")
    _run([*pip, "install", str(wheel)], "installing the wheel")
    # A pipx virtualenv has no setuptools, whose distutils-precedence.pth would run at every interpreter start.
    _run([*pip, "uninstall", "-y", "setuptools"], "removing setuptools")
    return python
