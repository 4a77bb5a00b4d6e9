"""Config parsing and profile resolution (G35-G39): missing profiles, source_profile loops, malformed files compared
with botocore, credential_process recursion, and a 5,000-profile config, all through the installed CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.helpers import AWSENV, BASE_KEY_ID

pytestmark = pytest.mark.in_process

ROLE = "arn:aws:iam::111111111111:role/{}"
REPO = str(Path(__file__).resolve().parents[2])


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and 'File "' not in stderr, stderr


# --- G35 -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["argument", "AWS_PROFILE", "source_profile"])
def test_g35_missing_profile_is_named_with_a_suggestion_and_no_call(home, sts, how):
    home.write_base_keys()
    home.write_config(f"""\
        [profile base]
        region = us-east-1
        [profile prod]
        role_arn = {ROLE.format('prod')}
        source_profile = base
        [profile deploy]
        role_arn = {ROLE.format('deploy')}
        source_profile = prodd
        """)
    if how == "argument":
        done = home.run("role", "prodd", "--shell", "sh")
    elif how == "AWS_PROFILE":
        done = home.run("role", "--shell", "sh", env=home.env(AWS_PROFILE="prodd"))
    else:
        done = home.run("role", "deploy", "--shell", "sh")
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert "'prodd'" in done.stderr and "did you mean 'prod'" in done.stderr, done.stderr
    if how == "source_profile":
        assert "'deploy'" in done.stderr and "deploy -> prodd" in done.stderr
    else:
        assert str(home.config) in done.stderr
    _no_traceback(done.stderr)
    assert sts.calls == []


def test_g35_unknown_user_profile_exits_2_and_suggests(home, sts):
    home.write_config("""\
        [profile dev]
        region = eu-west-1
        """)
    home.write_credentials("""\
        [dev]
        aws_access_key_id = AKIAIOSFODNN7DEVKEY1
        aws_secret_access_key = dev/secret+key
        """)
    done = home.run("user", "deb")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "'deb'" in done.stderr and "'dev'" in done.stderr
    assert sts.calls == []


# --- G36 -----------------------------------------------------------------------------------------------------------

_LOOPS = {
    "a-b-a": ({"a": "b", "b": "a"}, "a -> b -> a"),
    "a-b-c-a": ({"a": "b", "b": "c", "c": "a"}, "a -> b -> c -> a"),
    "a-a": ({"a": "a"}, "a -> a"),
}


@pytest.mark.parametrize("shape", list(_LOOPS))
def test_g36_source_profile_loops_stop_before_any_call(home, sts, shape):
    sources, shown = _LOOPS[shape]
    home.write_config("".join(f"[profile {name}]\nrole_arn = {ROLE.format(name)}\nsource_profile = {source}\n"
                              for name, source in sources.items()))
    done = home.run("role", "a", "--shell", "sh")
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert "loop" in done.stderr and shown in done.stderr, done.stderr
    _no_traceback(done.stderr)
    if shape == "a-b-c-a":
        explained = home.run("explain", "a")
        assert explained.returncode == 2 and shown in explained.stderr
    assert sts.calls == []


def test_g36_self_reference_with_static_keys_is_legal(home, sts):
    """A role profile naming itself as source_profile while holding keys means "assume the role with my own keys"."""
    home.write_config(f"[profile a]\nrole_arn = {ROLE.format('a')}\nsource_profile = a\n")
    home.write_credentials(f"[a]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = base/secret+key\n")
    done = home.run("role", "a", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert sts.actions() == ["AssumeRole"]
    assert sts.calls[0].caller == BASE_KEY_ID
    assert sts.calls[0].params["RoleArn"] == ROLE.format("a")


# --- G37 -----------------------------------------------------------------------------------------------------------

# Every malformed shape the case names; each either reads exactly as botocore reads it or is refused as FILE:LINE.
CORPUS = {
    "no-section-header": b"region = us-east-1\n[profile a]\nregion = eu-west-1\n",
    "unterminated-header": b"[profile a]\nregion = eu-west-1\n[profile x\nregion = us-west-2\n",
    "duplicate-section": b"[profile a]\nregion = eu-west-1\n[profile a]\nregion = us-west-2\n",
    "profile-and-bare-name": b"[profile a]\nregion = eu-west-1\n[a]\nregion = us-west-2\n",
    "bom": b"\xef\xbb\xbf[profile a]\nregion = eu-west-1\n",
    "crlf": b"[profile a]\r\nregion = eu-west-1\r\n[profile b]\r\nregion = us-west-2\r\n",
    "tabs": b"[profile a]\n\tregion\t=\teu-west-1\n[profile\tb]\nregion = us-west-2\n"
            b"[ profile c ]\nregion=ap-south-1\n",
    "inline-comments": b"[profile a] # c\nregion = eu-west-1 # comment\n[profile b] ; x\nregion = us-west-2;x\n"
                       b"# whole line\n; whole line\n[profile c]\nregion = sa-east-1\n",
    "key-without-equals": b"[profile a]\nregion = eu-west-1\njustakey\n",
    "not-utf-8": b"[profile a]\nregion = eu-west-1\n# caf\xe9\n[profile b]\nregion = us-west-2\n",
    "quoted-and-default": b"[default]\nregion = us-east-2\n[profile \"my team\"]\nregion = eu-north-1\n"
                          b"[profile default]\nregion = eu-west-3\n[orphan]\nregion = us-west-1\n",
    "colon-and-continuation": b"[profile a]\nregion: eu-west-1\ns3 =\n  addressing_style = path\n",
}
# The line a person has to fix, for the shapes botocore refuses.
LINES = {"no-section-header": 1, "unterminated-header": 3, "duplicate-section": 3, "bom": 1,
         "key-without-equals": 3, "not-utf-8": 3}


def _botocore_view(config: Path, credentials: Path):
    """botocore's effective profiles ({name: region}), or None when it cannot read the files."""
    import botocore.session
    from botocore.exceptions import ConfigParseError

    session = botocore.session.Session()
    session.set_config_variable("config_file", str(config))
    session.set_config_variable("credentials_file", str(credentials))
    try:
        return {name: values.get("region") for name, values in session.full_config["profiles"].items()}
    except ConfigParseError:
        return None


def _compare_all(home, files: dict[str, bytes], lines: dict[str, int]) -> dict:
    """Each file as AWS_CONFIG_FILE for `awsenv list --json` (a few runs at a time) against botocore's reading of it:
    the same profiles and regions, or exit 2 naming FILE:LINE (FILE alone where no line is known). botocore's view
    of each file, by name."""
    from concurrent.futures import ThreadPoolExecutor

    paths = {}
    for name, data in files.items():
        paths[name] = home.root / f"{name}.config"
        paths[name].write_bytes(data)
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = dict(zip(files, pool.map(
            lambda name: home.run("list", "--json", env=home.env(AWS_CONFIG_FILE=str(paths[name]))), files)))
    views = {}
    for name, done in runs.items():
        _no_traceback(done.stderr)
        views[name] = expected = _botocore_view(paths[name], home.credentials)
        if expected is None:
            assert (done.returncode, done.stdout) == (2, ""), (name, done.stderr)
            where = f"{paths[name]}:{lines[name]}" if name in lines else str(paths[name])
            assert f"cannot parse {where}" in done.stderr, (name, done.stderr)
        else:
            assert done.returncode == 0, (name, done.stderr)
            assert {row["profile"]: row["region"] for row in json.loads(done.stdout)} == expected, name
    return views


def test_g37_malformed_config_reads_as_botocore_or_fails_at_file_and_line(home, sts):
    views = _compare_all(home, CORPUS, LINES)
    assert {name for name, view in views.items() if view is None} == set(LINES)
    assert sts.calls == []


_NAMES = st.sampled_from(["a", "b", "default", "dev ops", "x.y"])
_HEADER = st.one_of(
    _NAMES.map(lambda n: f"[profile {n}]"), _NAMES.map(lambda n: f'[profile "{n}"]'), _NAMES.map(lambda n: f"[{n}]"),
    _NAMES.map(lambda n: f"[profile {n}"), st.just("[default]"), _NAMES.map(lambda n: f"\t[profile {n}]  ; note"))
_BODY = st.one_of(
    st.sampled_from(["us-east-1", "eu-west-1", "cn-north-1", "ap-south-1"]).map(lambda r: f"region = {r}"),
    st.sampled_from(["region=us-west-2", "region :eu-central-1", "\tregion = sa-east-1", "# c", "; c", "",
                     "region = us-east-1 # c", "noequals", "  continued", "s3 =\n  addressing_style = path"]))
_FILE = st.tuples(st.lists(st.tuples(_HEADER, st.lists(_BODY, max_size=3)), max_size=4),
                  st.sampled_from(["\n", "\r\n"]), st.booleans())


def _rendered(generated) -> bytes:
    sections, newline, preamble = generated
    lines = ["region = us-east-1"] if preamble else []
    for header, body in sections:
        lines += [header, *body]
    return (newline.join(lines) + newline).encode()


@settings(max_examples=1, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(_FILE, min_size=8, max_size=8))
def test_g37_generated_configs_read_as_botocore_or_fail_cleanly(home, sts, corpus):
    """A small generated corpus (fixed seed): one example of eight files, all checked in one batch of runs."""
    _compare_all(home, {f"generated-{i}": _rendered(item) for i, item in enumerate(corpus)}, {})


# --- G38 -----------------------------------------------------------------------------------------------------------


def _counting_awsenv(home) -> Path:
    """A wrapper in front of awsenv that writes one line per run: the number of awsenv processes a loop started."""
    wrapper = home.root / "awsenv-counted"
    wrapper.write_text(f"#!/bin/sh\necho run >> {home.root / 'runs'}\nexec {AWSENV} \"$@\"\n")
    wrapper.chmod(0o755)
    return wrapper


@pytest.mark.process
@pytest.mark.parametrize("shape", ["itself", "a-b-a", "itself-through-AWS_PROFILE"])
def test_g38_credential_process_recursion_stops_with_the_chain(home, sts, shape):
    """Each awsenv run passes the profiles it serves to its credential_process children in
    AWSENV_CREDENTIAL_PROCESS_CHAIN; the inner run refuses a profile already on it. The wrapper counts the runs."""
    awsenv = _counting_awsenv(home)
    if shape == "itself":
        home.write_config(f"[profile a]\ncredential_process = {awsenv} credential-process a\n")
        command, shown, runs_at_most = ("credential-process", "a"), "a -> a", 1
    elif shape == "a-b-a":
        home.write_config(f"[profile a]\ncredential_process = {awsenv} credential-process b\n"
                          f"[profile b]\ncredential_process = {awsenv} credential-process a\n")
        command, shown, runs_at_most = ("export", "a", "--shell", "sh"), "a -> b -> a", 2
    else:  # no PROFILE argument: the inner run takes $AWS_PROFILE, which it inherits
        home.write_config(f"[profile a]\ncredential_process = {awsenv} credential-process\n")
        command, shown, runs_at_most = ("export", "--shell", "sh"), "a -> a", 1
    done = home.run(*command, env=home.env(AWSENV_LOCK_TIMEOUT="5", AWS_PROFILE="a"), timeout=30)
    assert done.returncode != 0 and done.stdout == "", done.stderr
    assert f"credential_process loop ({shown})" in done.stderr, done.stderr
    _no_traceback(done.stderr)
    runs = len((home.root / "runs").read_text().splitlines())
    assert runs <= runs_at_most, runs
    assert sts.calls == []


# --- G39 -----------------------------------------------------------------------------------------------------------

CHAINS, DEPTH = 250, 20


def _huge_config(home) -> None:
    """5,000 profiles in 250 chains of 20: cN-0 holds keys (credentials file), cN-K assumes a role on cN-(K-1)."""
    padding = "x" * 300
    config, credentials = [], []
    for chain in range(CHAINS):
        credentials.append(f"[c{chain}-0]\naws_access_key_id = AKIAIOSFODNN7{chain:07d}\n"
                           f"aws_secret_access_key = secret/{chain}\n")
        config.append(f"[profile c{chain}-0]\nregion = us-east-1\nx_note = {padding}\n")
        for depth in range(1, DEPTH):
            config.append(f"[profile c{chain}-{depth}]\nrole_arn = {ROLE.format(f'r{chain}-{depth}')}\n"
                          f"source_profile = c{chain}-{depth - 1}\nregion = eu-west-1\nx_note = {padding}\n")
    home.config.parent.mkdir(parents=True, exist_ok=True)
    home.config.write_text("".join(config))
    home.credentials.write_text("".join(credentials))


def _botocore_chain(profiles: dict, name: str) -> list[str]:
    """The source_profile chain as botocore's assume-role provider walks it, root first, from its own full_config."""
    chain = [name]
    while "role_arn" in profiles[chain[-1]] and not ("aws_access_key_id" in profiles[chain[-1]]
                                                     and len(chain) > 1):
        chain.append(profiles[chain[-1]]["source_profile"])
    return list(reversed(chain))


def test_g39_five_thousand_profiles_list_and_explain_agree_with_botocore_without_calls(home, sts):
    """Speed is measured by `make bench`; here the results, and that nothing but the files was asked."""
    import botocore.session

    _huge_config(home)
    assert home.config.stat().st_size > 1_900_000
    session = botocore.session.Session()
    session.set_config_variable("config_file", str(home.config))
    session.set_config_variable("credentials_file", str(home.credentials))
    profiles = session.full_config["profiles"]
    env = home.env(PYTHON_KEYRING_BACKEND="tests.keyring_backends.NeverAsked", PYTHONPATH=REPO)

    listed = home.run("list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = {row["profile"]: row for row in json.loads(listed.stdout)}
    assert set(rows) == set(profiles)
    for name, row in rows.items():
        assert row["problem"] is None, row
        assert row["region"] == profiles[name].get("region")
        assert row["flow"] == ("role" if "role_arn" in profiles[name] else "user")
        assert row["chain"] == _botocore_chain(profiles, name), name

    for name in (f"c{CHAINS - 1}-{DEPTH - 1}",):
        explained = home.run("explain", name, "--json", env=env)
        assert explained.returncode == 0, explained.stderr
        plan = json.loads(explained.stdout)
        chain = _botocore_chain(profiles, name)
        assert plan["chain"] == chain
        assert [s["params"]["RoleArn"] for s in plan["steps"][1:]] == [profiles[p]["role_arn"] for p in chain[1:]]
        assert plan["steps"][0]["profile"] == chain[0]
    assert sts.calls == []
