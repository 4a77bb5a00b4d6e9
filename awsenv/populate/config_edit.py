"""The AWS config file as `awsenv populate` edits it: read once, parsed by botocore, changed section by section,
checked by botocore again, and written atomically (a symlink stays a symlink, the file keeps its mode)."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import Optional

from awsenv import files
from awsenv.errors import ConfigError
from awsenv.config.ini_lines import IniLines, profile_name
from awsenv.populate.changes import Changes

_SECRET = re.compile(r"([-+ ]\s*(?:aws_secret_access_key|aws_session_token)\s*[=:]\s*)\S", re.IGNORECASE)


@dataclass
class ConfigText:
    path: str  # as given (AWS_CONFIG_FILE or ~/.aws/config)
    real: str  # the file itself, when `path` is a symlink
    data: bytes  # b"" when the file does not exist yet
    mode: int
    exists: bool


def refuse_dangling(path: str) -> None:
    """A symlink on the way to the config file that points to nothing: an error, not an empty file to create."""
    dangling = files.dangling_link(path)
    if dangling:
        raise ConfigError(f"cannot edit {path}: {dangling} is a symlink to {os.readlink(dangling)}, which does not "
                          "exist", hint="create what it points to, or remove the link")


def read(path: str) -> ConfigText:
    refuse_dangling(path)
    real = os.path.realpath(path)
    if not os.path.lexists(real):
        return ConfigText(path, real, b"", 0o600, False)
    data = files.read_no_follow(real)
    if data is None:
        raise ConfigError(f"cannot read {path}: it is not a regular file of yours",
                          hint="point AWS_CONFIG_FILE at your own config file")
    return ConfigText(path, real, data, stat.S_IMODE(os.stat(real).st_mode), True)


def parse(data: bytes, path: str) -> dict:
    """botocore's reading of these bytes as the file `path`: {"profiles": {...}, "sso_sessions": {...}, ...}."""
    from awsenv.config.ini_read import profile_map

    return profile_map(path, data)


def profile_sections(ini: IniLines, parsed: dict, path: str) -> dict:
    """Profile name -> its Section, after checking that the line reading finds the profiles botocore finds."""
    found: dict = {}
    for section in ini.sections:
        name = profile_name(section.header)
        if name is None:
            continue
        if name in found:
            raise ConfigError(f"{path} defines profile {name!r} twice ([{found[name].header}] and "
                              f"[{section.header}]); awsenv will not edit it", hint="merge the two sections")
        found[name] = section
    if set(found) != set(parsed["profiles"]):
        raise ConfigError(f"{path} has a layout awsenv cannot edit safely (its sections differ from what the AWS "
                          "CLI reads)", hint="check the file with `aws configure list-profiles`")
    return found


def apply(data: bytes, parsed: dict, changes: Changes, path: str) -> bytes:
    ini = IniLines(data)
    sections = profile_sections(ini, parsed, path)
    for update in changes.updated:
        section = sections[update.name]
        if update.new_name != update.name:
            ini.rename(section, f"profile {update.new_name}")
        for key, value in update.values.items():
            ini.set_key(section, key, value)
    for name in changes.removed:
        ini.remove(sections[name])
    kept = [sections[u.name] for u in changes.updated]
    after: Optional[object] = max(kept, key=lambda s: s.start) if kept else None
    for name, values in changes.added:
        ini.append_section(f"profile {name}", values, after)  # type: ignore[arg-type]
    return ini.render()


def check(before: dict, after: dict, changes: Changes, path: str) -> None:
    """botocore reads the new file as intended: every untouched section and profile exactly as before."""
    touched = {u.name for u in changes.updated} | set(changes.removed)
    expected = {name: values for name, values in before["profiles"].items() if name not in touched}
    for update in changes.updated:
        expected[update.new_name] = {**before["profiles"][update.name], **update.values}
    for name, values in changes.added:
        expected[name] = dict(values)
    others = {k: v for k, v in before.items() if k != "profiles"}
    if after["profiles"] != expected or {k: v for k, v in after.items() if k != "profiles"} != others:
        raise ConfigError(f"awsenv could not edit {path} safely: the result would not read as intended; "
                          "nothing was written", hint="run with --dry-run to see the change, and report it")


def locked(text_path: str):
    """One writer at a time for the config file (`awsenv populate`, `awsenv keys import --for-sdk`)."""
    from awsenv.config.edit_lock import editing

    return editing(text_path)


def write(text: ConfigText, data: bytes) -> None:
    if not text.exists:
        files.create_private_parents(os.path.dirname(text.real))
    files.write_or_fail(text.path, data, mode=text.mode, through_symlink=True)


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    import difflib

    def lines(data: bytes) -> list[str]:
        from awsenv.config.ini_lines import split_lines

        out = split_lines(data.decode("utf-8", "surrogateescape"))
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += "\n\\ No newline at end of file\n"
        return out

    return "".join(_masked(line) for line in difflib.unified_diff(lines(old), lines(new), fromfile=path, tofile=path))


def _masked(line: str) -> str:
    """A diff line with the value of a secret key hidden (a context line may show a neighbouring profile's keys)."""
    match = _SECRET.match(line)
    return f"{match.group(1)}<hidden>{line[len(line.rstrip(chr(13) + chr(10))):]}" if match else line
