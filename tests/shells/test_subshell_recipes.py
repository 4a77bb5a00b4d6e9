"""How each shell is started as a subshell, for the shells that cannot run here, and the nesting rule."""

from __future__ import annotations

import pytest

from awsenv.shells.subshells import recipe, static_label

pytestmark = pytest.mark.in_process

HOSTILE_PROFILE = "prod'; rm -rf ~ #$(id)%PATH%&|!"


def test_static_label_keeps_only_characters_no_prompt_interprets():
    assert static_label("prod-eu.1") == "(aws:prod-eu.1)"
    label = static_label(HOSTILE_PROFILE)
    assert label.startswith("(aws:prod") and label.endswith(")")
    assert not set(label[1:-1]) & set("'; #$()%&|!~")


def test_pwsh_reads_the_profile_from_the_environment_not_from_its_arguments(tmp_path):
    plan = recipe("pwsh", "/usr/bin/pwsh", str(tmp_path), {"HOME": str(tmp_path)}, HOSTILE_PROFILE)
    assert plan.argv[:3] == ["/usr/bin/pwsh", "-NoExit", "-Command"]
    assert "$Env:AWSENV_PROFILE" in plan.argv[3] and "function global:prompt" in plan.argv[3]
    assert "prod" not in " ".join(plan.argv) and not plan.files


def test_cmd_prompt_uses_the_safe_label(tmp_path):
    plan = recipe("cmd", "C:\\Windows\\System32\\cmd.exe", str(tmp_path), {}, HOSTILE_PROFILE)
    assert plan.argv[:2] == ["C:\\Windows\\System32\\cmd.exe", "/k"]
    assert plan.argv[2] == "prompt " + static_label(HOSTILE_PROFILE) + " $P$G"


@pytest.mark.process
def test_nested_shell_is_refused_before_any_call(home, sts):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    done = home.run("shell", "dev", "--shell", "bash", env=home.env(AWSENV_PROFILE="ops"))
    assert (done.returncode, done.stdout) == (2, "")
    assert "'ops'" in done.stderr and "--force" in done.stderr
    assert sts.calls == []


@pytest.mark.process
def test_force_starts_the_shell_anyway_and_returns_its_status(home, sts):
    home.write_config("[profile dev]\nregion = eu-west-1\n")
    home.write_credentials("[dev]\naws_access_key_id = AKIAIOSFODNN7DEVKEY1\naws_secret_access_key = dev/secret\n")
    done = home.run("shell", "dev", "--shell", "bash", "--force", env=home.env(AWSENV_PROFILE="ops"),
                    input='[ "$AWSENV_PROFILE" = dev ] && [ -n "$AWS_SESSION_TOKEN" ] && exit 5\nexit 9\n')
    assert done.returncode == 5, done.stderr
    assert "replacing the credentials of profile 'ops' with 'dev'" in done.stderr
    assert len(sts.calls) == 1
