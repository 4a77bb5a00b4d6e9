"""A cache hit is served with little more than what the interpreter loads to start (no typer, click, boto3,
botocore, rich, keyring, dataclasses, enum, typing, inspect, re, json, hashlib or datetime), and prints the same
bytes as the full path; anything changed in the config falls through to the full path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pexpect

import pytest

from awsenv.shells.dialects import SHELL_NAMES
from tests.cache_entries import ROLE, drop_fast_index
from tests.helpers import AWSENV, parse_posix_exports

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parents[2]
# What pip (25 and later), pipx and uv put in bin/awsenv for the console script (older pip also imported `re`).
LAUNCHER = "import sys\nfrom awsenv.main import main\nif __name__ == '__main__':\n    sys.exit(main())\n"
# Modules a cache hit may import beyond those of the bare interpreter's start, and why:
ALLOWED = {
    "__future__",  # `from __future__ import annotations` executes this small module
    "awsenv", "awsenv.main", "awsenv.cli", "awsenv.cli.fast",  # the entry (packages are empty)
    "awsenv.cache", "awsenv.cache.index", "awsenv.cache.format", "awsenv.files", "awsenv.paths",  # the cache's format and location, read without writing
    "awsenv.jsonlite", "_json",  # the cache's JSON, through CPython's C scanner instead of json (which loads re, enum)
    "_sha256", "_sha2",  # the index's name, through the interpreter's own SHA-256 instead of hashlib's OpenSSL
    "awsenv.errors",  # the UsageError a bad AWSENV_MIN_TTL raises
    "awsenv.env", "awsenv.shells.output", "awsenv.shells", "awsenv.shells.dialects", "awsenv.shells.base",  # the one definition of the rendering
    "awsenv.shells.posix", "awsenv.shells.fish", "awsenv.shells.tcsh", "awsenv.shells.pwsh",  # only the dialect
    "awsenv.shells.json_output", "awsenv.shells.elvish", "awsenv.shells.xonsh", "awsenv.shells.cmd",  # asked for
    "awsenv.cache.eks_tokens", "awsenv.eks", "awsenv.eks.exec_credential",  # `eks token`: its cache, its rendering
}
FORBIDDEN = {"boto3", "botocore", "typer", "click", "rich", "keyring", "shellingham", "dataclasses", "enum", "typing",
             "inspect", "re", "json", "hashlib", "_hashlib", "datetime", "shlex", "shutil", "awsenv.model",
             "awsenv.config.profiles", "awsenv.cache.store", "awsenv.cli.full", "awsenv.cli.app", "awsenv.resolve"}


def _clean_python(*args: str) -> list[str]:
    """The interpreter as a non-editable install runs the console script: without the editable install's .pth
    (which imports re, enum and pathlib into every start of this virtualenv), awsenv from the source tree."""
    return [sys.executable, "-S", "-X", "importtime", *args]


def _clean_env(env: dict) -> dict:
    return {**env, "PYTHONPATH": os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]])}


def _imports(home, *args: str, **env: str) -> tuple[set[str], subprocess.CompletedProcess]:
    """The modules a run of `awsenv ARGS` imports (from -X importtime), and what it printed."""
    done = subprocess.run(_clean_python("-c", LAUNCHER, *args), env=_clean_env(home.env(**env)),
                          capture_output=True, text=True, timeout=60, start_new_session=True)
    return _modules(done.stderr), done


def _modules(importtime: str) -> set[str]:
    return set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", importtime, re.M))


def _at_start(home) -> set[str]:
    """What every start of the interpreter loads: `site` and its modules (os, stat, posixpath, …). Imported under -S,
    site loads them and processes no .pth file."""
    done = subprocess.run(_clean_python("-c", "import site"), env=_clean_env(home.env()), capture_output=True,
                          text=True, timeout=60)
    return _modules(done.stderr)


def _human(stderr: str) -> str:
    return "".join(line + "\n" for line in stderr.splitlines() if not line.startswith("import time:"))


def test_a_cache_hit_imports_only_what_it_needs(role_home, sts):
    home = role_home
    at_start = _at_start(home)
    for args in (("role", "deploy", "--shell", "bash"), ("credential-process", "deploy"),
                 ("export", "deploy", "--format", "json", "--no-browser"), ("export", "deploy", "--shell=pwsh"),
                 ("role", "deploy", "--shell", "tcsh", "--region", "ap-south-1")):
        cold, first = _imports(home, *args)
        assert first.returncode == 0, first.stderr
        if args[0] == "role" and "--region" not in args:
            assert {"botocore", "dataclasses", "typing"} <= cold  # the detector sees them when they are there
        warm, second = _imports(home, *args)
        assert second.returncode == 0, second.stderr
        assert "awsenv.cli.fast" in warm
        assert not warm & FORBIDDEN, sorted(warm & FORBIDDEN)
        assert not warm - at_start - ALLOWED, sorted(warm - at_start - ALLOWED)
        assert second.stdout == first.stdout
    assert sts.actions() == ["AssumeRole"]  # credential-process and export share the role's entry and index


def test_an_eks_token_cache_hit_imports_only_what_it_needs(role_home, sts):
    home = role_home
    at_start = _at_start(home)
    exec_info = '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{}}'
    for args, env, signed in ((("eks", "token", "deploy", "--cluster", "alpha"), {}, True),
                              (("eks", "token", "deploy", "--cluster=alpha", "--region", "eu-west-1"), {}, True),
                              (("eks", "token", "deploy", "--cluster", "alpha"), {"KUBERNETES_EXEC_INFO": exec_info},
                               False)):  # the same token, another apiVersion: a hit at once
        cold, first = _imports(home, *args, **env)
        assert first.returncode == 0, first.stderr
        assert ("awsenv.resolve.obtain" in cold) == signed
        assert ('"apiVersion": "client.authentication.k8s.io/v1"' in first.stdout) == bool(env)
        warm, second = _imports(home, *args, **env)
        assert second.returncode == 0, second.stderr
        assert "awsenv.cli.fast" in warm and "awsenv.eks.token" not in warm
        assert not warm & FORBIDDEN, sorted(warm & FORBIDDEN)
        assert not warm - at_start - ALLOWED, sorted(warm - at_start - ALLOWED)
        assert second.stdout == first.stdout and _human(second.stderr) == ""
    assert sts.actions() == ["AssumeRole"]


TRICKY = "it's $deploy"  # a profile name each dialect must quote
DIALECT_OPTIONS = [("--shell", name) for name in SHELL_NAMES] + [("--format", "json")]


def _full(home, args: tuple, env: dict):
    """The same request answered without the index: the simple form's own path (config, plan, engine's cache)."""
    drop_fast_index(home)
    return home.run(*args, env=home.env(**env))


def _through_typer(home, args: tuple, env: dict):
    """The same request through the Typer application: `--` before the profile is a form only Typer parses."""
    return home.run(*args[:1], *args[2:], "--", args[1], env=home.env(**env))


def test_fast_and_full_paths_print_the_same_bytes_in_every_dialect(role_home, sts):
    home = role_home
    home.write_config(home.config.read_text() + f'[profile "{TRICKY}"]\nrole_arn = {ROLE}\nsource_profile = base\n')
    cases = [(("role", TRICKY, *option), {}) for option in DIALECT_OPTIONS] + [
        (("export", "deploy", "--shell=tcsh", "--region", "ap-south-1"), {}),
        (("role", "deploy", "--format", "json"), {"AWSENV_PROFILE": "other"}),  # "replacing … 'other'" on stderr
        (("role", "deploy", "--shell", "sh"), {"SHELL": "/usr/bin/fish"}),
        (("credential-process", "deploy"), {}),
        (("credential-process", TRICKY, "--shell", "fish"), {}),
    ]
    for args, env in cases:
        full = _full(home, args, env)
        assert full.returncode == 0 and full.stdout, (args, full.stderr)
        modules, fast = _imports(home, *args, **env)
        assert "awsenv.cli.fast" in modules and "awsenv.resolve.obtain" not in modules, args  # served from the index
        assert (fast.returncode, fast.stdout, _human(fast.stderr)) == (full.returncode, full.stdout, full.stderr)
    for args, env in cases[:1] + cases[-4:]:
        assert _through_typer(home, args, env) == _full(home, args, env), args
    assert sts.actions() == ["AssumeRole", "AssumeRole"]  # one per profile


def test_a_value_a_dialect_cannot_hold_is_refused_alike_on_every_path(role_home, sts):
    home = role_home
    bad = "100%!"  # cmd.exe expands % and ! even inside quotes
    home.write_config(home.config.read_text() + f"[profile {bad}]\nrole_arn = {ROLE}\nsource_profile = base\n")
    assert home.run("role", bad, "--shell", "sh").returncode == 0  # recorded in the index
    args = ("role", bad, "--shell", "cmd")
    modules, fast = _imports(home, *args)
    assert "awsenv.cli.fast" in modules
    full, typer_path = _full(home, args, {}), _through_typer(home, args, {})
    assert (fast.returncode, fast.stdout, _human(fast.stderr)) == (full.returncode, full.stdout, full.stderr)
    assert typer_path == full and full.returncode == 2 and full.stdout == "" and "cmd.exe" in full.stderr


def test_replacing_message_and_terminal_refusal_match(role_home, sts):
    home = role_home
    assert home.run("role", "deploy").returncode == 0
    outputs = []
    for drop in (True, False):
        if drop:
            drop_fast_index(home)
        child = pexpect.spawn(AWSENV, ["role", "deploy", "--shell", "bash"], env=home.env(AWSENV_PROFILE="old"),
                              encoding="utf-8", timeout=30)
        text = child.read()
        child.close()
        outputs.append((child.exitstatus, text))
    assert outputs[0] == outputs[1]
    assert "not printing credentials to the terminal" in outputs[0][1]
    assert "replacing" not in outputs[0][1]  # nothing is printed, so nothing of profile 'old' is replaced
    assert "AWS_SECRET_ACCESS_KEY" not in outputs[0][1]


def test_an_edited_config_falls_through_to_the_full_path(role_home, sts):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    home.write_config(home.config.read_text().replace("eu-west-1", "eu-north-1"))
    modules, done = _imports(home, "role", "deploy", "--shell", "sh")
    assert "awsenv.resolve.obtain" in modules and done.returncode == 0
    assert parse_posix_exports(done.stdout)["AWS_REGION"] == "eu-north-1"
    # The credentials file counts too: a profile that stops being a role is not served as one.
    home.write_config("[profile deploy]\nregion = eu-west-1\n")
    done = home.run("role", "deploy", "--shell", "sh")
    assert done.returncode == 2 and done.stdout == ""
    assert sts.actions() == ["AssumeRole"]


def test_unusual_invocations_fall_through(role_home, sts):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    for args in (("role", "deploy", "--shell", "sh", "--no-cache"), ("--debug", "role", "deploy", "--shell", "sh"),
                 ("role", "deploy", "--shell", "nope"), ("role", "deploy", "extra", "--shell", "sh")):
        modules, done = _imports(home, *args)
        assert "awsenv.resolve.obtain" in modules, args
    assert done.returncode == 2 and done.stdout == ""


def test_a_reader_that_went_away_ends_a_run_quietly(role_home, sts):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    # A cache hit; the simple form's full path (nothing recorded for credential-process yet); the same through Typer.
    for args in (("role", "deploy", "--shell", "sh"), ("credential-process", "deploy"),
                 ("credential-process", "--", "deploy")):
        proc = subprocess.Popen([AWSENV, *args], env=home.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        proc.stdout.close()  # before the child writes: its write fails with EPIPE
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=30) == 1
        assert "Traceback" not in err and "Exception" not in err
