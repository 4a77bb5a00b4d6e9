"""awsenv stays the command's parent under --server: the exit status passes through (127, 128+N), signals sent to
awsenv reach the command once, Ctrl-C reaches it once, the server is gone when the run ends, and a daemon the
command leaves behind neither keeps awsenv waiting nor keeps a server alive."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pexpect
import pytest

from tests.helpers import AWSENV
from tests.server.children import python, role_profile

pytestmark = pytest.mark.process

# Exits with the status it is told, or kills itself with the signal it is told.
EXIT = "import os, signal, sys\nif sys.argv[1] == 'kill':\n    os.kill(os.getpid(), int(sys.argv[2]))\n" \
       "sys.exit(int(sys.argv[2]))\n"

# Counts the deliveries of the signals it is given (one byte each through the wakeup fd: Python runs a handler once
# for signals that arrive together, the C handler writes a byte for every delivery); after the first, waits a
# little for a second, then exits with 100 + the count. Writes its pid to the file it is given once ready.
COUNT_SIGNALS = r'''
import os, signal, sys, time
read_end, write_end = os.pipe()
os.set_blocking(write_end, False)
os.set_blocking(read_end, False)
signal.set_wakeup_fd(write_end)
for name in sys.argv[2:]:
    signal.signal(getattr(signal, name), lambda signum, frame: None)
with open(sys.argv[1], "w") as ready:
    ready.write(str(os.getpid()))
seen = b""
while not seen:
    time.sleep(0.05)
    try:
        seen += os.read(read_end, 100)
    except BlockingIOError:
        pass
time.sleep(1.0)
try:
    seen += os.read(read_end, 100)
except BlockingIOError:
    pass
sys.exit(100 + len(seen))
'''


@pytest.mark.parametrize(("how", "value", "expected"), [("exit", 7, 7), ("kill", 9, 137)])
def test_the_exit_status_passes_through(home, sts, tmp_path, how, value, expected):
    role_profile(home)
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "exit.py", EXIT), how, str(value))
    assert done.returncode == expected, done.stderr


def test_a_missing_command_exits_127(home, sts):
    role_profile(home)
    done = home.run("exec", "--server", "dev", "--", "awsenv-no-such-command-here")
    assert (done.returncode, done.stdout) == (127, "")
    assert "awsenv-no-such-command-here" in done.stderr and "not found" in done.stderr


def _wait_for(path, proc=None) -> str:
    deadline = time.monotonic() + 60
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path} was not written"
        if proc is not None and proc.poll() is not None:
            raise AssertionError(proc.communicate())
        time.sleep(0.05)
    return path.read_text()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_sent_to_awsenv_reaches_the_command_once(home, sts, tmp_path, signum):
    role_profile(home)
    ready = tmp_path / "ready"
    proc = subprocess.Popen([AWSENV, "exec", "--server", "dev", "--",
                             *python(tmp_path, "count.py", COUNT_SIGNALS), str(ready), signum.name],
                            env=home.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=str(home.root))
    _wait_for(ready, proc)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 101, err


def test_ctrl_c_on_the_terminal_reaches_the_command_once(home, sts, tmp_path):
    role_profile(home)
    ready = tmp_path / "ready"
    child = pexpect.spawn(AWSENV, ["exec", "--server", "dev", "--", *python(tmp_path, "count.py", COUNT_SIGNALS),
                                   str(ready), "SIGINT"], env=home.env(), cwd=str(home.root), encoding="utf-8",
                          timeout=60)
    try:
        _wait_for(ready)
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 101, child.before  # once: the terminal sent it to both, awsenv did not resend it


def _refused(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5)
    except urllib.error.URLError as error:
        return isinstance(error.reason, ConnectionRefusedError)
    return False


def test_nothing_listens_after_the_run(home, sts, tmp_path):
    role_profile(home)
    script = "import os; print(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'])"
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "url.py", script))
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    assert _refused(url)
    with socket.socket() as probe:  # the port is free again
        probe.bind(("127.0.0.1", port))


# Starts a daemon (new session, stdio closed) that waits for the test's go-ahead file, then asks the server and
# records what happened; the command itself exits at once.
DAEMON = r'''
import os, sys, time, urllib.request, urllib.error
go, result = sys.argv[1], sys.argv[2]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        while not os.path.exists(go):
            time.sleep(0.05)
        request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                                         headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
        try:
            urllib.request.urlopen(request, timeout=5)
            outcome = "served"
        except urllib.error.URLError as error:
            outcome = type(error.reason).__name__
        with open(result + ".tmp", "w") as out:
            out.write(outcome)
        os.rename(result + ".tmp", result)
    os._exit(0)
os.wait()
print("command done")
'''


def test_a_daemon_left_behind_neither_keeps_awsenv_waiting_nor_gets_credentials(home, sts, tmp_path):
    role_profile(home)
    go, result = tmp_path / "go", tmp_path / "result"
    done = home.run("exec", "--server", "dev", "--", *python(tmp_path, "daemon.py", DAEMON), str(go), str(result))
    # awsenv has returned while the daemon still waits for `go`: it waited for the command, not the daemon.
    assert (done.returncode, done.stdout) == (0, "command done\n"), done.stderr
    assert not result.exists()
    go.write_text("go")
    assert _wait_for(result) == "ConnectionRefusedError"
