"""The default ``text`` format: ``path:LINE:COL: CODE message`` (`` [*]`` when fixable).

With ``show_source`` each finding is followed by its source line and a caret under the
column, as ``flake8 --show-source`` prints them (indentation tabs are kept so the caret lines
up).
"""

from __future__ import annotations

import re
import tokenize
from typing import Dict, List, Mapping, Optional, Sequence

from ..types import FileResult, Finding
from ._escape import escape_for_log
from ._meta import all_findings

BOLD = "\x1b[1m"
RED = "\x1b[31m"
CYAN = "\x1b[36m"
RESET = "\x1b[0m"

_NEWLINES = re.compile(r"\r\n|\r|\n")


def format_finding(finding: Finding, color: bool = False, unsafe_fixes: bool = False) -> str:
    """One finding as ``path:LINE:COL: CODE message`` plus `` [*]`` when fixable."""
    fixable = finding.fixable_with(unsafe_fixes)
    path, message = escape_for_log(finding.path), escape_for_log(finding.message)
    if color:
        line = (
            f"{BOLD}{path}{RESET}:{finding.line}:{finding.column}: "
            f"{BOLD}{RED}{finding.code}{RESET} {message}"
        )
        return line + (f" {CYAN}[*]{RESET}" if fixable else "")
    line = f"{path}:{finding.line}:{finding.column}: {finding.code} {message}"
    return line + (" [*]" if fixable else "")


def source_excerpt(source_line: str, column: int) -> List[str]:
    """The source line and a caret line under 1-based ``column``."""
    physical = source_line.rstrip("\r\n")
    col = max(1, min(column, len(physical) + 1))
    # Escaped like the finding line (a source line may hold an ESC or a bidi override); tabs
    # stay, so that the caret lines up under indentation.
    shown = [ch if ch == "\t" else escape_for_log(ch) for ch in physical]
    pad = "".join(ch if ch == "\t" else " " * len(ch) for ch in shown[: col - 1])
    return ["".join(shown), pad + "^"]


class _Sources:
    def __init__(self, given: Optional[Mapping[str, str]]):
        self.given = dict(given or {})
        self.cache: Dict[str, Optional[Sequence[str]]] = {}

    def line(self, path: str, lineno: int) -> Optional[str]:
        if path not in self.cache:
            text = self.given.get(path)
            if text is None:
                try:
                    with tokenize.open(path) as handle:
                        text = handle.read()
                except (OSError, SyntaxError, UnicodeDecodeError):
                    text = None
            # Findings arrive grouped by path: keeping the current file is enough.
            self.cache.clear()
            self.cache[path] = _NEWLINES.split(text) if text is not None else None
        lines = self.cache[path]
        if lines is None or not 1 <= lineno <= len(lines):
            return None
        return lines[lineno - 1]


def render(
    results: Sequence[FileResult],
    *,
    color: bool = False,
    show_source: bool = False,
    sources: Optional[Mapping[str, str]] = None,
    summary: bool = False,
    unsafe_fixes: bool = False,
    **_: object,
) -> str:
    findings = all_findings(results)
    out: List[str] = []
    loader = _Sources(sources)
    for finding in findings:
        out.append(format_finding(finding, color=color, unsafe_fixes=unsafe_fixes))
        if show_source:
            line = loader.line(finding.path, finding.line)
            if line is not None:
                out.extend(source_excerpt(line, finding.column))
    if summary and findings:
        count = len(findings)
        out.append(f"Found {count} finding{'s' if count != 1 else ''}.")
        fixable = sum(1 for f in findings if f.fixable_with(unsafe_fixes))
        if fixable:
            out.append(f"[*] {fixable} fixable with the `--fix` option.")
    return "".join(line + "\n" for line in out)
