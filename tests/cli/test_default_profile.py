"""PROFILE left out: $AWS_PROFILE when it is set (said on stderr), before any picker; `exec -- CMD` too."""

from __future__ import annotations

import pytest

from tests.helpers import parse_posix_exports

pytestmark = pytest.mark.in_process

KEY = "AKIAIOSFODNN7DEFAULT"


def _profiles(home) -> None:
    home.write_config("[profile dev]\nregion = eu-west-1\ncredential_process = true\n"
                      "[profile other]\nregion = us-west-2\n")
    home.write_credentials(f"[dev]\naws_access_key_id = {KEY}\naws_secret_access_key = dev/secret\n"
                           "[other]\naws_access_key_id = AKIAIOSFODNN7OTHERKY\naws_secret_access_key = o\n")


def test_aws_profile_is_the_default_profile_with_no_terminal(home, sts):
    _profiles(home)
    done = home.run("export", "--shell", "sh", env=home.env(AWS_PROFILE="dev"))
    assert done.returncode == 0, done.stderr
    assert "using profile 'dev' from $AWS_PROFILE" in done.stderr
    exported = parse_posix_exports(done.stdout)
    assert exported["AWSENV_PROFILE"] == "dev" and exported["AWS_REGION"] == "eu-west-1"
    assert [c.caller for c in sts.calls] == [KEY]  # the user flow on dev's keys
    # A PROFILE on the command line wins, and nothing is said about $AWS_PROFILE.
    named = home.run("export", "other", "--shell", "sh", env=home.env(AWS_PROFILE="dev"))
    assert named.returncode == 0 and "AWS_PROFILE" not in named.stderr
    assert parse_posix_exports(named.stdout)["AWSENV_PROFILE"] == "other"


@pytest.mark.process
def test_exec_without_profile_uses_aws_profile(home, sts):
    _profiles(home)
    env = home.env(AWS_PROFILE="dev")
    done = home.run("exec", "--region", "ap-south-1", "--", "sh", "-c",
                    'printf "%s %s" "$AWSENV_PROFILE" "$AWS_REGION"', env=env)
    assert (done.returncode, done.stdout) == (0, "dev ap-south-1"), done.stderr
    bare = home.run("exec", "--", "printenv", "AWSENV_PROFILE", env=env)
    assert (bare.returncode, bare.stdout) == (0, "dev\n"), bare.stderr
    # With a PROFILE the command is still the command.
    named = home.run("exec", "other", "--", "printenv", "AWSENV_PROFILE", env=env)
    assert named.stdout == "other\n"


@pytest.mark.process
def test_without_aws_profile_and_without_a_terminal_it_is_a_usage_error(home, sts):
    _profiles(home)
    for args in (("export", "--shell", "sh"), ("exec", "--", "true"), ("credential-process",)):
        done = home.run(*args)
        assert (done.returncode, done.stdout) == (2, ""), (args, done.stderr)
        assert "needs a PROFILE" in done.stderr
    assert sts.calls == []
