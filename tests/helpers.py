"""Shared test helpers: run the installed CLI, write AWS config files, make MFA codes, find real binaries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

import pytest

from tests import inprocess

TOTP_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MFA_SERIAL = "arn:aws:iam::123456789012:mfa/alice"
BASE_KEY_ID = "AKIAIOSFODNN7BASEKEY"
AWSENV = inprocess.BINARY  # the installed binary the tests start
FAST_TIER = False  # set by tests/conftest.py when the run deselects the `process` mark (`make test-fast`)


def refuse_process_in_fast_tier() -> None:
    """In the fast tier a test that starts the awsenv binary but is not marked `process` is skipped, not run slowly:
    mark it (`pytestmark = pytest.mark.process`), or mark it `in_process` so `AwsHome.run` calls awsenv here."""
    if FAST_TIER:
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
        pytest.skip(f"{test} starts the awsenv binary without the `process` mark: runs in `make test`")


def need_binary(name: str, path: Optional[str] = None) -> str:
    """The path of a real binary; in CI a missing one fails the test instead of skipping it."""
    found = path if path and os.access(path, os.X_OK) else shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not installed: the test command must install it")
    pytest.skip(f"{name} is not installed")


def aws_cli_v2() -> str:
    """Debian's AWS CLI v2 (a pip-installed v1 may shadow it on PATH)."""
    return need_binary("aws (Debian AWS CLI v2)", "/usr/bin/aws")


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class AwsHome:
    """An isolated HOME with its own AWS config, credentials file and awsenv cache."""

    root: Path
    sts_url: str
    in_process: bool = False  # `run` calls awsenv inside the test process (tests.inprocess) instead of the binary

    @property
    def config(self) -> Path:
        return self.root / ".aws" / "config"

    @property
    def credentials(self) -> Path:
        return self.root / ".aws" / "credentials"

    @property
    def cache(self) -> Path:
        return self.root / ".cache" / "awsenv"

    def write_config(self, text: str) -> None:
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.write_text(textwrap.dedent(text))

    def write_credentials(self, text: str) -> None:
        self.credentials.parent.mkdir(parents=True, exist_ok=True)
        self.credentials.write_text(textwrap.dedent(text))

    def write_base_keys(self) -> None:
        """[base]: the long-lived IAM user keys most role tests start from."""
        self.write_credentials(f"[base]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = base/secret+key\n")

    def env(self, **extra: str) -> dict[str, str]:
        # No display either: with no terminal, awsenv would ask for an MFA code in a desktop dialog.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS", "AWSENV")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(
            HOME=str(self.root),
            AWS_CONFIG_FILE=str(self.config),
            AWS_SHARED_CREDENTIALS_FILE=str(self.credentials),
            AWSENV_CACHE_DIR=str(self.cache),
            AWSENV_DATA_DIR=str(self.root / ".local" / "share" / "awsenv"),
            AWS_ENDPOINT_URL_STS=self.sts_url,
            AWS_EC2_METADATA_DISABLED="true",
        )
        env.update(extra)
        return env

    def run(self, *args: str, env: Optional[Mapping[str, str]] = None, input: Optional[str] = None,
            timeout: float = 60, cwd: Optional[str] = None) -> Completed:
        """`awsenv ARGS` with no controlling terminal: in this process when the test is marked `in_process` (and the
        command can run here, see tests.inprocess), else the installed binary as a subprocess in a new session."""
        if not self.in_process:
            return self.spawn(*args, env=env, input=input, timeout=timeout, cwd=cwd)
        if inprocess.can_run_here(list(args)):
            return self.call(*args, env=env, input=input, cwd=cwd)
        return self._start(list(args), env, input, timeout, cwd)  # exec, shell, or a terminal this process keeps

    def call(self, *args: str, env: Optional[Mapping[str, str]] = None, input: Optional[str] = None,
             cwd: Optional[str] = None) -> Completed:
        """`awsenv ARGS` inside this process (tests.inprocess), whatever the test's marks."""
        return Completed(*inprocess.run(list(args), dict(env or self.env()), input, cwd or str(self.root)))

    def spawn(self, *args: str, env: Optional[Mapping[str, str]] = None, input: Optional[str] = None,
              timeout: float = 60, cwd: Optional[str] = None) -> Completed:
        """The installed `awsenv` as a subprocess, in a new session: no controlling terminal."""
        refuse_process_in_fast_tier()
        return self._start(list(args), env, input, timeout, cwd)

    def _start(self, args: list[str], env: Optional[Mapping[str, str]], input: Optional[str], timeout: float,
               cwd: Optional[str]) -> Completed:
        done = subprocess.run([AWSENV, *args], env=dict(env or self.env()), input=input, capture_output=True,
                              text=True, timeout=timeout, start_new_session=True, cwd=cwd or str(self.root))
        return Completed(done.returncode, done.stdout, done.stderr)

    def mfa_process(self, seed: str = TOTP_SEED) -> str:
        """A command for `mfa_process` that prints the seed's current code and counts its runs."""
        script = self.root / "mfa_code.py"
        script.write_text(textwrap.dedent(f"""\
            import pyotp, sys
            with open({str(self.root / 'mfa_runs')!r}, "a") as log:
                log.write("run\\n")
            print(pyotp.TOTP({seed!r}).now())
            """))
        return f"{sys.executable} {script}"

    def mfa_runs(self) -> int:
        path = self.root / "mfa_runs"
        return len(path.read_text().splitlines()) if path.exists() else 0


def run_parallel(env: Mapping[str, str], count: int, *args: str, cwd: str) -> list[subprocess.CompletedProcess]:
    """`count` copies of `awsenv ARGS` started at once, each in its own session (no terminal); their results."""
    refuse_process_in_fast_tier()
    procs = [subprocess.Popen([AWSENV, *args], env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, stdin=subprocess.DEVNULL, start_new_session=True, cwd=cwd)
             for _ in range(count)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def parse_posix_exports(text: str) -> dict[str, str]:
    """The variables a POSIX export script sets, read back through a real sh."""
    done = subprocess.run(["sh", "-c", text + '\nenv -0'], capture_output=True, env={"PATH": os.environ["PATH"]})
    assert done.returncode == 0, done.stderr
    pairs = [item.split(b"=", 1) for item in done.stdout.split(b"\0") if b"=" in item]
    return {k.decode(): v.decode() for k, v in pairs}


def awsenv_for_anyone(directory: Path) -> list[str]:
    """The command that runs this checkout's awsenv as any user (`nobody`): the checkout and its virtualenv may sit
    under a private (0700) directory, as a clone in a home directory does, so awsenv and the packages it depends on
    are placed in `directory` (world-readable, as are its parents) and run by a Python any user can execute."""
    import awsenv

    python = _python_for_anyone()
    site = directory / "site-packages"
    package = Path(awsenv.__file__).parent
    for source in package.rglob("*"):
        if source.is_file() and "__pycache__" not in source.parts:
            _place(source, site / "awsenv" / source.relative_to(package))
    for dist in _requirements("awsenv-sts"):
        for file in dist.files or []:
            source = Path(dist.locate_file(file)).resolve()
            if source.is_file() and not {"__pycache__", ".."} & set(file.parts):
                _place(source, site / file)
    launcher = directory / "awsenv"
    launcher.write_text(f"import sys\nsys.path.insert(0, {str(site)!r})\nfrom awsenv.main import main\nmain()\n")
    launcher.chmod(0o644)
    for folder in (directory, *(path for path in directory.rglob("*") if path.is_dir())):
        folder.chmod(0o755)
    assert _open_to_anyone(directory), f"{directory} is not reachable by every user"
    return [python, "-I", "-S", str(launcher)]  # isolated: no user or system site-packages, only the copy


def _python_for_anyone() -> str:
    """This Python's interpreter if every user can run it, else the system's of the same version."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (os.path.realpath(sys.executable), os.path.realpath(getattr(sys, "_base_executable", "")),
                      shutil.which(version, path="/usr/local/bin:/usr/bin:/bin") or ""):
        if candidate and os.path.basename(candidate).startswith(version) and _open_to_anyone(Path(candidate)):
            prefix = subprocess.run([candidate, "-I", "-S", "-c", "import sys; print(sys.base_prefix)"],
                                    capture_output=True, text=True).stdout.strip()
            if prefix and _open_to_anyone(Path(prefix) / "lib" / version):
                return candidate
    message = f"no {version} that every user can run (this one is {sys.executable})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _open_to_anyone(path: Path) -> bool:
    """`path` can be read (a directory: listed) by any user, and so can be reached through each parent."""
    for parent in path.parents:
        if not os.stat(parent).st_mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o004)


def _requirements(name: str, found: Optional[dict] = None) -> list:
    """The installed distribution `name` (without it) and everything it requires, extras left out."""
    import importlib.metadata
    import re

    found = {} if found is None else found
    for requirement in importlib.metadata.distribution(name).requires or []:
        if "extra ==" in requirement:
            continue
        wanted = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
        key = re.sub(r"[-_.]+", "-", wanted).lower()
        if key not in found:
            try:
                found[key] = importlib.metadata.distribution(wanted)
            except importlib.metadata.PackageNotFoundError:  # an environment marker excluded it
                continue
            _requirements(wanted, found)
    return list(found.values())


def _place(source: Path, target: Path) -> None:
    """`source` at `target`, readable by anyone: a hard link when it already is and the file system allows (cheap;
    its mode is left alone), else a copy made readable."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.stat(source).st_mode & 0o004:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copyfile(source, target)
    target.chmod(0o644)
