"""`awsenv init SHELL --completion` loaded in the real shell: a TAB after `awsenv ro` completes the command and a
TAB after `awsenv role demo-a` completes the profile name from the user's config."""

from __future__ import annotations

import os
import subprocess

import pexpect
import pytest

from tests.helpers import AWSENV, AwsHome, need_binary

CONFIG = "[profile demo]\n[profile demo-admin]\nrole_arn = arn:aws:iam::210987654321:role/Admin\nsource_profile = demo\n"


@pytest.fixture
def home(tmp_path) -> AwsHome:
    root = tmp_path / "home"
    root.mkdir()
    home = AwsHome(root, "http://127.0.0.1:9", in_process=True)  # completion never calls AWS
    home.write_config(CONFIG)
    return home


def _env(home) -> dict[str, str]:
    return home.env(PATH=os.path.dirname(AWSENV) + os.pathsep + os.environ["PATH"], TERM="dumb", LANG="C.UTF-8")


# shell: (argv, lines typed before the test: a prompt, the rc line, a key (Ctrl-X p) that writes the edited line to
# the file `line` and clears it)
INTERACTIVE = {
    "bash": (["bash", "--norc", "--noprofile", "-i"], [
        "PS1='PX''MARK> '",
        'eval "$(awsenv init bash --completion)"',
        """bind -x '"\\C-xp": printf "%s" "$READLINE_LINE" > line; READLINE_LINE='"''"'; READLINE_POINT=0'""",
    ]),
    "zsh": (["zsh", "-f", "-i"], [
        "PROMPT='PX''MARK> '",
        "autoload -Uz compinit && compinit -u -D",
        'eval "$(awsenv init zsh --completion)"',
        "__show() { print -rn -- $BUFFER > line; BUFFER= }; zle -N __show; bindkey '^Xp' __show",
    ]),
}


def _typed(shell, text: str, path) -> str:
    if path.exists():
        path.unlink()
    shell.send(text + "\x18p")
    for _ in range(100):
        if path.exists() and path.read_text():
            return path.read_text()
        shell.expect(pexpect.TIMEOUT, timeout=0.1)
    return path.read_text() if path.exists() else ""


@pytest.mark.process  # a real shell runs the binary
@pytest.mark.parametrize("shell_name", sorted(INTERACTIVE))
def test_tab_completes_commands_and_profiles(shell_name, home):
    argv, setup = INTERACTIVE[shell_name]
    binary = need_binary(argv[0])
    shell = pexpect.spawn(binary, argv[1:], env=_env(home), cwd=str(home.root), encoding="utf-8",
                          dimensions=(50, 400), timeout=30)
    prompt = "PX" + "MARK> "
    line = home.root / "line"
    try:
        for typed in setup:
            shell.sendline(typed)
            shell.expect_exact(prompt)
        assert _typed(shell, "awsenv ro\t", line) == "awsenv role "
        assert _typed(shell, "awsenv role demo-a\t", line) == "awsenv role demo-admin "
        shell.sendline("exit")
        shell.expect(pexpect.EOF)
    finally:
        shell.close(force=True)


@pytest.mark.process
def test_fish_completes_commands_and_profiles(home):
    fish = need_binary("fish")
    script = ("awsenv init fish --completion | source\n"
              "complete -C 'awsenv ro'\necho SPLIT\ncomplete -C 'awsenv role demo-a'\n")
    done = subprocess.run([fish, "--no-config", "-c", script], env=_env(home), cwd=str(home.root),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    commands, profiles = done.stdout.split("SPLIT\n")
    assert [w.split("\t")[0] for w in commands.splitlines()] == ["role"]
    assert [w.split("\t")[0] for w in profiles.splitlines()] == ["demo-admin"]


@pytest.mark.process
def test_zsh_without_compinit_says_what_to_do(home):
    zsh = need_binary("zsh")
    done = subprocess.run([zsh, "-f", "-e", "-u", "-c", 'eval "$(awsenv init zsh --completion)"; awsenv --version'],
                          env=_env(home), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "compinit" in done.stderr


def test_completion_for_a_shell_without_it_is_a_usage_error(home):
    done = home.run("init", "tcsh", "--completion", env=_env(home))
    assert done.returncode == 2 and done.stdout == ""
    assert "bash zsh fish" in done.stderr


def test_without_the_option_init_prints_no_completion(home):
    done = home.run("init", "bash", env=_env(home))
    assert done.returncode == 0 and "complete " not in done.stdout
