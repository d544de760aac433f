"""Positions and source text of one module.

``ast`` reports columns as UTF-8 byte offsets; findings and fixes speak characters. This class
is the one place that converts between them and cuts source segments.
"""

from __future__ import annotations

import ast
from typing import List, Optional, Sequence, Tuple


class SourceText:
    """The lines of one module (as the tokenizer splits them), with position helpers."""

    __slots__ = ("lines",)

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines: List[str] = list(lines)

    def segment(self, node: ast.AST) -> Optional[str]:
        """The exact source text of ``node`` (one or several lines)."""
        start = getattr(node, "lineno", None)
        end = getattr(node, "end_lineno", None)
        col = getattr(node, "col_offset", None)
        end_col = getattr(node, "end_col_offset", None)
        if start is None or end is None or col is None or end_col is None:
            return None
        lines = self.lines[start - 1:end]
        if not lines:
            return None
        encoded = [line.encode("utf-8") for line in lines]
        if len(encoded) == 1:
            return encoded[0][col:end_col].decode("utf-8", "replace")
        encoded[0] = encoded[0][col:]
        encoded[-1] = encoded[-1][:end_col]
        return b"\n".join(encoded).decode("utf-8", "replace")

    def char_col(self, line: int, byte_col: int) -> int:
        """Convert an ``ast`` byte offset into a character offset (0-based)."""
        if line - 1 >= len(self.lines) or line < 1:
            return byte_col
        text = self.lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def position(self, node: ast.AST) -> Tuple[int, int]:
        """(1-based line, 0-based character column) where ``node`` starts."""
        line: int = getattr(node, "lineno")
        return (line, self.char_col(line, getattr(node, "col_offset")))

    def end_position(self, node: ast.AST) -> Tuple[int, int]:
        """(1-based line, 0-based character column) just past ``node``."""
        line: int = getattr(node, "end_lineno", None) or getattr(node, "lineno")
        end_col = getattr(node, "end_col_offset", None)
        col: int = end_col if end_col is not None else getattr(node, "col_offset")
        return (line, self.char_col(line, col))
