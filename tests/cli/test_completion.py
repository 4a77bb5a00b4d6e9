"""Shell completion (Typer's) completes commands, options and the profile names from the user's config."""

from __future__ import annotations
import pytest

pytestmark = pytest.mark.in_process


def _complete(home, words: str) -> list[str]:
    parts = words.split(" ")
    done = home.run(env=home.env(_AWSENV_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1)))
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_profile_names_complete(home):
    home.write_config("[profile prod]\n[profile prod-eu]\n[profile dev]\n")
    assert sorted(_complete(home, "awsenv role pr")) == ["prod", "prod-eu"]


def test_commands_and_options_complete(home):
    home.write_config("[profile dev]\n")
    assert _complete(home, "awsenv expo") == ["export"]
    assert _complete(home, "awsenv user dev --sh") == ["--shell"]
    assert "fish" in _complete(home, "awsenv user dev --shell f")
