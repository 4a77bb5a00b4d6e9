"""Who is calling, against the STS gate: every AssumeRole of a chain carries the SourceIdentity, Tags and
TransitiveTagKeys its profile names; a bad value is refused before any request; the cache keeps tagged and untagged
credentials apart; explain, credential-process, the console and the credential server's renewals send the same."""

from __future__ import annotations

import json

import pytest

from tests.server.children import CALL_ACROSS_RENEWALS, python

pytestmark = pytest.mark.process

MID = "arn:aws:iam::333333333333:role/mid"
TOP = "arn:aws:iam::444444444444:role/top"

CONFIG = f"""\
    [profile base]
    region = us-east-1
    [profile mid]
    role_arn = {MID}
    source_profile = base
    source_identity = alice@example.com
    session_tags = team=core, project=blue sky
    transitive_session_tags = team
    [profile top]
    role_arn = {TOP}
    source_profile = mid
    session_tags = env=prod
    region = eu-west-1
    """


@pytest.fixture
def chain(home):
    home.write_base_keys()
    home.write_config(CONFIG)
    return home


def _assumed(sts) -> list:
    return [c for c in sts.calls if c.action == "AssumeRole"]


def _check_chain_calls(sts) -> None:
    mid, top = _assumed(sts)
    assert (mid.params["RoleArn"], mid.status) == (MID, 200)
    assert mid.source_identity == "alice@example.com"
    assert mid.tags == {"team": "core", "project": "blue sky"}
    assert mid.transitive_tag_keys == ["team"]
    assert (top.params["RoleArn"], top.status) == (TOP, 200)
    assert top.source_identity is None  # inherited, not sent again
    assert top.tags == {"env": "prod"} and top.transitive_tag_keys == []
    session = sts.sessions[top.issued]  # what STS would keep for the final session
    assert session.source_identity == "alice@example.com"
    assert session.transitive == {"team": ("team", "core")}


def test_every_hop_carries_what_its_profile_names(chain, sts):
    done = chain.run("role", "top", "--shell", "bash")
    assert done.returncode == 0, done.stderr
    _check_chain_calls(sts)


def test_explain_shows_the_parameters_that_are_then_sent(chain, sts):
    shown = chain.run("explain", "top")
    assert shown.returncode == 0, shown.stderr
    assert "source identity alice@example.com" in shown.stdout
    assert "session tags {team=core (transitive), project=blue sky}" in shown.stdout
    assert "session tags {env=prod}" in shown.stdout
    assert "top: carries the source identity alice@example.com that mid set" in shown.stdout
    doc = json.loads(chain.run("explain", "top", "--json").stdout)
    assert sts.calls == []
    planned = [step["params"] for step in doc["steps"] if step["api"] == "sts:AssumeRole"]
    assert planned[0]["SourceIdentity"] == "alice@example.com"
    assert planned[0]["Tags"] == [{"Key": "team", "Value": "core"}, {"Key": "project", "Value": "blue sky"}]
    assert planned[0]["TransitiveTagKeys"] == ["team"]
    assert planned[1]["Tags"] == [{"Key": "env", "Value": "prod"}] and "SourceIdentity" not in planned[1]
    assert chain.run("role", "top").returncode == 0
    sent = [(c.source_identity, [{"Key": k, "Value": v} for k, v in c.tags.items()], c.transitive_tag_keys)
            for c in _assumed(sts)]
    assert sent == [(p.get("SourceIdentity"), p.get("Tags", []), p.get("TransitiveTagKeys", [])) for p in planned]


BAD = {
    "short-identity": ("source_identity = a", "source_identity"),
    "reserved-identity": ("source_identity = aws:alice", "source_identity"),
    "spaced-identity": ("source_identity = alice smith", "source_identity"),
    "no-equals": ("session_tags = team", "session_tags"),
    "long-key": ("session_tags = " + "k" * 129 + "=v", "session_tags"),
    "long-value": ("session_tags = k=" + "v" * 257, "session_tags"),
    "bad-char": ("session_tags = team=a#b", "session_tags"),
    "reserved-key": ("session_tags = aws:team=a", "session_tags"),
    "case-twice": ("session_tags = Team=a, team=b", "session_tags"),
    "too-many": ("session_tags = " + ",".join(f"k{n}=v" for n in range(51)), "session_tags"),
    "stray-transitive": ("session_tags = a=1\ntransitive_session_tags = b", "transitive_session_tags"),
    "changed-identity": ("source_profile = mid\nsource_identity = bob", "source_identity"),
    "inherited-tag": ("source_profile = mid\nsession_tags = TEAM=x", "session_tags"),
}


def test_each_bad_value_is_refused_before_any_request(home, sts):
    home.write_base_keys()
    text = CONFIG
    for name, (lines, _) in BAD.items():
        source = "" if "source_profile" in lines else "source_profile = base\n"
        text += f"[profile {name}]\nrole_arn = {TOP}\n{source}{lines}\n"
    home.write_config(text)
    for name, (_, key) in BAD.items():
        for command in ("role", "credential-process", "explain"):
            done = home.run(command, name)
            assert done.returncode == 2, (name, command, done.stderr)
            assert done.stdout == ""
            assert f"profile {name!r}" in done.stderr and key in done.stderr, (name, done.stderr)
    assert sts.calls == []


def test_the_cache_keeps_credentials_tagged_otherwise_apart(chain, sts):
    assert chain.run("role", "top").returncode == 0
    assert chain.run("role", "top").returncode == 0
    assert len(_assumed(sts)) == 2  # the second run: both hops from the cache
    chain.write_config(CONFIG.replace("env=prod", "env=staging"))
    assert chain.run("role", "top").returncode == 0
    assert [c.params["RoleArn"] for c in _assumed(sts)] == [MID, TOP, TOP]  # mid's session still serves
    assert _assumed(sts)[-1].tags == {"env": "staging"}
    chain.write_config(CONFIG.replace("alice@example.com", "carol"))
    assert chain.run("role", "top").returncode == 0
    assert [c.params["RoleArn"] for c in _assumed(sts)][3:] == [MID, TOP]  # a new source identity: a new chain
    assert _assumed(sts)[3].source_identity == "carol"


def test_credential_process_sends_them(chain, sts):
    done = chain.run("credential-process", "top")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Version"] == 1
    _check_chain_calls(sts)


def test_console_sign_in_sends_them(chain, sts, federation):
    done = chain.run("console", "top", "--print", env=chain.env(AWSENV_SIGNIN_URL=federation.url))
    assert done.returncode == 0, done.stderr
    _check_chain_calls(sts)
    assert [s["sessionId"] for s in federation.sessions] == [_assumed(sts)[-1].issued]


def test_the_credential_servers_renewals_send_them(chain, sts, tmp_path):
    sts.lifetime = 8  # seconds: the command outlives two sets of credentials
    done = chain.run("exec", "--server", "top", "--", *python(tmp_path, "calls.py", CALL_ACROSS_RENEWALS), "2",
                     env=chain.env(AWSENV_SERVER_MIN_TTL="4"), timeout=120)
    assert done.returncode == 0, done.stderr
    assumed = _assumed(sts)
    renewed = [c for c in assumed if c.params["RoleArn"] == TOP]
    assert len(renewed) >= 2
    assert all(c.tags == {"env": "prod"} for c in renewed)
    assert all(c.source_identity == "alice@example.com" and c.transitive_tag_keys == ["team"]
               for c in assumed if c.params["RoleArn"] == MID)
    assert all(sts.sessions[c.issued].source_identity == "alice@example.com" for c in renewed)
