"""`awsenv init SHELL` loaded in the real shell with strict options: typing `awsenv user dev` changes that shell,
`awsenv unset` clears it, every other command passes through with its exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from awsenv.env import SET_BY_AWSENV, STALE
from tests.helpers import AWSENV, need_binary
from tests.shells.harness import DUMP_ENV

pytestmark = pytest.mark.process


def _dev(home):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n")


def _env(home) -> dict[str, str]:
    path = os.path.dirname(AWSENV) + os.pathsep + os.environ["PATH"]
    return home.env(PATH=path, AWS_PROFILE="stale", AWS_DEFAULT_PROFILE="stale", LANG="C.UTF-8", TERM="dumb")


# Per shell: the command that runs a script file with strict options, and the script. {dump} runs a child that
# writes its environment to the file named after it; the init line is the one the README gives.
POSIX_SCRIPT = '''\
eval "$(awsenv init {init})"
awsenv user dev
{{dump}} set.json
awsenv unset
{{dump}} unset.json
awsenv user nosuchprofile || echo "status=$?"
awsenv --version
'''

SCRIPTS = {
    "bash": (["bash", "--norc", "--noprofile", "-e", "-u", "-o", "pipefail"], POSIX_SCRIPT.format(init="bash")),
    "zsh": (["zsh", "-f", "-e", "-u"], POSIX_SCRIPT.format(init="zsh")),
    "dash": (["dash", "-e", "-u"], POSIX_SCRIPT.format(init="sh")),
    "ksh": (["ksh", "-e", "-u"], POSIX_SCRIPT.format(init="ksh")),
    "mksh": (["mksh", "-e", "-u"], POSIX_SCRIPT.format(init="ksh")),
    "fish": (["fish", "--no-config"], """\
awsenv init fish | source
awsenv user dev
{dump} set.json
awsenv unset
{dump} unset.json
awsenv user nosuchprofile; echo "status=$status"
awsenv --version
"""),
    "tcsh": (["tcsh", "-f"], """\
eval "`awsenv init tcsh`"
awsenv user dev
{dump} set.json
awsenv unset
{dump} unset.json
awsenv user nosuchprofile
echo "status=$status"
awsenv --version
"""),
    "xonsh": (["xonsh", "--no-rc"], """\
execx($(awsenv init xonsh))
awsenv user dev
{dump} set.json
awsenv unset
{dump} unset.json
result = ![awsenv user nosuchprofile]
print('status=' + str(result.returncode))
awsenv --version
"""),
    "nu": (["nu", "-n"], """\
source {init_file}
awsenv user dev
^{dump} set.json
awsenv unset
^{dump} unset.json
try {{ awsenv user nosuchprofile }} catch {{ }}
print $"status=($env.LAST_EXIT_CODE)"
awsenv --version
"""),
}


def _read_env(path: Path) -> dict[str, str]:
    return {k: bytes.fromhex(v).decode() for k, v in json.loads(path.read_text()).items()}


def _check_flow(home, sts, workdir: Path, stdout: str) -> None:
    was_set, was_unset = _read_env(workdir / "set.json"), _read_env(workdir / "unset.json")
    assert was_set["AWSENV_PROFILE"] == "dev"
    assert was_set["AWS_ACCESS_KEY_ID"] == sts.calls[0].issued
    assert was_set["AWS_REGION"] == "eu-west-1" and was_set["AWS_SESSION_TOKEN"]
    assert "AWS_PROFILE" not in was_set and "AWS_DEFAULT_PROFILE" not in was_set
    assert not [name for name in SET_BY_AWSENV + STALE if name in was_unset]
    assert "status=2" in stdout  # the unknown profile's usage error, through the function
    assert "awsenv 0." in stdout  # --version passed straight through


@pytest.mark.parametrize("shell_name", sorted(SCRIPTS))
def test_init_script_changes_the_current_shell(shell_name, home, sts, tmp_path):
    argv, script = SCRIPTS[shell_name]
    binary = need_binary(argv[0])
    _dev(home)
    init_file = tmp_path / "awsenv-init.nu"
    init_file.write_text(subprocess.run([AWSENV, "init", "nu"], capture_output=True, text=True, check=True).stdout)
    dump = tmp_path / "dump_env.py"
    dump.write_text(DUMP_ENV)
    script_file = tmp_path / "script"
    script_file.write_text(script.format(dump=f"{sys.executable} {dump}", init_file=init_file))
    done = subprocess.run([binary, *argv[1:], str(script_file)], capture_output=True, text=True, env=_env(home),
                          cwd=str(tmp_path), timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, (done.stdout, done.stderr)
    _check_flow(home, sts, tmp_path, done.stdout)
    assert len(sts.calls) == 1


def test_elvish_init_in_an_interactive_shell(home, sts, tmp_path):
    binary = need_binary("elvish")
    _dev(home)
    dump = tmp_path / "dump_env.py"
    dump.write_text(DUMP_ENV)
    shell = pexpect.spawn(binary, ["-norc"], env=_env(home), cwd=str(tmp_path), encoding="utf-8",
                          dimensions=(50, 400), timeout=30)
    transcript = []
    try:
        prompt = "PX" + "MARK> "
        shell.sendline("set edit:prompt = { put PX; put 'MARK> ' }")
        shell.expect_exact(prompt)
        for line in ["eval (awsenv init elvish | slurp)", "awsenv user dev", f"{sys.executable} {dump} set.json",
                     "awsenv unset", f"{sys.executable} {dump} unset.json",
                     "try { awsenv user nosuchprofile } catch e { echo status=$e[reason][exit-status] }",
                     "awsenv --version"]:
            shell.sendline(line)
            shell.expect_exact(prompt)
            transcript.append(shell.before)
    finally:
        shell.close(force=True)
    _check_flow(home, sts, tmp_path, "".join(transcript))
