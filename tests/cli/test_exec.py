"""`awsenv exec PROFILE -- CMD`: the real CLI against the strict STS stand-in, running a real child process."""

from __future__ import annotations

import json
import sys

import pytest

# The child: reports its argv, the AWS variables it sees and its stdin, then exits with the status it is told.
CHILD = """
import json, os, sys
print(json.dumps({"argv": sys.argv[1:], "stdin": sys.stdin.read(),
                  "env": {k: v for k, v in os.environ.items() if k.startswith(("AWS", "AWSENV"))},
                  "cmdline": open("/proc/self/cmdline", "rb").read().decode("utf-8", "replace")}))
sys.exit(int(os.environ.get("CHILD_STATUS", "0")))
"""


def _dev(home):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n")


def _run_child(home, *args, status=0, stdin="", **env):
    return home.run("exec", "dev", "--", sys.executable, "-c", CHILD, *args,
                    env=home.env(CHILD_STATUS=str(status), **env), input=stdin)


@pytest.mark.parametrize("status", [0, 1, 7])
def test_exit_status_passes_through(home, sts, status):
    _dev(home)
    done = _run_child(home, status=status)
    assert done.returncode == status, done.stderr
    assert json.loads(done.stdout)["env"]["AWSENV_PROFILE"] == "dev"


def test_command_not_found_exits_127_with_a_message(home, sts):
    _dev(home)
    done = home.run("exec", "dev", "--", "awsenv-no-such-command-here", "x")
    assert done.returncode == 127
    assert done.stdout == ""
    assert "awsenv-no-such-command-here" in done.stderr and "not found" in done.stderr


def test_arguments_reach_the_command_verbatim_without_a_shell(home, sts):
    _dev(home)
    args = ["two words", "it's", '"double"', "$HOME", "`id`", "$(id)", "*", "--", "-h", "--help", "", "a\nb", "é😀"]
    done = _run_child(home, *args)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["argv"] == args


def test_stdin_passes_through(home, sts):
    _dev(home)
    done = _run_child(home, stdin="line one\nline two\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stdin"] == "line one\nline two\n"


def test_missing_command_is_a_usage_error_before_any_call(home, sts):
    _dev(home)
    done = home.run("exec", "dev")
    assert (done.returncode, done.stdout) == (2, "")
    assert "awsenv exec PROFILE -- CMD" in done.stderr
    assert sts.calls == []


def test_aws_refusal_exits_1_and_runs_nothing(home, sts, tmp_path):
    _dev(home)
    marker = tmp_path / "ran"
    done = home.run("exec", "dev", "--", "touch", str(marker),
                    env=home.env(AWS_ENDPOINT_URL_STS="http://127.0.0.1:9"))
    assert done.returncode == 1
    assert "'dev'" in done.stderr
    assert not marker.exists()
