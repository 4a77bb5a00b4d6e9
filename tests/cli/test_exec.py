"""`awsenv exec PROFILE -- CMD`: the real CLI against the strict STS stand-in, running a real child process.
(Arguments, streams, exit statuses and signals: tests/reliability/test_j_exec_nesting.py.)"""

from __future__ import annotations

import sys
import pytest

pytestmark = pytest.mark.process

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
