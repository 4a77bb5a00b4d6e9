"""Bad inputs (H40-H44): hostile profile names, MFA codes, role and MFA ARNs, external_id and session names, and
regions, through the installed CLI against the STS gate. Every refusal is exit 2 with empty stdout and no STS call."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pexpect
import pyotp
import pytest

from tests.helpers import AWSENV, BASE_KEY_ID, AwsHome, MFA_SERIAL, TOTP_SEED, parse_posix_exports
from tests.servers.sts_gate import RoleRule

pytestmark = pytest.mark.in_process

ROLE = "arn:aws:iam::111111111111:role/target"
SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)


def _refused(done, *said: str) -> None:
    assert (done.returncode, done.stdout) == (2, ""), (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    for text in said:
        assert text in done.stderr, (text, done.stderr)


def _run_all(home, commands: list[tuple], env=None) -> list:
    """Independent runs of the CLI, a few at a time (each in its own session, no terminal)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: home.run(*args, env=env), commands))


# --- H40 -----------------------------------------------------------------------------------------------------------

# Names a credentials file can hold as a [NAME] section: the role flow works for each, end to end.
WORKING_NAMES = {
    "space": "a b", "double-quote": 'a"b', "single-quote": "a'b", "semicolon": "a;id",
    "command-substitution": "$(touch canary)", "backticks": "`touch canary`", "quote-break": "'; touch canary; '",
    "equals": "=", "hash": "#", "leading-dash": "-lead", "long": "p" * 1000,
    "traversal": "../../x", "accented": "prod-ü", "profile-word": "profile x",
}
# Names that work as profiles but cannot be written back as a well-formed [NAME-temporary] header.
NO_HEADER_NAMES = {"close-bracket": "]", "open-bracket": "[", "rtl-override": "ab\u202ecd", "zero-width": "a\u200bb"}
# Names no INI file can hold.
IMPOSSIBLE_NAMES = {"newline": "a\nb", "carriage-return": "a\rb", "empty": ""}
INVISIBLE = ("\u202e", "\u200b", "\r")


def _named_profile(home, name: str) -> None:
    home.write_config("[profile base]\nregion = us-east-1\n")
    home.credentials.parent.mkdir(parents=True, exist_ok=True)
    home.credentials.write_text(f"[base]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = base/secret+key\n"
                                f"[{name}]\nrole_arn = {ROLE}\nsource_profile = base\nregion = eu-west-1\n",
                                encoding="utf-8")


def _cache_files(home) -> list[Path]:
    return [p for p in home.cache.rglob("*") if p.is_file()]


def _eval_named_role(root: Path, sts_url: str, name: str) -> tuple[AwsHome, Path, subprocess.CompletedProcess]:
    """`eval` in a real bash of `awsenv role --write-profile -- NAME`, in a home of its own."""
    home = AwsHome(root, sts_url)
    root.mkdir()
    _named_profile(home, name)
    workdir = root / "work"
    workdir.mkdir()
    script = ('eval "$("$AWSENV_BIN" role --shell bash --write-profile -- "$1")" || exit 9\n'
              'printf %s "$AWSENV_PROFILE" > "$OUT"; printf %s "$AWS_REGION" > "$OUT.region"')
    done = subprocess.run(["bash", "-c", script, "bash", name], cwd=workdir, capture_output=True, text=True,
                          timeout=60, env=home.env(AWSENV_BIN=AWSENV, OUT=str(root / "profile")))
    return home, workdir, done


@pytest.mark.process
def test_h40_hostile_profile_names_work_end_to_end_and_run_nothing(tmp_path, sts):
    """For every name: nothing in it runs (no canary file), the credentials reach the shell, the cache file names
    are hashes, and the written header reads back as NAME-temporary. The names run a few at a time."""
    from botocore.configloader import raw_config_parse

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(WORKING_NAMES, pool.map(
            lambda item: _eval_named_role(tmp_path / f"home-{item[0]}", sts.url, item[1]), WORKING_NAMES.items())))
    for case, (home, workdir, done) in results.items():
        name = WORKING_NAMES[case]
        assert done.returncode == 0, (case, done.stderr)
        assert not list(workdir.iterdir()) and not (home.root / "canary").exists(), case
        assert (home.root / "profile").read_text() == name, case
        assert (home.root / "profile.region").read_text() == "eu-west-1", case
        files = _cache_files(home)
        assert files and all(re.fullmatch(r"[A-Za-z0-9._-]+", p.name) for p in files), (case, files)
        assert all(name not in str(p.relative_to(home.cache)) for p in files if len(name) > 1), (case, files)
        written = raw_config_parse(str(home.credentials))
        assert written[f"{name}-temporary"]["aws_session_token"], (case, written.keys())
        assert written[name]["role_arn"] == ROLE, case  # the profile itself untouched
        assert not (home.root / "x").exists() and not (home.root / ".cache" / "x").exists(), case
    assert sts.actions() == ["AssumeRole"] * len(WORKING_NAMES)
    assert all(SESSION_NAME.fullmatch(call.params["RoleSessionName"]) for call in sts.calls)


def test_h40_names_that_make_no_header_work_but_are_not_written(home, sts):
    """`]`, `[`, U+202E and U+200B make legal sections for configparser (and so botocore): the flow works; only a
    [NAME-temporary] header is refused, before any call, with the name shown escaped."""
    _named_profile(home, "base-only")
    home.credentials.write_text(home.credentials.read_text() + "".join(
        f"[{name}]\nrole_arn = {ROLE}\nsource_profile = base\n" for name in NO_HEADER_NAMES.values()),
        encoding="utf-8")
    names = list(NO_HEADER_NAMES.values())
    for name, written in zip(names, _run_all(home, [("role", "--format", "json", "--write-profile", "--", name)
                                                    for name in names])):
        _refused(written, "cannot be a profile name in the credentials file", "--write-profile=NAME")
        assert repr(f"{name}-temporary") in written.stderr
        assert not any(c in written.stderr for c in INVISIBLE), written.stderr
    assert sts.calls == []  # refused before asking STS
    for name, flow in zip(names, _run_all(home, [("role", "--format", "json", "--", name) for name in names])):
        assert flow.returncode == 0, flow.stderr
        assert json.loads(flow.stdout)["AWSENV_PROFILE"] == name
        assert not any(c in flow.stderr for c in INVISIBLE), flow.stderr
    assert set(sts.actions()) == {"AssumeRole"}  # `[` and `]` give one session name: one call serves both
    assert "-temporary" not in home.credentials.read_text(encoding="utf-8")


def test_h40_names_no_file_can_hold_are_refused_and_shown_escaped(home, sts):
    _named_profile(home, "real")
    results = _run_all(home, [("role", "--shell", "sh", "--", name) for name in IMPOSSIBLE_NAMES.values()])
    for (case, name), done in zip(IMPOSSIBLE_NAMES.items(), results):
        _refused(done)
        if name:
            assert repr(name) in done.stderr and name not in done.stderr, (case, done.stderr)
        assert not any(c in done.stderr for c in INVISIBLE), case
    assert sts.calls == []


# --- H41 -----------------------------------------------------------------------------------------------------------

BAD_CODES = {"five": "12345", "seven": "1234567", "letter": "12a456", "full-width": "１２３４５６",
             "arabic-indic": "٤٥٦٧٨٩", "empty": ""}


def _mfa_user(home, extra: str = "") -> None:
    home.write_config(f"[profile dev]\nregion = eu-west-1\nmfa_serial = {MFA_SERIAL}\n{extra}")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret+key\n")


def _printing(home, text: str, tag: str) -> str:
    """An mfa_process that prints `text` exactly (no shell in between)."""
    script = home.root / f"code-{tag}.py"
    script.write_text(f"import sys\nsys.stdout.write({text!r})\n", encoding="utf-8")
    return f"{sys.executable} {script}"


def _codes_not_echoed(stderr: str, *codes: str) -> None:
    for code in codes:
        if code.strip() and code.strip() not in MFA_SERIAL:
            assert code.strip() not in stderr, stderr


def test_h41_malformed_mfa_code_option_is_a_usage_error_before_any_call(home, sts):
    """--mfa-code: spaces and a line end around six ASCII digits are dropped; anything else is refused (exit 2)."""
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    _mfa_user(home)
    results = _run_all(home, [("user", "dev", "--mfa-code", bad) for bad in BAD_CODES.values()])
    for bad, done in zip(BAD_CODES.values(), results):
        _refused(done, "six digits")
        _codes_not_echoed(done.stderr, bad)
    assert sts.calls == []
    code = pyotp.TOTP(TOTP_SEED).now()
    done = home.run("--debug", "user", "dev", "--format", "json", "--mfa-code", f" {code}\n")
    assert done.returncode == 0, done.stderr
    assert sts.codes_sent() == [code]
    _codes_not_echoed(done.stderr, code)


def test_h41_malformed_mfa_process_output_is_refused_before_any_call(home, sts):
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    outputs = {"five": "12345", "full-width": "１２３４５６", "empty": "", "two-lines": "123456\n654321\n"}
    config = "".join(f"[profile {tag}]\nmfa_serial = {MFA_SERIAL}\nmfa_process = {_printing(home, text, tag)}\n"
                     f"source_profile = base\nrole_arn = {ROLE}\n" for tag, text in outputs.items())
    home.write_base_keys()
    home.write_config(config)
    sts.roles[ROLE] = RoleRule(require_mfa=True)
    results = _run_all(home, [("role", tag, "--shell", "sh") for tag in outputs])
    for (tag, text), done in zip(outputs.items(), results):
        _refused(done, "mfa_process printed something other than a 6-digit code", "six ASCII digits")
        _codes_not_echoed(done.stderr, text)
    assert sts.calls == []
    code = pyotp.TOTP(TOTP_SEED).now()
    home.write_config(f"[profile good]\nmfa_serial = {MFA_SERIAL}\nmfa_process = {_printing(home, f' {code} ', 'ok')}\n"
                      f"source_profile = base\nrole_arn = {ROLE}\n")
    done = home.run("role", "good", "--shell", "sh")
    assert done.returncode == 0, done.stderr
    assert sts.codes_sent() == [code]
    _codes_not_echoed(done.stderr, code)


@pytest.mark.process
def test_h41_terminal_prompt_accepts_only_six_ascii_digits(home, sts):
    """On a real terminal (pexpect): three malformed answers end the run with exit 2 and no call; a code with spaces
    around it is taken. The code never reaches stdout or the messages after the prompt."""
    sts.seeds[MFA_SERIAL] = TOTP_SEED
    _mfa_user(home)
    out = home.root / "stdout"

    def prompt(answers: list[str]) -> tuple[int, str]:
        child = pexpect.spawn("bash", ["-c", f'exec "$0" user dev --shell bash > {out}', AWSENV], env=home.env(),
                              cwd=str(home.root), encoding="utf-8", timeout=30)
        try:
            for answer in answers:
                child.expect(f"MFA code for {MFA_SERIAL} \\(dev\\): ")
                child.sendline(answer)
            child.expect(pexpect.EOF)
        finally:
            child.close()
        return child.exitstatus, child.before

    status, after = prompt(["12a456", "１２３４５６", ""])
    assert status == 2, after
    assert "no valid MFA code" in after and out.read_text() == ""
    assert sts.calls == []
    code = pyotp.TOTP(TOTP_SEED).now()
    status, after = prompt([f"  {code} "])
    assert status == 0, after
    assert sts.codes_sent() == [code]
    assert "AWS_SESSION_TOKEN" in out.read_text() and code not in out.read_text()


# --- H42 -----------------------------------------------------------------------------------------------------------

BAD_ARNS = {
    "eleven-digit-account": "arn:aws:iam::11111111111:role/admin",
    "user-not-role": "arn:aws:iam::111111111111:user/admin",
    "missing-resource": "arn:aws:iam::111111111111:role/",
    "no-resource-at-all": "arn:aws:iam::111111111111",
    "line-break": "arn:aws:iam::111111111111:role/admin\n  extra",
    "quoted": '"arn:aws:iam::111111111111:role/admin"',
}
GOOD_ARNS = {
    "china": "arn:aws-cn:iam::111111111111:role/admin",
    "govcloud": "arn:aws-us-gov:iam::111111111111:role/admin",
    "iso": "arn:aws-iso:iam::111111111111:role/admin",
    "role-path": "arn:aws:iam::111111111111:role/a/b/name",
    "trailing-space": "arn:aws:iam::111111111111:role/admin   ",  # the INI reader drops it, as botocore does
}
BAD_SERIALS = {"security-key": "arn:aws:iam::111111111111:u2f/user/alice/passkey-ABCDEFGH",
               "spaces": "arn:aws:iam::111111111111:mfa/alice smith", "short": "abc"}


def test_h42_malformed_role_arn_and_mfa_serial_are_refused_with_the_shape(home, sts):
    home.write_base_keys()
    config = "".join(f"[profile {tag}]\nrole_arn = {arn}\nsource_profile = base\n" for tag, arn in BAD_ARNS.items())
    config += "".join(f"[profile {tag}]\nrole_arn = {ROLE}\nsource_profile = base\nmfa_serial = {serial}\n"
                      for tag, serial in BAD_SERIALS.items())
    config += "".join(f"[profile {tag}]\nrole_arn = {arn}\nsource_profile = base\n" for tag, arn in GOOD_ARNS.items())
    home.write_config(config)
    results = _run_all(home, [("role", tag, "--shell", "sh") for tag in [*BAD_ARNS, *BAD_SERIALS]])
    for tag, done in zip([*BAD_ARNS, *BAD_SERIALS], results):
        shape = "arn:aws:iam::123456789012:role/NAME" if tag in BAD_ARNS else "arn:aws:iam::123456789012:mfa/NAME"
        _refused(done, f"profile {tag!r}", shape)
    assert "security key" in results[len(BAD_ARNS)].stderr
    assert sts.calls == []
    results = _run_all(home, [("role", tag, "--format", "json") for tag in GOOD_ARNS])
    for done in results:
        assert done.returncode == 0, done.stderr
    assert sorted(c.params["RoleArn"] for c in sts.calls) == sorted(arn.strip() for arn in GOOD_ARNS.values())


# --- H43 -----------------------------------------------------------------------------------------------------------

BAD_EXTERNAL_IDS = {"space": "team a", "single-quote": "it's", "double-quote": 'say"hi', "dollar": "$HOME-x",
                    "semicolon": "a;id", "emoji": "id-\U0001f600", "one-char": "x", "too-long": "e" * 1225}


def test_h43_external_id_is_checked_against_the_sts_shape_and_never_shown(home, sts):
    home.write_base_keys()
    longest = "E" * 1223 + "="
    home.write_config("".join(f"[profile {tag}]\nrole_arn = {ROLE}\nsource_profile = base\nexternal_id = {value}\n"
                              for tag, value in {**BAD_EXTERNAL_IDS, "longest": longest}.items()))
    results = _run_all(home, [("role", tag, "--shell", "bash") for tag in BAD_EXTERNAL_IDS])
    for (tag, value), done in zip(BAD_EXTERNAL_IDS.items(), results):
        _refused(done, f"profile {tag!r}", "external_id must be 2-1224", "+=,.@:/_-")
        assert len(value) < 3 or value not in done.stderr, tag  # the value is never repeated
    assert sts.calls == []
    sts.roles[ROLE] = RoleRule(external_id=longest)
    done = home.run("--debug", "role", "longest", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    assert sts.calls[0].params["ExternalId"] == longest
    assert longest[:40] not in done.stderr and longest[:40] not in done.stdout


def test_h43_role_session_name_default_is_sanitised_and_a_bad_one_refused(home, sts):
    home.write_base_keys()
    derived = {"spaces-unicode": "dev ü ops ☃", "long": "n" * 100}
    bad = {"one-char": "a", "space": "my session", "unicode": "sessión", "too-long": "s" * 65}
    home.write_config("".join(f'[profile "{name}"]\nrole_arn = {ROLE}\nsource_profile = base\n'
                              for name in derived.values())
                      + "".join(f"[profile {tag}]\nrole_arn = {ROLE}\nsource_profile = base\nrole_session_name = {v}\n"
                                for tag, v in bad.items()))
    results = _run_all(home, [("role", tag, "--shell", "sh") for tag in bad])
    for tag, done in zip(bad, results):
        _refused(done, f"profile {tag!r}", "role_session_name must be 2-64", "+=,.@_-")
    assert sts.calls == []
    for done in _run_all(home, [("role", name, "--format", "json") for name in derived.values()]):
        assert done.returncode == 0, done.stderr
    names = [c.params["RoleSessionName"] for c in sts.calls]
    assert len(names) == 2 and all(SESSION_NAME.fullmatch(n) for n in names), names


# --- H44 -----------------------------------------------------------------------------------------------------------

BAD_REGIONS = {"injection": "us-east-1; id", "upper-case": "US-EAST-1", "unknown": "xx-nowhere-1",
               "line-break": "us-east-1\n  id"}


def test_h44_bad_regions_never_reach_the_output(home, sts):
    """--region and the profile's region: refused (exit 2) before any call; an empty profile region is dropped with
    a warning. What does get out is checked in the shell text, the JSON, and the environment of `exec`."""
    home.write_credentials("[keys]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/sec+key\n")
    home.write_config("[profile keys]\nregion = eu-west-1\n"
                      + "".join(f"[profile {tag}]\nsource_profile = keys\nrole_arn = {ROLE}\nregion = {value}\n"
                                for tag, value in BAD_REGIONS.items())
                      + f"[profile empty]\nsource_profile = keys\nrole_arn = {ROLE}\nregion =\n")
    option_values = [v.replace("\n  ", "\n") for v in BAD_REGIONS.values()] + ["", "us-east-1\n"]
    commands = [("role", tag, "--format", "json") for tag in BAD_REGIONS]
    commands += [("role", "empty", "--shell", "bash", "--region", v) for v in option_values]
    results = _run_all(home, commands)
    for (tag, value), done in zip(BAD_REGIONS.items(), results):
        read = value.replace("\n  ", "\n")  # the INI reader joins a continuation line without its indent
        _refused(done, f"profile {tag!r}: region {read!r} is not an AWS region name", "like us-east-1")
    for value, done in zip(option_values, results[len(BAD_REGIONS):]):
        _refused(done, f"--region {value!r} is not an AWS region name")
    assert sts.calls == []
    shown = home.run("role", "empty", "--shell", "bash")
    assert shown.returncode == 0, shown.stderr
    assert "empty region" in shown.stderr
    exported = parse_posix_exports(shown.stdout)
    assert "AWS_REGION" not in exported and "AWS_DEFAULT_REGION" not in exported
    env = home.run("exec", "empty", "--region", "cn-north-1", "--", sys.executable, "-c",
                   "import json, os; print(json.dumps({k: os.environ.get(k) for k in "
                   "('AWS_REGION', 'AWS_DEFAULT_REGION')}))")
    assert env.returncode == 0, env.stderr
    assert json.loads(env.stdout) == {"AWS_REGION": "cn-north-1", "AWS_DEFAULT_REGION": "cn-north-1"}
