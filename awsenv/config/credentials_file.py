"""--write-profile: put temporary credentials into one section of the shared credentials file, keeping every
other byte (comments, other profiles, line endings, a missing final newline) as it was."""

from __future__ import annotations

import os
import re
import stat
from typing import Callable, Optional

from awsenv import files
from awsenv.config.edit_lock import editing
from awsenv.env import format_expiration
from awsenv.errors import UsageError
from awsenv.config.ini_lines import split_lines
from awsenv.model import Credentials

MARKER = "# managed by awsenv"
_HEADER = re.compile(r"\s*\[(?P<name>[^\]]*)\]\s*(?:[#;].*)?$")
_KEY = re.compile(r"(?P<key>[^=:\s][^=:]*?)\s*[=:]")


def _section_bounds(lines: list[str], name: str) -> Optional[tuple[int, int]]:
    start = None
    for index, line in enumerate(lines):
        match = _HEADER.match(line.rstrip("\r\n"))
        if not match:
            continue
        if start is not None:
            return start, index
        if match.group("name").strip() == name:
            start = index
    return (start, len(lines)) if start is not None else None


def _key_of(line: str) -> Optional[str]:
    if not line.strip() or line[0] in " \t" or line.lstrip()[0] in "#;":
        return None
    match = _KEY.match(line)
    return match.group("key").strip().lower() if match else None


def render_section(lines: list[str], name: str, values: dict[str, str], newline: str) -> list[str]:
    """`lines` with section `name` holding `values`: matching keys rewritten in place, missing ones added."""
    bounds = _section_bounds(lines, name)
    if bounds is None:
        block = [f"[{name}]{newline}", f"{MARKER}{newline}"] + [f"{k} = {v}{newline}" for k, v in values.items()]
        prefix = list(lines)
        if prefix and not prefix[-1].endswith(("\n", "\r")):
            prefix[-1] += newline
        return prefix + block
    start, end = bounds
    body = lines[start + 1:end]
    _refuse_unmanaged(name, body)
    pending = dict(values)
    new_body: list[str] = []
    skipping_continuation = False
    last_key_at = -1
    for line in body:
        key = _key_of(line)
        if skipping_continuation and key is None and line[:1] in (" ", "\t") and line.strip():
            continue  # continuation of a value we replaced
        skipping_continuation = False
        if key in pending:
            ending = line[len(line.rstrip("\r\n")):] or newline
            new_body.append(f"{key} = {pending.pop(key)}{ending}")
            skipping_continuation = True
            last_key_at = len(new_body) - 1
            continue
        new_body.append(line)
        if key is not None:
            last_key_at = len(new_body) - 1
    if not any(line.strip() == MARKER for line in new_body):
        new_body.insert(0, f"{MARKER}{newline}")
        last_key_at += 1
    if pending:
        insert_at = last_key_at + 1 if last_key_at >= 0 else len(new_body)
        if insert_at > 0 and not new_body[insert_at - 1].endswith(("\n", "\r")):
            new_body[insert_at - 1] += newline
        added = [f"{k} = {v}{newline}" for k, v in pending.items()]
        if insert_at == len(new_body) and end == len(lines) and body and not body[-1].endswith(("\n", "\r")):
            added[-1] = added[-1].rstrip("\r\n")  # the file had no final newline: keep it that way
        new_body[insert_at:insert_at] = added
    return lines[:start + 1] + new_body + lines[end:]


def _refuse_unmanaged(name: str, body: list[str]) -> None:
    managed = any(line.strip() == MARKER for line in body)
    keys = {_key_of(line) for line in body}
    if not managed and "aws_access_key_id" in keys and "aws_session_token" not in keys:
        raise UsageError(f"profile {name!r} in the credentials file holds long-lived keys; awsenv will not "
                         "overwrite it", hint="choose another name: --write-profile=NAME")


def _refuse_foreign(path: str, lines: list[str], name: str) -> None:
    """A section of that name without the MARKER line was not written by awsenv: it is the user's to keep."""
    bounds = _section_bounds(lines, name)
    if bounds is None or any(line.strip() == MARKER for line in lines[bounds[0] + 1:bounds[1]]):
        return
    raise UsageError(f"{path}:{bounds[0] + 1}: profile {name!r} was not written by awsenv (it has no "
                     f"'{MARKER}' line); awsenv will not overwrite it",
                     hint="choose another name (--write-profile=NAME), or add --overwrite-profile to replace its "
                          "credentials and let awsenv manage it from now on")


def check_section_name(name: str) -> None:
    """A name that reads back as the same [NAME] header: no brackets or line breaks, no spaces at either end, nothing
    invisible (control characters, bidi overrides and zero-width marks would make the header lie in an editor)."""
    if not name or any(c in name for c in "[]") or name != name.strip() or not name.isprintable():
        raise UsageError(f"{name!r} cannot be a profile name in the credentials file",
                         hint="choose a name without [, ], line breaks, invisible characters or spaces at the ends: "
                              "--write-profile=NAME")


def write_profile(path: str, name: str, creds: Credentials, region: Optional[str], take_over: bool = False,
                  warn: Callable[[str], None] = lambda message: None) -> bool:
    """Write section `name`; True when it held credentials that were replaced, False when it held none."""
    check_section_name(name)
    values = {"aws_access_key_id": creds.access_key_id, "aws_secret_access_key": creds.secret_access_key}
    if creds.session_token:
        values["aws_session_token"] = creds.session_token
    expiration = format_expiration(creds)
    if expiration:
        values["x_awsenv_expiration"] = expiration
    if region:
        values["region"] = region
    for value in values.values():
        if any(c in value for c in "\r\n"):
            raise UsageError("a credential value contains a line break and cannot be written to the file")

    dangling = files.dangling_link(path)
    if dangling:
        raise UsageError(f"cannot write profile {name!r}: {dangling} is a symlink to {os.readlink(dangling)}, "
                         "which does not exist", hint="create what it points to, or remove the link")
    with editing(path):  # read, change and replace as one step: parallel writers keep each other's sections
        return _replace_section(path, name, values, take_over, warn)


def _replace_section(path: str, name: str, values: dict[str, str], take_over: bool,
                     warn: Callable[[str], None]) -> bool:
    real = os.path.realpath(path)
    raw = files.read_no_follow(real)
    if raw is None and os.path.lexists(real):
        raise UsageError(f"cannot read {path}")
    original = raw or b""
    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
    text = original[len(bom):].decode("utf-8", "surrogateescape")
    newline = "\r\n" if "\r\n" in text else "\n"
    before = split_lines(text)
    lines = render_section(before, name, values, newline)  # refuses long-lived keys
    if not take_over:
        _refuse_foreign(path, before, name)
    _refuse_misread(path, before, lines, name, values)
    directory = os.path.dirname(real)
    if raw is None:
        files.create_private_parents(directory)
    elif stat.S_IMODE(os.stat(directory).st_mode) & 0o022:
        warn(f"warning: other users can write to {directory}, where the credentials file is; "
             f"`chmod 700 {directory}` prevents them from replacing it")
    files.write_or_fail(path, bom + "".join(lines).encode("utf-8", "surrogateescape"), mode=_private_mode(real),
                        through_symlink=True)
    bounds = _section_bounds(before, name)
    return bounds is not None and any(_key_of(line) in values for line in before[bounds[0] + 1:bounds[1]])


def _private_mode(real: str) -> int:
    """0600, or the file's own mode when that is stricter: tightened when others could read it, never loosened."""
    try:
        return stat.S_IMODE(os.stat(real).st_mode) & 0o600
    except FileNotFoundError:
        return 0o600


def _refuse_misread(path: str, before: list[str], after: list[str], name: str, values: dict[str, str]) -> None:
    """Refuse, before anything is written, unless the AWS CLI (configparser, as botocore reads the file) reads the
    new text as the old one with section `name` holding `values`: e.g. a header indented under a value, which it
    reads as part of that value, or a header this line reading does not see."""
    old, new = _parsed("".join(before)), _parsed("".join(after))
    if new is not None and name in new and all(new[name].get(key) == value for key, value in values.items()):
        if old is None or {s: v for s, v in old.items() if s != name} == {s: v for s, v in new.items() if s != name}:
            return
    bounds = _section_bounds(before, name)
    where = f"{path}:{bounds[0] + 1}" if bounds else path
    why = ("its header is indented under the line above, so the AWS CLI reads it as part of that line's value"
           if bounds and before[bounds[0]][:1] in (" ", "\t") else "the AWS CLI would not read the result as intended")
    raise UsageError(f"{where}: awsenv will not write profile {name!r} there: {why}; nothing was written",
                     hint="fix or remove that section by hand, or choose another name: --write-profile=NAME")


def _parsed(text: str) -> Optional[dict[str, dict[str, str]]]:
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return {section: dict(parser[section]) for section in parser.sections()}
