"""An INI file as its lines: find sections the way Python's configparser (and so botocore) does, and change a few
of them, keeping every other byte (comments, order, line endings, a missing final newline, a UTF-8 BOM) as it was.

Edits are collected first (replace a line, delete lines, insert lines before a line) and applied in one pass, so
line numbers stay valid while they are being planned.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Optional

_HEADER = re.compile(r"\[(?P<header>.+)\]")  # configparser's own (very permissive) rule, on the stripped line
_OPTION = re.compile(r"(?P<key>.*?)\s*[=:]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
BOM = b"\xef\xbb\xbf"


def split_lines(text: str) -> list[str]:
    """Lines with their endings; only \\n, \\r\\n and \\r end a line (as in a file read in text mode)."""
    lines = _LINE.findall(text)
    rest = text[sum(map(len, lines)):]
    return lines + [rest] if rest else lines


def ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped[0] in "#;"


def profile_name(header: str) -> Optional[str]:
    """The profile a config-file section header names, exactly as botocore's loader reads it, else None."""
    if header == "default":
        return "default"
    if not header.startswith("profile"):
        return None
    try:
        parts = shlex.split(header)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


@dataclass
class Section:
    header: str  # the text between the brackets
    start: int  # the header line
    end: int  # one past the section's last line (the next header, or the end of the file)
    body_end: int  # one past its last option line: what follows, up to `end`, is blank lines and comments
    keys: dict[str, list[int]] = field(default_factory=dict)  # option name (lower case) -> its line and continuations


class IniLines:
    def __init__(self, data: bytes) -> None:
        self.bom = BOM if data.startswith(BOM) else b""
        text = data[len(self.bom):].decode("utf-8", "surrogateescape")
        self.lines = split_lines(text)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.sections = self._parse()
        self._replace: dict[int, str] = {}
        self._delete: set[int] = set()
        self._insert: dict[int, list[str]] = {}

    def _parse(self) -> list[Section]:
        sections: list[Section] = []
        option: Optional[str] = None
        indent_level = 0
        for index, line in enumerate(self.lines):
            if is_blank_or_comment(line):
                continue
            indent = len(line) - len(line.lstrip())
            current = sections[-1] if sections else None
            if current is not None and option and indent > indent_level:
                current.keys[option].append(index)  # a continuation line of the option's value
                current.body_end = index + 1
                continue
            indent_level = indent
            match = _HEADER.match(line.strip())
            if match:
                if current is not None:
                    current.end = index
                sections.append(Section(match.group("header"), index, len(self.lines), index + 1))
                option = None
            elif current is not None:
                found = _OPTION.match(line.strip())
                option = found.group("key").strip().lower() if found else None
                if option:
                    current.keys.setdefault(option, [index])
                current.body_end = index + 1
        return sections

    # --- planning edits ------------------------------------------------------------------------------

    def rename(self, section: Section, header: str) -> None:
        """A new header text; indentation and whatever follows the closing bracket (a comment) stay."""
        line = self.lines[section.start]
        opening, closing = line.index("["), line.rindex("]")
        self._replace[section.start] = f"{line[:opening]}[{header}]{line[closing + 1:]}"

    def set_key(self, section: Section, key: str, value: str) -> None:
        """Give `key` this value: its line rewritten in place (continuations dropped), or a line added."""
        where = section.keys.get(key)
        if where:
            first = where[0]
            self._replace[first] = f"{key} = {value}" + (ending(self.lines[first]) or self.newline)
            self._delete.update(where[1:])
        else:
            self._add_lines(section.body_end, [f"{key} = {value}{self.newline}"])

    def remove(self, section: Section) -> None:
        """Drop the section up to its last option line (the comments after it usually introduce what follows),
        with the blank line before it, so that removing what `append_section` added restores the file."""
        self._delete.update(range(section.start, section.body_end))
        if section.start > 0 and not self.lines[section.start - 1].strip():
            self._delete.add(section.start - 1)

    def append_section(self, header: str, values: dict[str, str], after: Optional[Section] = None) -> None:
        """A new section after `after`'s last option line, else at the end of the file, after a blank line."""
        at = after.body_end if after is not None else len(self.lines)
        block = [f"[{header}]{self.newline}"] + [f"{k} = {v}{self.newline}" for k, v in values.items()]
        if at > 0 and self.lines[at - 1].strip():
            block.insert(0, self.newline)
        self._add_lines(at, block)

    def _add_lines(self, at: int, block: list[str]) -> None:
        previous = self._replace.get(at - 1, self.lines[at - 1]) if at > 0 else "\n"
        if not ending(previous):  # the file had no final newline: the new lines need one before them
            self._replace[at - 1] = previous + self.newline
        self._insert.setdefault(at, []).extend(block)

    # --- result --------------------------------------------------------------------------------------

    def render(self) -> bytes:
        out: list[str] = []
        for index, line in enumerate(self.lines):
            out += self._insert.get(index, [])
            if index not in self._delete:
                out.append(self._replace.get(index, line))
        out += self._insert.get(len(self.lines), [])
        return self.bom + "".join(out).encode("utf-8", "surrogateescape")
