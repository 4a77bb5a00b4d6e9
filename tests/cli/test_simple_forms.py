"""The simple forms of the most used commands run without the CLI framework and answer exactly as the Typer
application does; every other form still reaches Typer (its help, its usage errors)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.cache_entries import ROLE
from tests.helpers import AWSENV

pytestmark = pytest.mark.process


def _run(home, *args: str) -> tuple[set[str], tuple[int, str, str]]:
    """The modules a run imported (from -X importtime) and (exit status, stdout, stderr without the timings)."""
    done = subprocess.run([sys.executable, "-X", "importtime", AWSENV, *args], env=home.env(), capture_output=True,
                          text=True, timeout=60, start_new_session=True, cwd=str(home.root))
    modules = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", done.stderr, re.M))
    stderr = "".join(line + "\n" for line in done.stderr.splitlines() if not line.startswith("import time:"))
    return modules, (done.returncode, done.stdout, stderr)


def _steady(out: tuple[int, str, str]) -> tuple[int, str, str]:
    """The output with `list --json`'s seconds_left blanked: two runs a second apart differ there, and only there."""
    status, stdout, stderr = out
    return status, re.sub(r'"seconds_left": \d+', '"seconds_left": N', stdout), stderr


def _config(home) -> None:
    home.write_base_keys()
    home.write_config(f"""\
        [profile base]
        region = us-east-1
        [profile deploy]
        role_arn = {ROLE}
        source_profile = base
        region = eu-west-1
        [profile broken]
        role_arn = {ROLE}
        source_profile = nowhere
        """)


def test_explain_and_list_answer_alike_without_typer(home, sts):
    _config(home)
    assert home.run("role", "deploy", "--shell", "sh").returncode == 0  # something cached to show
    pairs = [
        (("explain", "deploy"), ("explain", "--", "deploy")),
        (("explain", "deploy", "--json", "--duration=2h", "--region", "ap-south-1"),
         ("explain", "--json", "--duration", "2h", "--region", "ap-south-1", "--", "deploy")),
        (("explain", "broken"), ("explain", "--", "broken")),  # a config error: same message, same status
        (("explain", "nosuch"), ("explain", "--", "nosuch")),
        (("explain", "deploy", "--duration", "13h"), ("explain", "--duration", "13h", "--", "deploy")),
        (("list",), ("list", "--json", "--json")),  # a repeated flag is Typer's to parse
        (("list", "--json"), ("list", "--json", "--json")),
    ]
    for simple, typer_form in pairs:
        modules, simple_out = _run(home, *simple)
        assert "typer" not in modules and "awsenv.commands.inspect" in modules, simple
        modules, typer_out = _run(home, *typer_form)
        assert "typer" in modules, typer_form
        if simple == ("list",):
            assert simple_out[0] == 0 and "deploy" in simple_out[1] and "valid until" in simple_out[1]
            continue
        assert _steady(simple_out) == _steady(typer_out), simple
    assert _run(home, "explain", "broken")[1][0] == 2
    assert sts.actions() == ["AssumeRole"]


def test_a_cold_credential_command_runs_without_typer(home, sts):
    _config(home)
    modules, simple = _run(home, "role", "deploy", "--shell", "bash", "--region", "eu-north-1")
    assert "typer" not in modules and "botocore" in modules and simple[0] == 0
    modules, typer_out = _run(home, "role", "--shell", "bash", "--region", "eu-north-1", "--no-cache", "--", "deploy")
    assert "typer" in modules and typer_out[0] == 0
    assert sts.actions() == ["AssumeRole", "AssumeRole"]
    modules, error = _run(home, "role", "base", "--shell", "bash")  # a user profile asked for as a role
    assert "typer" not in modules
    assert error == _run(home, "role", "--shell", "bash", "--", "base")[1]
    assert error[0] == 2 and error[1] == "" and "use `awsenv user base`" in error[2]


def test_other_forms_reach_typer(home, sts):
    _config(home)
    for args in (("role", "--help"), ("explain", "--help"), ("list", "--help"), ("--help",), ("list", "extra"),
                 ("explain",), ("role", "deploy", "--mfa-code", "123456", "--shell", "sh"),
                 ("explain", "deploy", "--shell", "sh")):
        modules, (code, out, err) = _run(home, *args)
        assert "typer" in modules, args
        assert "Traceback" not in err
    code, out, err = _run(home, "list", "extra")[1]
    assert code == 2 and out == "" and "extra" in err
