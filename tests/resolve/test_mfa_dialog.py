"""An MFA code asked through a desktop dialog when there is no terminal (an IDE running credential_process): a
stand-in dialog program (a small script named zenity or kdialog, first on PATH) records how it was started and
answers, cancels, or is never started; the real zenity under Xvfb is in test_mfa_dialog_zenity.py."""

from __future__ import annotations

import json
import re
import sys
import textwrap

import pytest

from tests.helpers import MFA_SERIAL, TOTP_SEED, run_parallel

pytestmark = pytest.mark.process

STANDIN = textwrap.dedent(f"""\
    #!{sys.executable}
    import json, os, sys, time
    import pyotp
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "runs.jsonl"), "a") as log:
        log.write(json.dumps({{"argv": [os.path.basename(sys.argv[0])] + sys.argv[1:],
                              "stdin_is_tty": os.isatty(0)}}) + "\\n")
    mode = open(os.path.join(here, "mode")).read().strip()
    if mode == "cancel":
        sys.exit(1)
    if mode == "slow":
        time.sleep(2)  # long enough for parallel callers to queue on awsenv's lock
    totp = pyotp.TOTP({TOTP_SEED!r})
    if mode == "fresh":  # a code not given before, among those STS accepts now (its 30 s step and one either side)
        given = os.path.join(here, "given")
        before = open(given).read().split() if os.path.exists(given) else []
        code = next(c for c in (totp.at(time.time() + d) for d in (0, 30, -30)) if c not in before)
        with open(given, "a") as log:
            log.write(code + "\\n")
        print(code)
    else:
        print(totp.now())
    """)


@pytest.fixture
def dialogs(tmp_path):
    """A bin directory with stand-in `zenity` and `kdialog`; `mode` says what they do."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("zenity", "kdialog"):
        (bin_dir / name).write_text(STANDIN)
        (bin_dir / name).chmod(0o755)
    (bin_dir / "mode").write_text("answer")
    return bin_dir


def _runs(bin_dir) -> list[dict]:
    log = bin_dir / "runs.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _user(home, sts, extra: str = "") -> None:
    """[profile base]: IAM user keys with an MFA device: GetSessionToken with the code."""
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    home.write_base_keys()
    home.write_config(f"[profile base]\nregion = us-east-1\nmfa_serial = {MFA_SERIAL}\n{extra}")


def _env(home, bin_dir, **extra: str) -> dict:
    env = home.env(PATH=f"{bin_dir}:/usr/bin:/bin", DISPLAY=":93", **extra)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def _mfa_calls(sts) -> list:
    return [c for c in sts.calls if "TokenCode" in c.params]


def test_with_no_terminal_and_a_display_the_dialog_asks_and_its_answer_is_used(home, sts, dialogs):
    _user(home, sts)
    done = home.run("credential-process", "base", env=_env(home, dialogs))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Version"] == 1
    [run] = _runs(dialogs)
    assert run["argv"][0] == "zenity" and "--entry" in run["argv"]
    text = next(arg for arg in run["argv"] if arg.startswith("--text="))
    assert "profile base" in text and MFA_SERIAL in text
    assert not any(re.search(r"\b\d{6}\b", arg) for arg in run["argv"])  # no code in any argument
    assert run["stdin_is_tty"] is False
    [call] = _mfa_calls(sts)
    assert call.action == "GetSessionToken" and call.status == 200


def test_cancelling_the_dialog_is_exit_1_and_nothing_is_cached(home, sts, dialogs):
    _user(home, sts)
    (dialogs / "mode").write_text("cancel")
    done = home.run("credential-process", "base", env=_env(home, dialogs))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "cancelled" in done.stderr and "'base'" in done.stderr
    assert len(_runs(dialogs)) == 1 and sts.calls == []
    listed = home.run("list", "--json", env=_env(home, dialogs))
    [row] = json.loads(listed.stdout)
    assert row["profile"] == "base" and row["cached_until"] is None  # nothing cached
    (dialogs / "mode").write_text("answer")
    again = home.run("credential-process", "base", env=_env(home, dialogs))
    assert again.returncode == 0, again.stderr
    assert len(_runs(dialogs)) == 2 and len(_mfa_calls(sts)) == 1


def test_eight_parallel_callers_see_one_dialog_and_send_one_code(home, sts, dialogs):
    _user(home, sts)
    (dialogs / "mode").write_text("slow")
    results = run_parallel(_env(home, dialogs), 8, "credential-process", "base", cwd=str(home.root))
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    keys = {json.loads(r.stdout)["AccessKeyId"] for r in results}
    assert len(keys) == 1
    assert len(_runs(dialogs)) == 1
    [call] = _mfa_calls(sts)
    assert call.action == "GetSessionToken" and call.issued in keys


def test_a_role_that_needs_the_code_on_assume_role_asks_once_too(home, sts, dialogs):
    from tests.servers.sts_gate import RoleRule

    role = "arn:aws:iam::111111111111:role/admin"
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    sts.roles[role] = RoleRule(require_mfa=True)
    home.write_base_keys()
    # --duration over 1h puts the code on AssumeRole itself.
    home.write_config(f"[profile admin]\nrole_arn = {role}\nsource_profile = base\nmfa_serial = {MFA_SERIAL}\n"
                      "duration_seconds = 7200\n")
    (dialogs / "mode").write_text("slow")
    results = run_parallel(_env(home, dialogs), 8, "credential-process", "admin", cwd=str(home.root))
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    assert len(_runs(dialogs)) == 1
    [call] = _mfa_calls(sts)
    assert call.action == "AssumeRole" and call.status == 200


def test_mfa_process_comes_before_the_dialog(home, sts, dialogs):
    _user(home, sts, f"mfa_process = {home.mfa_process()}\n")
    done = home.run("credential-process", "base", env=_env(home, dialogs))
    assert done.returncode == 0, done.stderr
    assert home.mfa_runs() == 1 and _runs(dialogs) == []
    assert len(_mfa_calls(sts)) == 1


def test_the_mfa_code_option_comes_before_the_dialog(home, sts, dialogs):
    import pyotp

    _user(home, sts)
    done = home.run("credential-process", "base", "--mfa-code", pyotp.TOTP(TOTP_SEED).now(), env=_env(home, dialogs))
    assert done.returncode == 0, done.stderr
    assert _runs(dialogs) == []
    assert len(_mfa_calls(sts)) == 1


def test_mfa_prompt_terminal_never_opens_a_dialog(home, sts, dialogs):
    _user(home, sts, "mfa_prompt = terminal\n")
    done = home.run("credential-process", "base", env=_env(home, dialogs))
    assert done.returncode == 1 and done.stdout == ""
    assert "no terminal" in done.stderr
    assert _runs(dialogs) == [] and sts.calls == []


def test_without_a_display_there_is_no_dialog_and_the_error_says_what_to_do(home, sts, dialogs):
    _user(home, sts)
    env = _env(home, dialogs)
    del env["DISPLAY"]
    done = home.run("credential-process", "base", env=env)
    assert done.returncode == 1 and done.stdout == ""
    assert "no terminal" in done.stderr and "--mfa-code" in done.stderr
    assert _runs(dialogs) == [] and sts.calls == []


def test_the_variable_overrides_the_profile(home, sts, dialogs):
    _user(home, sts, "mfa_prompt = zenity\n")
    done = home.run("credential-process", "base", env=_env(home, dialogs, AWSENV_MFA_PROMPT="kdialog"))
    assert done.returncode == 0, done.stderr
    [run] = _runs(dialogs)
    assert run["argv"][0] == "kdialog" and "--inputbox" in run["argv"]
    assert any("profile base" in arg and MFA_SERIAL in arg for arg in run["argv"])


def test_a_named_dialog_that_is_not_installed_says_so(home, sts, tmp_path):
    _user(home, sts, "mfa_prompt = kdialog\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    done = home.run("credential-process", "base", env=home.env(PATH=str(empty), DISPLAY=":93"))
    assert done.returncode == 1 and done.stdout == ""
    assert "kdialog is not installed" in done.stderr
    assert sts.calls == []


@pytest.mark.parametrize("where", ["profile", "variable"])
def test_a_bad_mfa_prompt_is_exit_2_before_any_call(home, sts, dialogs, where):
    _user(home, sts, "mfa_prompt = popup\n" if where == "profile" else "")
    env = _env(home, dialogs, **({"AWSENV_MFA_PROMPT": "popup"} if where == "variable" else {}))
    done = home.run("credential-process", "base", env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert "popup" in done.stderr
    assert ("profile 'base'" in done.stderr and "mfa_prompt" in done.stderr) if where == "profile" \
        else "AWSENV_MFA_PROMPT" in done.stderr
    assert _runs(dialogs) == [] and sts.calls == []


def test_credential_server_renewals_ask_in_the_dialog_when_there_is_no_terminal(home, sts, dialogs, tmp_path):
    from tests.server.children import CALL_ACROSS_RENEWALS, python

    _user(home, sts)
    (dialogs / "mode").write_text("fresh")
    sts.lifetime = 20  # seconds: the command outlives the first credentials, and each needs a new code
    done = home.run("exec", "--server", "base", "--", *python(tmp_path, "calls.py", CALL_ACROSS_RENEWALS), "2",
                    env=_env(home, dialogs, AWSENV_SERVER_MIN_TTL="10"), timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [] and len(report["keys"]) == 2
    sessions = [c for c in _mfa_calls(sts) if c.status == 200]
    assert len(sessions) == len(_runs(dialogs)) >= 2  # the first code, then one in a dialog at each renewal
