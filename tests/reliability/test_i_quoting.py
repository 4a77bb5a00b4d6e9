"""Shell output: any value survives every dialect in its real shell, NUL is refused, and the dialect is the shell's
that reads the output (or the fallbacks the contract names, said aloud)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsenv.errors import UsageError
from awsenv.shells.dialects import dialect_for
from tests.helpers import AWSENV, need_binary
from tests.shells.harness import DUMP_ENV, SHELLS, run_rendered
from tests.shells.test_quoting_property import any_value, metachar_value

pytestmark = pytest.mark.process

batch = st.lists(st.one_of(any_value, metachar_value), min_size=1, max_size=8)

_REAL_SHELL_SETTINGS = settings(max_examples=12, deadline=None,
                                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "dash", "ksh", "mksh", "fish", "tcsh", "elvish", "xonsh", "nu"])
@_REAL_SHELL_SETTINGS
@given(values=batch)
def test_i45_any_text_round_trips_through_the_real_shell(shell_name, values, tmp_path_factory):
    """Hypothesis values (every metacharacter, space, tab, CR, newline, unicode), rendered for the dialect and loaded
    the documented way by the real shell: byte-identical in a child's environment, and the canary never made.
    (PowerShell and cmd.exe have no binary here: tests/shells/test_quoting_property.py holds them to their rules.)"""
    shell = SHELLS[shell_name]
    if shell.dialect == "tcsh":
        values = [v.replace("\n", "") for v in values]
    workdir = tmp_path_factory.mktemp(shell_name)
    delta = {f"AWSENV_P{index}": value for index, value in enumerate(values)}
    env = run_rendered(shell, dialect_for(shell.dialect).render(delta), workdir)
    for name, value in delta.items():
        assert env.get(name) == value.encode("utf-8"), (name, value)
    assert not (workdir / "canary").exists()


@pytest.mark.parametrize("dialect_name", ["bash", "zsh", "sh", "ksh", "fish", "pwsh", "tcsh", "csh", "nu",
                                          "elvish", "xonsh", "cmd"])
def test_i45_every_dialect_refuses_nul(dialect_name):
    with pytest.raises(UsageError) as refused:
        dialect_for(dialect_name).render({"AWSENV_T": "a\0b"})
    assert "AWSENV_T" in refused.value.message and "NUL" in refused.value.message


# A credential_process whose answer is read from a file: any value reaches awsenv the way real keys do.
ANSWER = "import sys\nsys.stdout.write(open(sys.argv[1], encoding='utf-8').read())\n"


def _process_profile(home, tmp_path, secret: str, token: str) -> None:
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": secret,
                                  "SessionToken": token}))
    script = tmp_path / "answer.py"
    script.write_text(ANSWER)
    home.write_config(f"[profile odd]\ncredential_process = {sys.executable} {script} {answer}\n"
                      "region = eu-west-1\n")


# How each real shell loads `awsenv export odd` with no --shell: the dialect comes from the parent shell.
LOADS = {
    "bash": ["bash", "--norc", "--noprofile", "-c", 'eval "$({awsenv} export odd)" && {py} {dump} {out}'],
    "zsh": ["zsh", "-f", "-c", 'eval "$({awsenv} export odd)" && {py} {dump} {out}'],
    "dash": ["dash", "-c", 'eval "$({awsenv} export odd)" && {py} {dump} {out}'],
    "fish": ["fish", "--no-config", "-c", "{awsenv} export odd | source; and {py} {dump} {out}"],
    "tcsh": ["tcsh", "-f", "-c", 'eval "`{awsenv} export odd`" && {py} {dump} {out}'],
}


@pytest.mark.parametrize("shell_name", sorted(LOADS))
def test_i45_the_cli_in_each_real_shell_detects_it_and_quotes_for_it(home, sts, tmp_path, shell_name):
    """The whole path: a source hands awsenv hostile keys, each real shell runs the documented load line without
    --shell, and a child sees the values byte for byte; nothing in them ever runs."""
    argv = LOADS[shell_name]
    need_binary(argv[0])
    canary = tmp_path / "canary"
    run = f"$(touch {canary}) `touch {canary}` ; touch {canary} | touch {canary} & touch {canary}"
    secret = "it's \"q\" '' \\' \\ $HOME ${HOME} !! !$ * ? [a] {a,b} ~ # % ^ ( ) < > \t\r é😀\u2019"
    _process_profile(home, tmp_path, secret, run)
    dump = tmp_path / "dump_env.py"
    dump.write_text(DUMP_ENV)
    out = tmp_path / "env.json"
    script = argv[-1].format(awsenv=AWSENV, py=sys.executable, dump=dump, out=out)
    done = subprocess.run([*argv[:-1], script], env=home.env(SHELL="/bin/false"), cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    env = {k: bytes.fromhex(v) for k, v in json.loads(out.read_text()).items()}
    assert env["AWS_SECRET_ACCESS_KEY"] == secret.encode()
    assert env["AWS_SESSION_TOKEN"] == run.encode()
    assert env["AWSENV_PROFILE"] == b"odd" and env["AWS_REGION"] == b"eu-west-1"
    assert not canary.exists()


def test_i45_a_nul_from_a_source_is_refused_with_nothing_printed(home, sts, tmp_path):
    _process_profile(home, tmp_path, "before\0after", "token")
    done = home.run("export", "odd", "--shell", "bash")
    assert done.returncode != 0 and done.stdout == ""
    assert "AWS_SECRET_ACCESS_KEY" in done.stderr and "NUL" in done.stderr
    assert "before" not in done.stderr and "after" not in done.stderr and "Traceback" not in done.stderr


def _first_line(argv: list[str], env: dict) -> tuple[str, str]:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[0], done.stderr


def test_i45_detection_parent_shell_then_shell_variable_then_sh_said_aloud(home, tmp_path):
    """The contract's order: the parent shell; $SHELL when a program started awsenv (the parent is not a shell: a
    script's interpreter); a shell further up; else POSIX sh, said on stderr (a
    new PID namespace with its own /proc: nothing above awsenv, no $SHELL)."""
    fish, bash = need_binary("fish"), need_binary("bash")
    # `; true` keeps bash from replacing itself with awsenv: awsenv's parent is bash, as under `eval "$(...)"`.
    assert _first_line([bash, "-c", f"{AWSENV} unset; true"], home.env(SHELL=fish))[0] == "unset AWS_ACCESS_KEY_ID;"
    assert _first_line([fish, "-c", f"{AWSENV} unset"], home.env(SHELL=bash))[0].startswith("set -e AWS_ACCESS_KEY_ID;")
    # Started by a program (this Python process): $SHELL decides, not a shell further up.
    assert _first_line([AWSENV, "unset"], home.env(SHELL=fish))[0].startswith("set -e AWS_ACCESS_KEY_ID;")
    assert _first_line([AWSENV, "unset"], home.env(SHELL=bash))[0] == "unset AWS_ACCESS_KEY_ID;"
    assert _first_line([AWSENV, "unset", "--shell", "tcsh"], home.env(SHELL=fish))[0].startswith("unsetenv ")
    unshare = need_binary("unshare")
    alone = {k: v for k, v in home.env().items() if k != "SHELL"}
    probe = subprocess.run([unshare, "--pid", "--fork", "--mount-proc", "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"no PID namespace here: {probe.stderr.decode().strip()}")
    line, said = _first_line([unshare, "--pid", "--fork", "--mount-proc", AWSENV, "unset"], alone)
    assert line == "unset AWS_ACCESS_KEY_ID;"
    assert "no shell found" in said and "--shell NAME" in said
