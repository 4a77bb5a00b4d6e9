"""The AWS config file as `awsenv populate` edits it: read once, parsed by botocore, changed section by section,
checked by botocore again, and written atomically (a symlink stays a symlink, the file keeps its mode)."""

from __future__ import annotations

import re
from typing import Optional

from awsenv.errors import ConfigError
from awsenv.config.ini_lines import IniLines
from awsenv.config.profile_edit import ConfigText, parse, profile_sections, read, refuse_dangling, write  # noqa: F401
from awsenv.populate.changes import Changes

_SECRET = re.compile(r"([-+ ]\s*(?:aws_secret_access_key|aws_session_token)\s*[=:]\s*)\S", re.IGNORECASE)


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
