"""The release as users get it: `python -m build` makes an sdist and, from that sdist, a wheel; the wheel installs
into a fresh virtualenv with its dependencies from the package index, and the `awsenv` it installs runs a real flow.

Built once per test run (the sdist and the wheel are shared by the tests of this module)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from awsenv import __version__
from tests.helpers import MFA_SERIAL, TOTP_SEED, need_binary, parse_posix_exports
from tests.release.test_demo import check_claims, run_demo
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parents[2]
DIST_NAME = "awsenv-sts"  # `awsenv` on the public index is an unrelated project
SHELL_FILES = sorted(p.name for p in (REPO / "shell").iterdir() if p.name.startswith("awsenv."))
PROD = "arn:aws:iam::111111111111:role/prod-admin"


def _run(argv: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """`python -m build` of a clean copy of this checkout (no egg-info or build directory left by an earlier build
    or an editable install): the sdist, then the wheel built from the unpacked sdist."""
    source, out = tmp_path_factory.mktemp("source") / "awsenv", tmp_path_factory.mktemp("dist")
    shutil.copytree(REPO, source, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                                  ".pytest_cache", ".hypothesis"))
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(source)], "python -m build")
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    wheels = list(dist.glob("*.whl"))
    assert [w.name for w in wheels] == [f"awsenv_sts-{__version__}-py3-none-any.whl"]
    return wheels[0]


@pytest.fixture(scope="module")
def sdist(dist) -> Path:
    sdists = list(dist.glob("*.tar.gz"))
    assert [s.name for s in sdists] == [f"awsenv_sts-{__version__}.tar.gz"]
    return sdists[0]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel installed the way `pip install awsenv-sts` would: dependencies included."""
    venv = tmp_path_factory.mktemp("venv")
    base = getattr(sys, "_base_executable", None) or sys.executable
    _run([base, "-m", "venv", str(venv)], "creating the virtualenv")
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
         "installing the wheel")
    return venv


def test_the_wheel_carries_the_shell_files_readme_and_license(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in SHELL_FILES:
            assert archive.read(f"awsenv/shell_init/{name}") == (REPO / "shell" / name).read_bytes(), name
        info = f"awsenv_sts-{__version__}.dist-info"
        metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert metadata["Name"] == DIST_NAME and metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT" and metadata.get_all("License-File") == ["LICENSE"]
    assert f"{info}/licenses/LICENSE" in names
    assert metadata.get_payload() == (REPO / "README.md").read_text()  # the README is the long description
    assert "awsenv = awsenv.main:main" in entry_points
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "scripts/"))]


def test_the_sdist_holds_what_a_rebuild_needs(sdist):
    """The wheel above was built from this sdist, unpacked on its own: it holds the sources, the README and the
    license, and the shell files as regular files where the package expects them (the checkout's symlink resolved)."""
    root = f"awsenv_sts-{__version__}/"
    with tarfile.open(sdist) as archive:
        names = {m.name.removeprefix(root) for m in archive.getmembers()}
        for needed in ["pyproject.toml", "README.md", "LICENSE", "awsenv/__init__.py", "awsenv/main.py",
                       "awsenv/cli/app.py", "awsenv/shells/dialects.py"]:
            assert needed in names, needed
        for name in SHELL_FILES:
            member = archive.getmember(f"{root}awsenv/shell_init/{name}")
            assert member.isfile() and archive.extractfile(member).read() == (REPO / "shell" / name).read_bytes()
    assert not [n for n in names if n.startswith(("tests/", ".venv/", ".git"))]


def test_the_installed_command_runs_from_a_fresh_virtualenv(installed, home, sts):
    awsenv = str(installed / "bin" / "awsenv")
    env = home.env()
    env.pop("PYTHONPATH", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([awsenv, *args], env=env, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL, start_new_session=True, cwd=str(home.root))

    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import awsenv, importlib.metadata as m; print(awsenv.__file__); print(m.version('awsenv-sts'))"],
                           env=env, capture_output=True, text=True, timeout=60, cwd=str(home.root))
    assert where.returncode == 0, where.stderr
    module_file, dist_version = where.stdout.split()
    assert Path(module_file).is_relative_to(installed) and dist_version == __version__  # not this checkout

    version = run("--version")
    assert (version.returncode, version.stdout) == (0, f"awsenv {__version__}\n"), version.stderr

    init = run("init", "bash")
    assert init.returncode == 0, init.stderr
    assert init.stdout == (REPO / "shell" / "awsenv.bash").read_text()

    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[PROD] = RoleRule(external_id="prod-ext-7", require_mfa=True)
    home.write_base_keys()
    home.write_config(f"""\
        [profile base]
        region = us-east-1
        [profile prod]
        role_arn = {PROD}
        source_profile = base
        external_id = prod-ext-7
        mfa_serial = {MFA_SERIAL}
        mfa_process = {home.mfa_process()}
        region = eu-central-1
        """)
    done = run("role", "prod", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    assert sts.actions() == ["GetSessionToken", "AssumeRole"] and home.mfa_runs() == 1
    exported = parse_posix_exports(done.stdout)
    assert exported["AWS_ACCESS_KEY_ID"] == sts.calls[-1].issued
    assert exported["AWS_REGION"] == "eu-central-1" and exported["AWSENV_PROFILE"] == "prod"


def test_the_demo_runs_with_only_the_wheel_installed(installed):
    """`make demo` without the test dependencies: the fresh virtualenv has awsenv and its dependencies alone."""
    need_binary("bash")
    python = str(installed / "bin" / "python")
    for missing in ("moto", "pyotp", "pytest"):
        probe = subprocess.run([python, "-c", f"import {missing}"], capture_output=True)
        assert probe.returncode != 0, f"{missing} is installed in the release virtualenv"
    check_claims(run_demo(python, str(installed / "bin")))
