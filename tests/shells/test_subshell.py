"""`awsenv shell PROFILE` driven like a person would (pexpect, tmux for nushell): the user's rc file still runs, the
prompt names the profile, the credentials are set, nesting is refused, the exit status comes back, and the
temporary rc files are gone afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.helpers import AWSENV, need_binary
from tests.shells.harness import DUMP_ENV

pytestmark = pytest.mark.process

PROMPT = "PX" + "MARK"  # what the user's own rc file puts in the prompt; never typed as one word

# Per shell: the user's own rc file under HOME and its text: a variable, and a prompt the marker must prefix.
USER_RC = {
    "bash": (".bashrc", "export AWSENV_T_RC=from-rc\nPS1='PX''MARK> '\n"),
    "zsh": (".zshrc", "export AWSENV_T_RC=from-rc\nPROMPT='PX''MARK> '\nunsetopt zle\n"),
    "ksh": (".kshrc", "export AWSENV_T_RC=from-rc\nPS1='PX''MARK> '\n"),
    "fish": (".config/fish/config.fish",
             "set -gx AWSENV_T_RC from-rc\nfunction fish_prompt\n    printf 'PX%sMARK> ' ''\nend\n"),
    "tcsh": (".tcshrc", "setenv AWSENV_T_RC from-rc\nset prompt='PX''MARK> '\n"),
    "elvish": (".config/elvish/rc.elv", "set-env AWSENV_T_RC from-rc\nset edit:prompt = { put PX; put 'MARK> ' }\n"),
    "xonsh": (".xonshrc", "$AWSENV_T_RC = 'from-rc'\n$PROMPT = 'PX' + 'MARK> '\n$RIGHT_PROMPT = ''\n"
                          "$BOTTOM_TOOLBAR = ''\n$UPDATE_COMPLETIONS_ON_KEYPRESS = False\n"),
    "nu": (".config/nushell/config.nu", "$env.AWSENV_T_RC = 'from-rc'\n$env.PROMPT_COMMAND = {|| 'PX' + 'MARK' }\n"
                                        "$env.PROMPT_COMMAND_RIGHT = ''\n$env.PROMPT_INDICATOR = '> '\n"
                                        "$env.config.show_banner = false\n"),
}


def _dev(home):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n")


def _setup(home, shell: str, tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    _dev(home)
    rc_name, rc_text = USER_RC[shell]
    rc = home.root / rc_name
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text(rc_text)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    dump = tmp_path / "dump_env.py"
    dump.write_text(DUMP_ENV)
    env = home.env(PATH=os.path.dirname(AWSENV) + os.pathsep + os.environ["PATH"], TERM="dumb", LANG="C.UTF-8",
                   TMPDIR=str(private_tmp), AWS_PROFILE="stale", SHELL="/bin/sh")
    env.pop("XDG_CONFIG_HOME", None)
    env.pop("ZDOTDIR", None)
    env.pop("ENV", None)
    return env, private_tmp, dump


def _ours(directory: Path) -> list[Path]:
    return list(directory.glob("awsenv-*"))


def _read_env(path: Path) -> dict[str, str]:
    deadline = time.monotonic() + 30
    while not path.exists() or not path.read_text().endswith("}"):
        assert time.monotonic() < deadline, f"{path} was not written"
        time.sleep(0.05)
    return {k: bytes.fromhex(v).decode() for k, v in json.loads(path.read_text()).items()}


def _check_inside(sts, env_file: Path) -> None:
    inside = _read_env(env_file)
    assert inside["AWSENV_PROFILE"] == "dev"
    assert inside["AWS_ACCESS_KEY_ID"] == sts.calls[0].issued
    assert inside["AWS_SESSION_TOKEN"] and inside["AWS_REGION"] == "eu-west-1"
    assert inside["AWSENV_T_RC"] == "from-rc"  # the user's own rc file ran
    assert "AWS_PROFILE" not in inside


@pytest.mark.parametrize("shell", ["bash", "zsh", "ksh", "fish", "tcsh", "elvish", "xonsh"])
def test_subshell_prompt_credentials_nesting_and_exit_status(shell, home, sts, tmp_path):
    need_binary(shell)
    env, private_tmp, dump = _setup(home, shell, tmp_path)
    marked = f"(aws:dev) {PROMPT}> "
    child = pexpect.spawn(AWSENV, ["shell", "dev", "--shell", shell], env=env, cwd=str(tmp_path),
                          encoding="utf-8", dimensions=(50, 400), timeout=60)
    try:
        child.expect_exact(marked)
        assert len(_ours(private_tmp)) <= 1  # at most the one private directory of rc files
        child.sendline(f"{sys.executable} {dump} {tmp_path / 'inside.json'}")
        child.expect_exact(marked)
        _check_inside(sts, tmp_path / "inside.json")
        child.sendline("awsenv shell dev")
        child.expect_exact("already in an awsenv session for 'dev'; exit it first, or pass --force")
        child.expect_exact(marked)
        # xonsh's interactive `exit N` always exits 0: kill that one instead (a signal comes back as 128 + N).
        child.sendline(f"{sys.executable} -c 'import os; os.kill(os.getppid(), 9)'" if shell == "xonsh" else "exit 3")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == (128 + 9 if shell == "xonsh" else 3)
    assert _ours(private_tmp) == []  # the temporary rc files are removed
    assert len(sts.calls) == 1  # the refused nested shell asked AWS for nothing


def test_subshell_in_nushell_through_tmux(home, sts, tmp_path):
    need_binary("nu")
    tmux = need_binary("tmux")
    env, private_tmp, dump = _setup(home, "nu", tmp_path)
    socket = f"awsenv-test-{os.getpid()}"  # a private tmux server (its socket path must stay short)
    status_file = tmp_path / "status"
    command = f"{AWSENV} shell dev --shell nu; echo $? > {status_file}"
    tmux_env = dict(env)
    tmux_env.pop("TMUX", None)

    def run(*args: str) -> str:
        return subprocess.run([tmux, "-L", socket, *args], env=tmux_env, capture_output=True, text=True,
                              timeout=30).stdout

    def wait_for(text: str) -> str:
        deadline = time.monotonic() + 60
        while True:
            screen = run("capture-pane", "-p", "-J")
            if text in screen:
                return screen
            assert time.monotonic() < deadline, screen
            time.sleep(0.1)

    run("new-session", "-d", "-s", "t", "-x", "200", "-y", "50", "sh", "-c", command)
    try:
        wait_for(f"(aws:dev) {PROMPT}")
        run("send-keys", "-t", "t", f"^{sys.executable} {dump} {tmp_path / 'inside.json'}", "Enter")
        wait_for("inside.json")
        try:
            _check_inside(sts, tmp_path / "inside.json")
        except AssertionError:
            print(run("capture-pane", "-p", "-J"))
            raise
        run("send-keys", "-t", "t", "awsenv shell dev", "Enter")
        wait_for("already in an awsenv session for 'dev'")
        run("send-keys", "-t", "t", "exit 3", "Enter")
        deadline = time.monotonic() + 60
        while not status_file.exists() or not status_file.read_text().strip():
            assert time.monotonic() < deadline, run("capture-pane", "-p")
            time.sleep(0.1)
    finally:
        run("kill-server")
    assert status_file.read_text().strip() == "3"
    assert _ours(private_tmp) == []


def test_a_hostile_profile_name_is_shown_in_the_prompt_and_never_run(home, sts, tmp_path):
    need_binary("bash")
    env, private_tmp, dump = _setup(home, "bash", tmp_path)
    canary = tmp_path / "canary"
    name = f"x$(touch {canary})`touch {canary}`\\w"
    home.write_config(f"[profile {name}]\nregion = eu-west-1\n")
    home.write_credentials(f"[{name}]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = s\n")
    child = pexpect.spawn(AWSENV, ["shell", name, "--shell", "bash"], env=env, cwd=str(tmp_path),
                          encoding="utf-8", dimensions=(50, 400), timeout=60)
    try:
        child.expect_exact(f"(aws:{name}) {PROMPT}> ")
        child.sendline("exit 0")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert not canary.exists()
