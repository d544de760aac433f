"""Add ``from module import name`` where isort and ruff (``I001``) would put it.

The new name goes into the standard-library group of the module's leading imports, sorted
like ruff's isort defaults (``import x`` lines before ``from x import y`` lines, modules
compared case-insensitively), merged into an existing ``from module import ...`` when there is
one. It never lands on a line shared with another statement (``import os; events = []``): the
line is split so that the import comes before the statement that needs it.
"""

from __future__ import annotations

import ast
import sys
from typing import List, Optional, Sequence, Tuple

from ..types import AddImport
from .splice import LINE, newline_of

# Python 3.9 has no sys.stdlib_module_names; these are the stdlib modules fixes import from
# plus the common ones a leading import block holds.
_STDLIB_FALLBACK = frozenset({
    "__future__", "abc", "argparse", "ast", "asyncio", "base64", "bisect", "collections", "contextlib",
    "copy", "csv", "dataclasses", "datetime", "decimal", "enum", "errno", "functools", "gc", "glob",
    "hashlib", "heapq", "html", "http", "importlib", "inspect", "io", "itertools", "json", "logging",
    "math", "multiprocessing", "operator", "os", "pathlib", "pickle", "platform", "pprint", "queue",
    "random", "re", "select", "shutil", "signal", "socket", "sqlite3", "ssl", "statistics", "string",
    "struct", "subprocess", "sys", "tempfile", "textwrap", "threading", "time", "traceback", "types",
    "typing", "unittest", "urllib", "uuid", "warnings", "weakref", "xml", "zipfile", "zlib",
})
STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) or _STDLIB_FALLBACK

Imports = (ast.Import, ast.ImportFrom)


def add_imports(text: str, imports: Sequence[AddImport], line_length: int) -> str:
    """``text`` with every import of ``imports`` added once, in isort order."""
    for imp in dict.fromkeys(imports):
        text = add_import(text, imp, line_length)
    return text


def add_import(text: str, imp: AddImport, line_length: int) -> str:
    tree = ast.parse(text)
    lines = LINE.findall(text)
    newline = (newline_of(lines[0]) if lines else "") or "\n"
    block = _leading_imports(tree.body)
    if any(_binds(node, imp) for node in block):
        return text
    merge = next((n for n in block if isinstance(n, ast.ImportFrom) and n.module == imp.module and not n.level
                  and not any(a.name == "*" for a in n.names)), None)
    if merge is not None:
        merged = _merged(lines, merge, imp, line_length, newline)
        if merged is not None:
            return merged
    statement = f"from {imp.module} import {imp.name}"
    return _insert(text, lines, tree.body, block, statement, imp.module, newline)


def _binds(node: ast.stmt, imp: AddImport) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == imp.module and not node.level \
        and any(a.name == imp.name and a.asname in (None, imp.name) for a in node.names)


def _leading_imports(body: Sequence[ast.stmt]) -> List[ast.stmt]:
    """The docstring's successors up to the first statement that is not an import."""
    index = 1 if body and _is_docstring(body[0]) else 0
    block: List[ast.stmt] = []
    while index < len(body) and isinstance(body[index], Imports):
        block.append(body[index])
        index += 1
    return block


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _top(node: ast.stmt) -> str:
    if isinstance(node, ast.ImportFrom):
        return "" if node.level else (node.module or "").split(".")[0]  # relative: not stdlib
    assert isinstance(node, ast.Import)
    return node.names[0].name.split(".")[0]


def _section(node: ast.stmt) -> int:
    """0 future, 1 standard library, 2 everything else (third party, first party, relative)."""
    top = _top(node)
    return 0 if top == "__future__" else 1 if top in STDLIB else 2


def _member_key(name: str) -> Tuple[int, str]:
    """ruff's ``order-by-type``: CONSTANTS, then Classes, then everything else."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def _merged(lines: List[str], node: ast.ImportFrom, imp: AddImport, line_length: int,
            newline: str) -> Optional[str]:
    """The module text with ``imp.name`` added to ``node``; None when it has comments inside."""
    start, end = node.lineno, node.end_lineno or node.lineno
    segment = "".join(lines[start - 1:end])
    if "#" in segment or node.col_offset or not segment.rstrip("\r\n").endswith((")",) + tuple(
            (a.asname or a.name)[-1:] for a in node.names)):
        return None
    rest_of_line = segment.rstrip("\r\n")
    if ";" in rest_of_line:
        return None
    names = [f"{a.name} as {a.asname}" if a.asname else a.name for a in node.names] + [imp.name]
    names.sort(key=lambda n: _member_key(n.split(" ")[0]))
    one_line = f"from {imp.module} import {', '.join(names)}"
    if len(one_line) <= line_length:
        statement = one_line + newline
    else:
        body = "".join(f"    {name},{newline}" for name in names)
        statement = f"from {imp.module} import ({newline}{body}){newline}"
    if not newline_of(lines[end - 1]):
        statement = statement[: -len(newline)]
    return "".join(lines[:start - 1]) + statement + "".join(lines[end:])


def _insert(text: str, lines: List[str], body: Sequence[ast.stmt], block: List[ast.stmt], statement: str,
            module: str, newline: str) -> str:
    std = [n for n in block if _section(n) == 1]
    if std:
        later = [n for n in std if isinstance(n, ast.ImportFrom) and (n.module or "").lower() > module.lower()]
        if later:
            return _before(text, lines, body, later[0], statement + newline)
        return _after(text, lines, body, std[-1], statement + newline)
    future = [n for n in block if _section(n) == 0]
    others = [n for n in block if _section(n) == 2]
    if others:
        return _before(text, lines, body, others[0], statement + newline + newline)
    if future:
        return _after(text, lines, body, future[-1], newline + statement + newline)
    return _at_top(text, lines, body, statement, newline)


def _at_top(text: str, lines: List[str], body: Sequence[ast.stmt], statement: str, newline: str) -> str:
    """No leading imports: after the docstring (or comments), with the blank lines pycodestyle
    and isort expect around an import block (two before a def or class, else one)."""
    first_code = body[1] if body and _is_docstring(body[0]) else (body[0] if body else None)
    gap = 2 if isinstance(first_code, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else 1
    if body and _is_docstring(body[0]):
        return _after(text, lines, body, body[0], newline + statement + newline * (gap + 1), strip_blank=True)
    first = body[0] if body else None
    if first is None:
        return text.rstrip("\r\n") + (newline * 2 if text.strip() else "") + statement + newline
    start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])]) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1  # comments attached to the first statement stay with it
    end = start
    while end > 0 and not lines[end - 1].strip():
        end -= 1  # blank lines between the header comments and the code: replaced below
    head = "".join(lines[:end])  # shebang, coding line, licence header
    rest = "".join(lines[start:])
    lead = (head if newline_of(head) else head + newline) + newline if head else ""
    return lead + statement + newline * (gap + 1) + rest


def _stmt_offsets(lines: List[str], node: ast.stmt) -> Tuple[int, int]:
    """Character offsets of the start and the end of ``node``."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def char(line: int, byte_col: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    end_line = node.end_lineno or node.lineno
    return (starts[node.lineno - 1] + char(node.lineno, node.col_offset),
            starts[end_line - 1] + char(end_line, node.end_col_offset or 0))


def _neighbour(body: Sequence[ast.stmt], node: ast.stmt, step: int) -> Optional[ast.stmt]:
    index = next(i for i, n in enumerate(body) if n is node) + step
    return body[index] if 0 <= index < len(body) else None


def _after(text: str, lines: List[str], body: Sequence[ast.stmt], node: ast.stmt, block: str,
           strip_blank: bool = False) -> str:
    """Insert ``block`` (whole lines) after ``node``; a statement sharing its last line
    (``import os; events = []``) is moved to the line after the block."""
    _, end = _stmt_offsets(lines, node)
    nl = _nl(block)
    follower = _neighbour(body, node, 1)
    if follower is not None and follower.lineno == (node.end_lineno or node.lineno):
        start, _ = _stmt_offsets(lines, follower)
        gap = "" if isinstance(follower, Imports) or block.endswith(nl + nl) else nl  # isort's blank line
        return text[:end] + nl + block + gap + text[start:]
    line_end = sum(len(x) for x in lines[:node.end_lineno or node.lineno])
    head, rest = text[:line_end], text[line_end:]
    if not newline_of(head):
        head += nl
    if strip_blank:
        rest = rest.lstrip("\r\n")
    return head + block + rest


def _before(text: str, lines: List[str], body: Sequence[ast.stmt], node: ast.stmt, block: str) -> str:
    """Insert ``block`` on new lines before ``node``, splitting a line it shares."""
    start, _ = _stmt_offsets(lines, node)
    previous = _neighbour(body, node, -1)
    if previous is not None and (previous.end_lineno or previous.lineno) == node.lineno:
        _, prev_end = _stmt_offsets(lines, previous)
        return text[:prev_end] + _nl(block) + block + text[start:]
    line_start = sum(len(x) for x in lines[:node.lineno - 1])
    return text[:line_start] + block + text[line_start:]


def _nl(block: str) -> str:
    return "\r\n" if "\r\n" in block else "\r" if "\r" in block and "\n" not in block else "\n"
