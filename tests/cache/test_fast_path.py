"""A cache hit is served before typer, click, boto3, botocore's session, rich or keyring load, and prints the same
bytes as the full path; anything changed in the config falls through to the full path."""

from __future__ import annotations

import re
import subprocess
import sys

import pexpect

from tests.cache_entries import drop_fast_index
from tests.helpers import AWSENV, parse_posix_exports


def _imports(home, *args: str, **env: str) -> tuple[set[str], subprocess.CompletedProcess]:
    """The modules a run imports (from -X importtime), and what it printed."""
    done = subprocess.run([sys.executable, "-X", "importtime", AWSENV, *args], env=home.env(**env),
                          capture_output=True, text=True, timeout=60, start_new_session=True)
    modules = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", done.stderr, re.M))
    return modules, done


def _human(stderr: str) -> str:
    return "".join(line + "\n" for line in stderr.splitlines() if not line.startswith("import time:"))


def test_a_cache_hit_imports_nothing_heavy(role_home, sts):
    home = role_home
    for args in (("role", "deploy", "--shell", "bash"), ("credential-process", "deploy"),
                 ("export", "deploy", "--format", "json", "--no-browser")):
        cold, first = _imports(home, *args)
        assert first.returncode == 0, first.stderr
        if args[0] == "role":
            assert {"typer", "botocore"} <= cold  # the detector sees them when they are there
        warm, second = _imports(home, *args)
        assert second.returncode == 0, second.stderr
        assert "awsenv.fastpath" in warm
        heavy = {name for name in warm if name.split(".")[0] in ("boto3", "rich", "keyring", "typer", "click")
                 or name == "botocore.session"}
        assert not heavy, sorted(heavy)
        assert second.stdout == first.stdout
    assert sts.actions() == ["AssumeRole"]  # credential-process and export share the role's entry and index


def test_fast_and_full_paths_print_the_same_bytes(role_home, sts):
    home = role_home
    cases = [
        (("role", "deploy", "--shell", "fish"), {}),
        (("export", "deploy", "--shell=tcsh", "--region", "ap-south-1"), {}),
        (("role", "deploy", "--format", "json"), {"AWSENV_PROFILE": "other"}),  # "replacing … 'other'" on stderr
        (("role", "deploy", "--shell", "sh"), {"SHELL": "/usr/bin/fish"}),
        (("credential-process", "deploy"), {}),
    ]
    for args, env in cases:
        full = home.run(*args, env=home.env(**env))  # cold, or with the index dropped: the full path
        drop_fast_index(home)
        full = home.run(*args, env=home.env(**env))
        modules, fast = _imports(home, *args, **env)
        assert "typer" not in modules, args
        assert (fast.returncode, fast.stdout, _human(fast.stderr)) == (full.returncode, full.stdout, full.stderr)


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
    assert "replacing the credentials of profile 'old'" in outputs[0][1]
    assert "not printing credentials to the terminal" in outputs[0][1]
    assert "AWS_SECRET_ACCESS_KEY" not in outputs[0][1]


def test_an_edited_config_falls_through_to_the_full_path(role_home, sts):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    home.write_config(home.config.read_text().replace("eu-west-1", "eu-north-1"))
    modules, done = _imports(home, "role", "deploy", "--shell", "sh")
    assert "typer" in modules and done.returncode == 0
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
        assert "typer" in modules, args
    assert done.returncode == 2 and done.stdout == ""


def test_a_reader_that_went_away_ends_a_cache_hit_quietly(role_home, sts):
    home = role_home
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0
    for args in (("role", "deploy", "--shell", "sh"), ("credential-process", "deploy")):
        proc = subprocess.Popen([AWSENV, *args], env=home.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        proc.stdout.close()  # before the child writes: its write fails with EPIPE
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=30) == 1
        assert "Traceback" not in err and "Exception" not in err
