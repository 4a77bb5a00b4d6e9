"""Every `awsenv` command in the README and docs/*.md runs as written.

The shell code blocks (```sh, ```shell, ```bash, …; illustrative output is fenced ```text and left alone) are read,
and every `awsenv …` command in them (also inside `eval "$(…)"`, a pipe or a nushell/elvish/xonsh form, and the
`credential_process = awsenv …` lines of ```ini blocks) is checked against the help awsenv prints: the command path
(`awsenv keys import`) and every option must be listed by `awsenv <command> --help`. The commands that need no AWS
(`--help`, `--version`, `init`, `explain`, `list`, `cache list`, `unset`, `keys list`) are run, against a config
the test writes holding the profiles the docs name. The config examples (```ini) must read as the AWS CLI reads
them: no inline comment, which its parser would keep as part of the value. docs/reference.md has a section for every
command, names every option some --help lists, and names under each command only options that command takes."""

from __future__ import annotations

import configparser
import contextlib
import io
import os
import re
import shlex
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from awsenv.cli.full import run as run_in_process
from tests import inprocess
from tests.helpers import AWSENV

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SHELL_FENCES = {"sh", "shell", "bash", "zsh", "fish", "tcsh", "pwsh", "powershell", "nu", "elvish", "xonsh"}
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```", re.M | re.S)
# `awsenv` as a command word: at the start, or after a space, `(`, `$(`, a backtick or a quote
COMMAND_START = re.compile(r"(?:(?<=^)|(?<=[\s(`\"]))awsenv(?=\s|$)")
RUNNABLE = {("init",), ("explain",), ("list",), ("cache", "list"), ("unset",), ("keys", "list")}

SAMPLE_CONFIG = """\
[default]
region = eu-west-1

[profile dev]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile base]
region = eu-west-1

[profile prod]
role_arn = arn:aws:iam::210987654321:role/Admin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile staging]
role_arn = arn:aws:iam::210987654322:role/Admin
source_profile = dev

[profile dev-sso]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
"""
SAMPLE_CREDENTIALS = """\
[dev]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLF
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ
"""


def _blocks(page: Path) -> list[tuple[str, str, int]]:
    """(fence language, body, line number of the body's first line) of every fenced block of `page`."""
    text = page.read_text()
    return [(m.group(1).lower(), m.group(2), text.count("\n", 0, m.start(2)) + 1) for m in FENCE.finditer(text)]


def _command_at(line: str, start: int) -> str:
    """The `awsenv …` command starting at `start`, up to the shell syntax that ends it outside quotes: `)`, `|`,
    `;`, `&`, a backtick, or a `#` comment."""
    quote, index = None, start
    while index < len(line):
        char = line[index]
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            if char == '"' and line.rfind('"', index + 1) == -1:
                break  # the quote closing an outer "$(…)"
            quote = char
        elif char in ")|;&`" or (char == "#" and line[index - 1].isspace()):
            break
        index += 1
    return line[start:index].strip()


def _code_part(line: str) -> str:
    """`line` without its comment (a `#` after a space, outside quotes)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def _commands() -> list[tuple[str, str]]:
    """(where, command) for every awsenv command in a shell block, and every credential_process line running awsenv."""
    found = []
    for page in PAGES:
        for language, body, first in _blocks(page):
            joined = body.replace("\\\n", " ")
            for offset, line in enumerate(joined.splitlines()):
                where = f"{page.relative_to(REPO)}:{first + offset}"
                if language in SHELL_FENCES:
                    code = _code_part(line)
                    found += [(where, _command_at(code, m.start())) for m in COMMAND_START.finditer(code)]
                elif language == "ini":
                    value = re.match(r"\s*credential_process\s*=\s*(awsenv\s.*)$", line)
                    if value:
                        found.append((where, value.group(1).strip()))
    return found


@lru_cache(maxsize=None)
def _help(path: tuple[str, ...]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_in_process([*path, "--help"])
    assert code == 0, f"awsenv {' '.join(path)} --help: exit {code}\n{err.getvalue()}"
    return out.getvalue()


def _section(help_text: str, title: str) -> list[str]:
    match = re.search(rf"^{title}:\n(.*?)(?:\n\S|\Z)", help_text, re.M | re.S)
    return match.group(1).splitlines() if match else []


def _subcommands(help_text: str) -> set[str]:
    return {m.group(1) for line in _section(help_text, "Commands") if (m := re.match(r"^  (\S+)", line))}


def _options(help_text: str) -> dict[str, str]:
    """Every option the help lists: its names, each with "value" (takes one), "optional" ([VALUE]) or "flag"."""
    options = {}
    for line in _section(help_text, "Options"):
        match = re.match(r"^  (-[^ ].*?)(?:\s{2,}|$)", line)
        if not match:
            continue
        spec = match.group(1)
        names = re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", spec)
        words = [w for w in spec.replace(",", " ").split() if not w.startswith("-")]
        kind = "flag" if not words else ("optional" if words[0].startswith("[") else "value")
        for name in names:
            options[name] = kind
    return options


def check(command: str) -> tuple[tuple[str, ...], list[str]]:
    """The command path of `command` (e.g. ("keys", "import")) and its words, or an AssertionError naming what the
    help does not list."""
    words = shlex.split(command)
    assert words[0] == "awsenv", command
    index, path = 1, ()
    while index < len(words) and words[index].startswith("-"):  # global options: --debug, --version, --help
        name = words[index].split("=")[0]
        assert name in _options(_help(())), f"`{command}`: awsenv has no global option {name}"
        index += 1
    while index < len(words):
        listed = _subcommands(_help(path))
        if not listed:
            break
        word = words[index]
        assert word in listed, f"`{command}`: no command `awsenv {' '.join((*path, word))}` (known: {sorted(listed)})"
        path, index = (*path, word), index + 1
    options = _options(_help(path))
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            break  # the command exec runs
        if not word.startswith("-") or word == "-":
            continue
        name, has_value, _ = word.partition("=")
        assert name in options, f"`{command}`: `awsenv {' '.join(path)}` has no option {name} (its --help lists " \
                                f"{sorted(options)})"
        if options[name] == "value" and not has_value:
            index += 1
    return path, words


COMMANDS = _commands()


def test_the_docs_hold_commands_to_check():
    pages = {where.split(":")[0] for where, _ in COMMANDS}
    assert "README.md" in pages and len(pages) >= 6, pages
    assert len(COMMANDS) >= 60


@pytest.mark.parametrize("where,command", COMMANDS, ids=[w for w, _ in COMMANDS])
def test_every_command_and_option_exists(where, command):
    check(command)


@pytest.mark.parametrize("misspelled", ["awsenv role prod --durations 1h", "awsenv rolle prod",
                                        "awsenv keys imports --all", "awsenv exec --sever prod -- true",
                                        "awsenv --debugg list", "awsenv cache lst"])
def test_a_misspelled_command_or_option_is_caught(misspelled):
    with pytest.raises(AssertionError):
        check(misspelled)


@pytest.fixture(scope="module")
def sample_env(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("home")
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text(SAMPLE_CONFIG)
    (home / ".aws" / "credentials").write_text(SAMPLE_CREDENTIALS)
    (home / ".aws" / "credentials").chmod(0o600)
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TERM")}
    return {**keep, "HOME": str(home), "SHELL": "/bin/bash", "AWS_EC2_METADATA_DISABLED": "true"}


def _runnable(command: str) -> bool:
    """Read from the words alone (collection asks no help): test_every_command_and_option_exists checks them."""
    words = shlex.split(command)[1:]
    if words[:1] in (["--help"], ["--version"]):
        return True
    while words and words[0].startswith("-"):  # global options (--debug)
        words = words[1:]
    return any(tuple(words[:len(path)]) == path for path in RUNNABLE)


RUNS = list({command: (where, command) for where, command in reversed(COMMANDS) if _runnable(command)}.values())


@pytest.mark.parametrize("where,command", RUNS, ids=[w for w, _ in RUNS])
def test_the_commands_that_need_no_aws_run(where, command, sample_env):
    argv = shlex.split(command)[1:]
    if inprocess.can_run_here(argv):  # the binary's entry, in this process (tests/inprocess.py)
        code, stdout, stderr = inprocess.run(argv, sample_env, None, sample_env["HOME"])
    else:
        done = subprocess.run([AWSENV, *argv], env=sample_env, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL, cwd=sample_env["HOME"])
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
    assert code == 0, f"{where}: `{command}` exit {code}\n{stderr}"
    assert (stdout + stderr).strip(), f"{where}: `{command}` printed nothing"


def test_the_runnable_commands_are_there():
    paths = {check(command)[0] for _, command in RUNS}
    assert {("init",), ("explain",), ("list",)} <= paths, paths


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_config_examples_read_as_the_aws_cli_reads_them(page):
    for language, body, first in _blocks(page):
        if language != "ini":
            continue
        parser = configparser.RawConfigParser()  # as botocore reads the files: no inline comments
        parser.read_string(body, source=f"{page.name}:{first}")
        for section in parser.sections():
            for key, value in parser.items(section):
                assert not re.search(r"\s[#;]", value), \
                    f"{page.name}:{first}: [{section}] {key} = {value!r}: the comment would be part of the value"


def _reference() -> dict[tuple[str, ...], set[str]]:
    """docs/reference.md: each `### `awsenv COMMAND …`` heading's command path, with the options its section
    names (in its list items, and in a sentence "Options as for …" by name)."""
    sections: dict[tuple[str, ...], set[str]] = {}
    current = None
    for line in (REPO / "docs" / "reference.md").read_text().splitlines():
        heading = re.match(r"^### `awsenv((?: [a-z][a-z-]*)*)", line)
        if heading:
            current = tuple(heading.group(1).split())
            sections[current] = set()
        elif line.startswith("## "):
            current = None
        elif current is not None:
            sections[current] |= set(re.findall(r"`(--?[A-Za-z][\w-]*)", line))
    return sections


def _command_paths(path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    below = sorted(_subcommands(_help(path)))
    return [p for word in below for p in _command_paths((*path, word))] if below else [path]


def test_the_reference_has_every_command_and_only_options_they_take():
    sections = _reference()
    assert set(_command_paths()) | {()} <= set(sections), sorted(set(_command_paths()) - set(sections))
    for path, named in sections.items():
        options = _options(_help(path))
        unknown = sorted(named - set(options))
        assert not unknown, f"reference.md, `awsenv {' '.join(path)}`: not options of its --help: {unknown}"


def test_the_reference_names_every_option():
    named = set().union(*_reference().values())
    for path in [(), *_command_paths()]:
        missing = sorted(set(_options(_help(path))) - named - {"-h"})
        assert not missing, f"reference.md does not name `awsenv {' '.join(path)}` {missing}"


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of `page`'s headings: lower case, punctuation dropped, spaces to `-`."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", page.read_text()), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_links_between_the_pages_lead_somewhere(page):
    for target, anchor in re.findall(r"\]\(([^)#:\s]*\.md)(?:#([^)\s]+))?\)", FENCE.sub("", page.read_text())):
        linked = (page.parent / target).resolve()
        if linked == REPO / "docs" / "architecture.md":
            continue  # the code's layout, kept with the code's own changes
        assert linked.is_file(), f"{page.name}: link to {target}, which does not exist"
        if anchor:
            assert anchor in _anchors(linked), f"{page.name}: no heading #{anchor} in {target}"
