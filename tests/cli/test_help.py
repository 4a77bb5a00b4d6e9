"""`awsenv --help` lists every command with a whole one-line summary, and each command lists only the options that do
something for it (the simple forms, parsed without Typer, refuse what Typer refuses)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from awsenv.cli import fast
from awsenv.cli.full import app

COMMON = {"--help", "-h"}
CREDENTIALS = {"--region", "--no-cache", "--write-profile", "--overwrite-profile"}
SSO_SIGN_IN = {"--no-browser", "--use-device-code"}
DIALECT = {"--shell", "--format"}
MFA_DURATION = {"--mfa-code", "--duration"}
LISTED = {
    "user": CREDENTIALS | DIALECT | MFA_DURATION | {"--server"},
    "role": CREDENTIALS | DIALECT | MFA_DURATION | SSO_SIGN_IN | {"--server"},  # a role's source may be an SSO profile
    "sso": CREDENTIALS | DIALECT | SSO_SIGN_IN | {"--server"},
    "export": CREDENTIALS | DIALECT | MFA_DURATION | SSO_SIGN_IN | {"--server"},
    "exec": CREDENTIALS | MFA_DURATION | SSO_SIGN_IN | {"--server"},
    "shell": CREDENTIALS | MFA_DURATION | SSO_SIGN_IN | {"--server", "--shell", "--force"},
    "credential-process": CREDENTIALS | MFA_DURATION | SSO_SIGN_IN,
    "unset": DIALECT,
    "login": SSO_SIGN_IN | {"--force", "--if-needed", "--aws-login", "--remote", "--region"},
}


def _help(*args: str, columns: int = 80) -> str:
    done = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": str(columns)}, prog_name="awsenv")
    assert done.exit_code == 0, done.output
    return done.output


def _listed_commands(text: str) -> dict[str, str]:
    """The Commands section as {name: summary}, a summary's wrapped lines joined."""
    section = text.split("Commands:\n", 1)[1]
    listed: dict[str, str] = {}
    name = None
    for line in section.splitlines():
        match = re.match(r"  (\S+)\s{2,}(.*)", line)
        if match:
            name, listed[match[1]] = match[1], match[2].strip()
        elif line.strip() and name:
            listed[name] += " " + line.strip()
    return listed


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("group", [(), ("keys",), ("cache",)])
def test_every_command_has_a_whole_summary(group, columns):
    text = _help(*group, columns=columns)
    assert not [line for line in text.splitlines()[1:] if line.rstrip().endswith("...")]  # after the usage line
    listed = _listed_commands(text)
    import typer.main

    click_group = typer.main.get_command(app)
    for word in group:
        click_group = click_group.commands[word]
    assert set(listed) == {name for name, command in click_group.commands.items() if not command.hidden}
    for name, summary in listed.items():
        command = click_group.commands[name]
        assert command.short_help and summary == command.short_help, name  # said in full, not cut from the help
        assert summary[0].isupper() and summary.endswith("."), name


def _options(text: str) -> set[str]:
    section = text.split("Options:\n", 1)[1]
    return {word.rstrip(",") for word in re.findall(r"^\s+(-[-\w]+(?:,\s+-[-\w]+)?)", section, re.M)
            for word in word.split(", ")}


@pytest.mark.parametrize("command", sorted(LISTED))
def test_a_command_lists_the_options_that_do_something_for_it(command):
    assert _options(_help(command)) == LISTED[command] | COMMON


def test_user_refuses_the_sso_options_on_every_path():
    for option in sorted(SSO_SIGN_IN):
        done = CliRunner().invoke(app, ["user", "dev", option], prog_name="awsenv")
        assert done.exit_code == 2 and "No such option" in done.output, option
    assert fast.parse(["user", "dev", "--no-browser"]) is None  # the simple form leaves it to Typer
    assert fast.parse(["role", "dev", "--no-browser"]) is not None
    assert fast.parse(["export", "dev", "--no-browser"]) is not None


def test_options_hidden_for_a_command_are_still_accepted():
    """The interface promises --shell/--format to every credential command: where they choose nothing, they are
    left out of the help but not refused (Typer and the simple form agree)."""
    import typer.main

    commands = typer.main.get_command(app).commands
    for name, options in (("exec", DIALECT), ("credential-process", DIALECT), ("sso", MFA_DURATION)):
        accepted = {opt for param in commands[name].params for opt in param.opts}
        assert options <= accepted, name
    assert fast.parse(["credential-process", "dev", "--shell", "fish"]) is not None
