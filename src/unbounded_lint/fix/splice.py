"""Place position-addressed edits into source text, touching nothing but the edited spans.

pyupgrade's way: the spans come from the ``ast`` of the text itself, no second parser. An edit
that cannot be placed as text — a statement that shares its line with another (``a(); b()``,
``if c: x.append(v)``) or edits that overlap — makes ``splice`` return None, and the caller
hands the edits to libcst (``fix.cst``). Imports are not placed here (``fix.imports``).
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Sequence, Tuple

from ..types import Edit, InsertAfter, InsertBefore, RenameCall, Replace

Position = Tuple[int, int]
Op = Tuple[int, int, str]  # (start offset, end offset, replacement)

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def newline_of(line: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if line.endswith(ending):
            return ending
    return ""


def indent_unit(lines: Sequence[str]) -> str:
    """The file's indentation step: the first indented line's leading white space."""
    for line in lines:
        stripped = line.lstrip(" \t")
        if stripped and stripped[0] not in "#\r\n" and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return "    "


def block_indent_unit(tree: ast.AST, lines: Sequence[str]) -> str:
    """The indentation step of the module's own blocks: the first compound statement's body
    minus the statement's own indentation. (The first indented *line* can be part of a
    docstring or a continuation line, which would give a wrong step.)"""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not (isinstance(node, ast.stmt) and isinstance(body, list) and body and isinstance(body[0], ast.stmt)):
            continue
        if body[0].lineno <= node.lineno or body[0].lineno > len(lines):
            continue
        outer = _leading(lines[node.lineno - 1])
        inner = _leading(lines[body[0].lineno - 1])
        if inner.startswith(outer) and len(inner) > len(outer):
            return inner[len(outer):]
    return indent_unit(lines)


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def reindent_line(line: str, unit: str) -> str:
    """A line of four-space-indented snippet code, indented with ``unit`` per level."""
    stripped = line.lstrip(" ")
    return unit * ((len(line) - len(stripped)) // 4) + stripped


class _Text:
    """Lines, their start offsets and character columns of one module's text."""

    def __init__(self, text: str) -> None:
        self.lines: List[str] = LINE.findall(text)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def char_col(self, line: int, byte_col: int) -> int:
        content = self.lines[line - 1]
        if content.isascii():
            return byte_col
        return len(content.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def offset(self, pos: Position) -> int:
        return self.starts[pos[0] - 1] + pos[1]


def splice(text: str, edits: Sequence[Edit]) -> Optional[str]:
    """``text`` with the body edits applied; None when some edit needs libcst."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    src = _Text(text)
    ops = _replacements(src, edits)
    inserts = _inserts(tree, src, edits)
    if inserts is None:
        return None
    return _apply_ops(text, ops + inserts)


def _replacements(src: _Text, edits: Sequence[Edit]) -> List[Op]:
    ops: List[Op] = []
    for edit in edits:
        if isinstance(edit, Replace):
            ops.append((src.offset(edit.start), src.offset(edit.end), edit.text))
        elif isinstance(edit, RenameCall):
            # ``insert(0, `` -> ``appendleft(``; ``pop(0)`` -> ``popleft()``
            if edit.keep_from is not None:
                ops.append((src.offset(edit.name), src.offset(edit.keep_from), edit.method + "("))
            else:
                ops.append((src.offset(edit.name), src.offset(edit.call[1]), edit.method + "()"))
    return ops


def _inserts(tree: ast.Module, src: _Text, edits: Sequence[Edit]) -> Optional[List[Op]]:
    statements: Dict[Position, ast.stmt] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            statements[(node.lineno, src.char_col(node.lineno, node.col_offset))] = node
    after: Dict[Position, List[str]] = {}
    before: Dict[Position, List[str]] = {}
    for edit in edits:
        if isinstance(edit, (InsertAfter, InsertBefore)):
            codes = (after if isinstance(edit, InsertAfter) else before).setdefault(edit.stmt, [])
            if edit.code not in codes:
                codes.append(edit.code)
    unit = block_indent_unit(tree, src.lines)
    ops: List[Op] = []
    for table, is_after in ((after, True), (before, False)):
        for pos, codes in table.items():
            op = _insert_op(src, statements.get(pos), pos, codes, is_after, unit)
            if op is None:
                return None
            ops.append(op)
    return ops


def _insert_op(src: _Text, node: Optional[ast.stmt], pos: Position, codes: List[str], is_after: bool,
               unit: str) -> Optional[Op]:
    if node is None or node.end_lineno is None or node.end_col_offset is None:
        return None
    prefix = src.lines[node.lineno - 1][:pos[1]]
    if prefix.strip():
        return None  # shares its line with what comes before
    last = src.lines[node.end_lineno - 1]
    rest = last[src.char_col(node.end_lineno, node.end_col_offset):]
    if rest.strip() and not rest.strip().startswith("#"):
        return None  # something follows it on the line (``;``)
    newline = newline_of(last) or newline_of(src.lines[0]) or "\n"
    block = "".join(prefix + reindent_line(code_line, unit) + newline
                    for code in codes for code_line in code.rstrip("\n").split("\n"))
    if not is_after:
        at = src.starts[node.lineno - 1]
        return (at, at, block)
    at = src.starts[node.end_lineno]
    return (at, at, block if newline_of(last) else newline + block)


def _apply_ops(text: str, ops: List[Op]) -> Optional[str]:
    ops = list(dict.fromkeys(ops))  # two findings sharing one plan give the same edit twice
    ops.sort(key=lambda op: (op[0], op[1]))
    # One pass over the text, joined once: linear in the size of the file plus the edits.
    pieces: List[str] = []
    position = 0
    for start, end, replacement in ops:
        if start < position:
            return None  # overlapping edits: let libcst sort it out
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    out = "".join(pieces)
    try:
        ast.parse(out)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return out
