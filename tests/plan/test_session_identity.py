"""source_identity, session_tags and transitive_session_tags: STS's rules checked in the plan, before any call."""

from __future__ import annotations

import pytest

from awsenv.cache.store import CredentialCache
from awsenv.config import profiles as config
from awsenv.errors import ConfigError
from awsenv.model import AssumeRole
from awsenv.plan.rules import resolve_plan
from awsenv.resolve.engine import Engine, FlowOptions

KEYS = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n"


def _config(tmp_path, text: str):
    (tmp_path / "config").write_text(text)
    (tmp_path / "credentials").write_text(f"[base]\n{KEYS}")
    return config.load({"AWS_CONFIG_FILE": str(tmp_path / "config"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")})


def _role(name: str, source: str = "base", **keys: str) -> str:
    lines = [f"[profile {name}]", f"role_arn = arn:aws:iam::111111111111:role/{name}", f"source_profile = {source}"]
    lines += [f"{k} = {v}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def test_the_three_keys_become_the_assume_role_parameters(tmp_path):
    text = _role("prod", source_identity="alice@example.com",
                 session_tags=" team = core , cost-center=42, note=á b:c/d+e@f ", transitive_session_tags="TEAM")
    step = resolve_plan(_config(tmp_path, text), "prod").steps[-1]
    assert isinstance(step, AssumeRole)
    assert step.source_identity == "alice@example.com"
    assert step.tags == (("team", "core"), ("cost-center", "42"), ("note", "á b:c/d+e@f"))
    assert step.transitive_tag_keys == ("team",)  # named as session_tags names it


def test_an_empty_value_is_allowed_and_a_value_may_hold_an_equals_sign(tmp_path):
    step = resolve_plan(_config(tmp_path, _role("prod", session_tags="flag=,expr=a=b")), "prod").steps[-1]
    assert step.tags == (("flag", ""), ("expr", "a=b"))


BAD = [
    ("source_identity", "a", "source_identity"),
    ("source_identity", "x" * 65, "source_identity"),
    ("source_identity", "alice smith", "source_identity"),
    ("source_identity", "aws:alice", "aws:"),
    ("source_identity", "älice", "source_identity"),
    ("session_tags", "team", "no `=`"),
    ("session_tags", "=core", "0 characters"),
    ("session_tags", "k" * 129 + "=v", "129 characters"),
    ("session_tags", "k=" + "v" * 257, "257 characters"),
    ("session_tags", "team=a#b", "character STS refuses"),
    ("session_tags", "te$am=a", "character STS refuses"),
    ("session_tags", "aws:team=a", "aws:"),
    ("session_tags", "Team=a,team=b", "twice"),
    ("session_tags", "a=1,,b=2", "empty entry"),
    ("session_tags", ",".join(f"k{n}=v" for n in range(51)), "51 tags"),
]


@pytest.mark.parametrize("key,value,said", BAD)
def test_each_bad_value_is_refused_naming_the_profile_and_the_key(tmp_path, key, value, said):
    with pytest.raises(ConfigError) as refused:
        resolve_plan(_config(tmp_path, _role("prod", **{key: value})), "prod")
    assert "profile 'prod'" in refused.value.message
    assert key in refused.value.message
    assert said in refused.value.message


def test_fifty_tags_are_allowed(tmp_path):
    tags = ",".join(f"k{n}=v" for n in range(50))
    assert len(resolve_plan(_config(tmp_path, _role("prod", session_tags=tags)), "prod").steps[-1].tags) == 50


def test_a_transitive_key_must_be_a_session_tag(tmp_path):
    with pytest.raises(ConfigError) as refused:
        resolve_plan(_config(tmp_path, _role("prod", session_tags="team=core", transitive_session_tags="team,env")),
                     "prod")
    assert "profile 'prod'" in refused.value.message and "transitive_session_tags" in refused.value.message
    assert "'env'" in refused.value.message


def test_every_hop_sends_what_its_own_profile_names(tmp_path):
    text = (_role("mid", source_identity="alice", session_tags="team=core", transitive_session_tags="team")
            + _role("top", source="mid", session_tags="env=prod"))
    plan = resolve_plan(_config(tmp_path, text), "top")
    mid, top = plan.steps[1], plan.steps[2]
    assert (mid.source_identity, mid.tags, mid.transitive_tag_keys) == ("alice", (("team", "core"),), ("team",))
    assert (top.source_identity, top.tags, top.transitive_tag_keys) == (None, (("env", "prod"),), ())
    assert any("top: carries the source identity alice that mid set" in note for note in plan.notes)
    assert any("top: inherits the transitive session tags team" in note for note in plan.notes)


def test_a_later_hop_may_repeat_the_source_identity_but_not_change_it(tmp_path):
    same = _role("mid", source_identity="alice") + _role("top", source="mid", source_identity="alice")
    assert resolve_plan(_config(tmp_path, same), "top").steps[-1].source_identity == "alice"
    other = _role("mid", source_identity="alice") + _role("top", source="mid", source_identity="bob")
    with pytest.raises(ConfigError) as refused:
        resolve_plan(_config(tmp_path, other), "top")
    assert "profile 'top'" in refused.value.message and "source_identity 'bob'" in refused.value.message
    assert "profile 'mid'" in refused.value.message
    # The first hop alone is fine: the rule belongs to the chain.
    assert resolve_plan(_config(tmp_path, other), "mid").steps[-1].source_identity == "alice"


def test_a_later_hop_cannot_set_an_inherited_transitive_tag(tmp_path):
    text = (_role("mid", session_tags="team=core", transitive_session_tags="team")
            + _role("top", source="mid", session_tags="TEAM=other"))
    with pytest.raises(ConfigError) as refused:
        resolve_plan(_config(tmp_path, text), "top")
    assert "profile 'top'" in refused.value.message and "session_tags" in refused.value.message
    # A tag that was not transitive may be set again further up.
    plain = _role("mid", session_tags="team=core") + _role("top", source="mid", session_tags="team=other")
    assert resolve_plan(_config(tmp_path, plain), "top").steps[-1].tags == (("team", "other"),)


def test_a_non_role_profile_says_its_keys_are_not_used(tmp_path):
    text = "[profile base]\nsession_tags = team=core\n"
    plan = resolve_plan(_config(tmp_path, text), "base")
    assert any("not a role profile" in note for note in plan.notes)


def test_a_web_identity_role_cannot_send_them(tmp_path):
    token = tmp_path / "token"
    token.write_text("t")
    text = ("[profile pod]\nrole_arn = arn:aws:iam::111111111111:role/pod\n"
            f"web_identity_token_file = {token}\nsource_identity = alice\n")
    with pytest.raises(ConfigError) as refused:
        resolve_plan(_config(tmp_path, text), "pod")
    assert "profile 'pod'" in refused.value.message and "AssumeRoleWithWebIdentity" in refused.value.message


def _final_key(tmp_path, **keys: str) -> str:
    plan = resolve_plan(_config(tmp_path, _role("prod", **keys)), "prod")
    return Engine(config.load({"AWS_CONFIG_FILE": str(tmp_path / "config"),
                               "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")}),
                  FlowOptions(), CredentialCache(str(tmp_path / "cache"))).step_key(plan, len(plan.steps) - 1)


def test_the_cache_key_differs_when_tags_or_source_identity_differ(tmp_path):
    plain = _final_key(tmp_path)
    keys = {plain,
            _final_key(tmp_path, source_identity="alice"),
            _final_key(tmp_path, source_identity="bob"),
            _final_key(tmp_path, session_tags="team=core"),
            _final_key(tmp_path, session_tags="team=other"),
            _final_key(tmp_path, session_tags="team=core", transitive_session_tags="team")}
    assert len(keys) == 6
    assert _final_key(tmp_path, session_tags="") == plain  # no tags: the key entries had before stays


def test_tags_on_a_lower_hop_change_the_key_of_the_hop_above(tmp_path):
    def top_key(mid_tags: str) -> str:
        (tmp_path / "config").write_text(_role("mid", session_tags=mid_tags) + _role("top", source="mid"))
        loaded = config.load({"AWS_CONFIG_FILE": str(tmp_path / "config"),
                              "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")})
        plan = resolve_plan(loaded, "top")
        return Engine(loaded, FlowOptions(), CredentialCache(str(tmp_path / "cache"))).step_key(plan, 2)

    (tmp_path / "credentials").write_text(f"[base]\n{KEYS}")
    assert top_key("team=a") != top_key("team=b")


def test_mfa_prompt_is_not_part_of_the_cache_key(tmp_path):
    serial = "arn:aws:iam::123456789012:mfa/alice"
    assert _final_key(tmp_path, mfa_serial=serial, duration_seconds="7200") == \
        _final_key(tmp_path, mfa_serial=serial, duration_seconds="7200", mfa_prompt="zenity")
    plan = resolve_plan(_config(tmp_path, _role("prod", mfa_serial=serial, duration_seconds="7200",
                                                mfa_prompt="Zenity")), "prod")
    assert plan.steps[-1].mfa_prompt == "zenity"
    with pytest.raises(ConfigError) as refused:
        resolve_plan(_config(tmp_path, _role("prod", mfa_serial=serial, mfa_prompt="popup")), "prod")
    assert "profile 'prod'" in refused.value.message and "mfa_prompt" in refused.value.message
