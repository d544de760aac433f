"""``--add-noqa``: suppress today's findings in place with ``# noqa: UBLnnn`` comments.

Public API
==========

``add_noqa(source: str, findings: Iterable[Finding]) -> str``
    ``source`` with a ``# noqa`` comment on the line of each finding.

``add_noqa_result(source: str, findings: Iterable[Finding]) -> NoqaResult``
    The same, plus counts: ``NoqaResult(source, added, skipped)``. ``added`` is the number of
    lines changed, ``skipped`` the number of findings that could not be suppressed (their line
    ends inside a multi-line string, or with a backslash continuation, or does not exist).

Rules, as ruff's ``--add-noqa``:

* ``  # noqa: UBL001`` is appended at the end of the line (after any existing comment,
  trailing whitespace dropped); several codes on one line are sorted and joined with
  ``, ``.
* An existing ``# noqa: X`` (flake8 syntax, anywhere in the line's comment) is extended into
  ``# noqa: X, UBL001``; a code that is already listed is not repeated.
* A bare ``# noqa`` already suppresses everything: the line is left alone.
* The newline style of every line (``\\n``, ``\\r\\n``) and the rest of the text are kept
  byte for byte.
* A comment is never put inside a string: a finding whose line ends inside a multi-line
  (triple-quoted or f-) string, or that ends with a ``\\`` continuation, is skipped and
  counted. A finding on the first line of a multi-line call gets its comment there.
* Findings are taken at ``Finding.line`` (their ``path`` is not checked: pass the findings of
  this one file). A source that cannot be tokenised is returned unchanged, all skipped.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Set, Tuple

from .engine import NOQA
from .types import Finding

__all__ = ["NoqaResult", "add_noqa", "add_noqa_result", "NOQA_REGEX"]

# flake8's inline noqa syntax, shared with the engine so that what --add-noqa writes is
# exactly what suppresses a finding.
NOQA_REGEX = NOQA

_LINE = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass(frozen=True)
class NoqaResult:
    source: str
    added: int  # lines that got (or extended) a noqa comment
    skipped: int  # findings that could not be suppressed


@dataclass
class _LineFacts:
    comment: Optional[Tuple[int, str]] = None  # (0-based column, text) of the COMMENT token
    ends_in_string: bool = False


def _scan(source: str) -> Optional[Dict[int, _LineFacts]]:
    facts: Dict[int, _LineFacts] = {}
    string_starts: List[int] = []
    start_names = {name for name in ("FSTRING_START", "TSTRING_START")}
    end_names = {name for name in ("FSTRING_END", "TSTRING_END")}

    def mark(first: int, last: int) -> None:
        for lineno in range(first, last):
            facts.setdefault(lineno, _LineFacts()).ends_in_string = True

    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            name = tokenize.tok_name.get(tok.type, "")
            if tok.type == tokenize.COMMENT:
                facts.setdefault(tok.start[0], _LineFacts()).comment = (tok.start[1], tok.string)
            elif tok.type == tokenize.STRING:
                if tok.end[0] > tok.start[0]:
                    mark(tok.start[0], tok.end[0])
            elif name in start_names:
                string_starts.append(tok.start[0])
            elif name in end_names and string_starts:
                first = string_starts.pop()
                if tok.end[0] > first:
                    mark(first, tok.end[0])
    except (tokenize.TokenError, SyntaxError):
        return None
    return facts


def add_noqa_result(source: str, findings: Iterable[Finding]) -> NoqaResult:
    """Add ``# noqa`` comments for ``findings`` to ``source``; see the module docstring."""
    wanted: Dict[int, Set[str]] = {}
    per_line: Dict[int, int] = {}
    for finding in findings:
        wanted.setdefault(finding.line, set()).add(finding.code)
        per_line[finding.line] = per_line.get(finding.line, 0) + 1
    if not wanted:
        return NoqaResult(source, 0, 0)

    lines = _LINE.findall(source)
    facts = _scan(source)
    if facts is None:
        return NoqaResult(source, 0, sum(per_line.values()))

    added = skipped = 0
    for lineno in sorted(wanted):
        if not 1 <= lineno <= len(lines):
            skipped += per_line[lineno]
            continue
        info = facts.get(lineno, _LineFacts())
        raw = lines[lineno - 1]
        body = raw.rstrip("\r\n")
        newline = raw[len(body):]
        if info.ends_in_string or (info.comment is None and body.rstrip(" \t\f").endswith("\\")):
            skipped += per_line[lineno]
            continue
        new_body = _with_noqa(body, info.comment, sorted(wanted[lineno]))
        if new_body != body:
            lines[lineno - 1] = new_body + newline
            added += 1
    return NoqaResult("".join(lines), added, skipped)


def add_noqa(source: str, findings: Iterable[Finding]) -> str:
    """``source`` with ``# noqa: UBLnnn`` on each finding's line (see the module docstring)."""
    return add_noqa_result(source, findings).source


def _with_noqa(body: str, comment: Optional[Tuple[int, str]], codes: List[str]) -> str:
    if comment is not None:
        column, text = comment
        match = NOQA_REGEX.search(text)
        if match is not None:
            existing = match.group("codes")
            if existing is None:
                return body  # a bare noqa comment suppresses everything
            present = {c.upper() for c in re.split(r"[,\s]+", existing) if c}
            missing = [c for c in codes if c.upper() not in present]
            if not missing:
                return body
            insert_at = column + match.end("codes")
            return body[:insert_at] + "".join(", " + c for c in missing) + body[insert_at:]
    return body.rstrip(" \t\f") + "  # noqa: " + ", ".join(codes)
