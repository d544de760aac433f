"""The project's line length, read where ruff, black, flake8 and isort keep it.

Fixes respect it: a fix whose inserted or rewritten line would be longer is held back (with
the reason) instead of creating an E501 the project did not have.
"""

from __future__ import annotations

import configparser
import os
import sys
from functools import lru_cache
from typing import Any, Dict, Optional, Sequence

from ..types import Edit, InsertAfter, InsertBefore, RenameCall, Replace
from .splice import indent_unit

DEFAULT_LINE_LENGTH = 88  # ruff's and black's default
MAX_LINE_LENGTH = 10_000  # anything longer in a configuration is a mistake: ignore it


if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _toml(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _valid(value: Any) -> Optional[int]:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_LINE_LENGTH:
        return value
    return None


def _from_pyproject(path: str) -> Optional[int]:
    tool = _toml(path).get("tool", {})
    if not isinstance(tool, dict):
        return None
    for table, key in (("ruff", "line-length"), ("black", "line-length"), ("isort", "line_length")):
        section = tool.get(table)
        if isinstance(section, dict) and _valid(section.get(key)) is not None:
            return _valid(section.get(key))
    return None


def _from_ini(path: str) -> Optional[int]:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    for section, keys in (("flake8", ("max-line-length", "max_line_length")),
                          ("isort", ("line_length", "line-length")), ("tool:isort", ("line_length",))):
        for key in keys:
            if parser.has_option(section, key):
                value = _valid(parser.get(section, key))
                if value is not None:
                    return value
    return None


def _in_folder(folder: str) -> Optional[int]:
    """The line length configured by a file in ``folder``, in ruff's order of precedence."""
    for name in (".ruff.toml", "ruff.toml"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            value = _valid(_toml(path).get("line-length"))
            if value is not None:
                return value
    path = os.path.join(folder, "pyproject.toml")
    if os.path.isfile(path):
        value = _from_pyproject(path)
        if value is not None:
            return value
    for name in ("setup.cfg", "tox.ini", ".flake8", ".isort.cfg"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            value = _from_ini(path)
            if value is not None:
                return value
    return None


@lru_cache(maxsize=1024)
def line_length_for_folder(folder: str) -> int:
    """The nearest configured line length at or above ``folder``, else 88."""
    current = os.path.abspath(folder)
    while True:
        value = _in_folder(current)
        if value is not None:
            return value
        parent = os.path.dirname(current)
        if parent == current:
            return DEFAULT_LINE_LENGTH
        current = parent


def line_length_for(path: str) -> int:
    return line_length_for_folder(os.path.dirname(os.path.abspath(path)) or ".")


def too_long(edits: Sequence[Edit], lines: Sequence[str], limit: int) -> bool:
    """Whether an edit writes a line longer than ``limit`` that was not that long before.

    ``lines`` are the file's lines without their newlines. Inserted snippets take the
    indentation of the statement they follow; a replacement changes one line's length.
    """
    unit = indent_unit(lines)
    for edit in edits:
        if isinstance(edit, (InsertAfter, InsertBefore)):
            line = lines[edit.stmt[0] - 1] if 0 < edit.stmt[0] <= len(lines) else ""
            prefix = line[:edit.stmt[1]]
            for code_line in edit.code.rstrip("\n").split("\n"):
                stripped = code_line.lstrip(" ")
                depth = (len(code_line) - len(stripped)) // 4
                if _width(prefix + unit * depth + stripped) > limit:
                    return True
        elif isinstance(edit, Replace) and edit.start[0] == edit.end[0] and "\n" not in edit.text:
            if _grows_past(lines, edit.start[0], edit.end[1] - edit.start[1], len(edit.text), limit):
                return True
        elif isinstance(edit, RenameCall) and edit.name[0] == edit.call[1][0]:
            # popleft()/appendleft( are longer than pop(0)/insert(0, by a few characters
            if _grows_past(lines, edit.name[0], 0, 4, limit):
                return True
    return False


def _grows_past(lines: Sequence[str], line_no: int, removed: int, added: int, limit: int) -> bool:
    if not 0 < line_no <= len(lines):
        return False
    before = _width(lines[line_no - 1])
    after = before - removed + added
    return after > limit and after > before


def _width(line: str) -> int:
    return len(line.rstrip("\r\n"))  # pycodestyle's E501 counts characters
