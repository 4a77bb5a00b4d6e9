"""The AWS config file as awsenv edits it: read once, parsed by botocore, changed section by section (every other
byte kept), checked by botocore again, and written atomically under the edit lock (a symlink stays a symlink, the
file keeps its mode). `set_profile_values` is the one-profile edit (`awsenv login --aws-login`); `awsenv populate`
builds its many-profile edit on the same pieces.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from awsenv import files
from awsenv.config.ini_lines import IniLines, profile_name
from awsenv.errors import ConfigError


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
    """botocore's reading of these bytes as the file `path`: {"profiles": {...}, "sso_sessions": {...}, ...}; a
    file botocore cannot read is a ConfigError naming FILE:LINE (awsenv.config.ini_read)."""
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


def write(text: ConfigText, data: bytes) -> None:
    if not text.exists:
        files.create_private_parents(os.path.dirname(text.real))
    files.write_or_fail(text.path, data, mode=text.mode, through_symlink=True)


def set_profile_values(profile: str, values: dict[str, str], path: str) -> bool:
    """Give `profile` these keys in the config file at `path` (adding its section when it has none), leaving every
    other line as it was. False when the file already says so (nothing written)."""
    from awsenv.config.edit_lock import editing

    with editing(path):
        text = read(path)
        before = parse(text.data, path)
        current = before["profiles"].get(profile)
        if current is not None and all(current.get(k) == v for k, v in values.items()):
            return False
        ini = IniLines(text.data)
        sections = profile_sections(ini, before, path)
        if profile in sections:
            for key, value in values.items():
                ini.set_key(sections[profile], key, value)
        else:
            ini.append_section("default" if profile == "default" else f"profile {_quoted(profile)}", values)
        data = ini.render()
        after = parse(data, path)
        expected = dict(before["profiles"])
        expected[profile] = {**(current or {}), **values}
        if after["profiles"] != expected or {k: v for k, v in after.items() if k != "profiles"} != {
                k: v for k, v in before.items() if k != "profiles"}:
            raise ConfigError(f"awsenv could not edit {path} safely: the result would not read as intended; "
                              "nothing was written", hint=f"add {', '.join(f'{k} = {v}' for k, v in values.items())} "
                                                          f"to the profile's section by hand")
        write(text, data)
        return True


def _quoted(name: str) -> str:
    """A profile name as a section header holds it (quoted when it has spaces, as the AWS CLI writes it)."""
    import shlex

    return shlex.quote(name) if any(c.isspace() for c in name) else name
