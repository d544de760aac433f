"""The default ``text`` format: ``path:LINE:COL: CODE message [tier]`` (`` [*]`` when fixable).

The tier is the finding's confidence (``[medium]``); ``show_reasons`` adds an indented
``because:`` line (and a ``heuristics:`` line when named heuristics acted) under each finding.
The summary counts the findings hidden below ``--min-confidence``.

With ``show_source`` each finding is followed by its source line and a caret under the
column, as ``flake8 --show-source`` prints them (indentation tabs are kept so the caret lines
up).
"""

from __future__ import annotations

import re
import tokenize
from dataclasses import replace
from typing import Dict, List, Mapping, Optional, Sequence

from ..types import DEFAULT_FIX_LEVEL, Applicability, FileResult, Finding, FixLevel
from ._escape import escape_for_log
from ._meta import all_findings

BOLD = "\x1b[1m"
RED = "\x1b[31m"
CYAN = "\x1b[36m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"

_NEWLINES = re.compile(r"\r\n|\r|\n")


def format_finding(finding: Finding, color: bool = False, unsafe_fixes: "bool | FixLevel" = False,
                   show_confidence: bool = True) -> str:
    """One finding as ``path:LINE:COL: CODE message [tier]`` plus `` [*]`` when ``--fix`` at
    this level applies its fix (``unsafe_fixes``: a ``FixLevel``, or True for ``all``)."""
    fixable = finding.fixable_with(unsafe_fixes)
    tier = f" [{finding.confidence}]" if show_confidence else ""
    if finding.evidence:  # runtime evidence from --evidence, after the message
        finding = replace(finding, message=f"{finding.message} ({finding.evidence})")
    path, message = escape_for_log(finding.path), escape_for_log(finding.message)
    if color:
        line = (
            f"{BOLD}{path}{RESET}:{finding.line}:{finding.column}: "
            f"{BOLD}{RED}{finding.code}{RESET} {message}{DIM}{tier}{RESET if tier else ''}"
        )
        return line + (f" {CYAN}[*]{RESET}" if fixable else "")
    line = f"{path}:{finding.line}:{finding.column}: {finding.code} {message}{tier}"
    return line + (" [*]" if fixable else "")


def format_reasons(finding: Finding) -> List[str]:
    """The ``--show-reasons`` lines under a finding: why, and which named heuristics acted."""
    out = []
    if finding.because:
        out.append(f"    because: {finding.because}")
    if finding.heuristics:
        out.append(f"    heuristics: {', '.join(finding.heuristics)}")
    return out


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
    show_confidence: bool = True,
    show_reasons: bool = False,
    fix_level: Optional[FixLevel] = None,
    **_: object,
) -> str:
    level = fix_level or (FixLevel.ALL if unsafe_fixes else DEFAULT_FIX_LEVEL)
    findings = all_findings(results)
    out: List[str] = []
    loader = _Sources(sources)
    for finding in findings:
        out.append(format_finding(finding, color=color, unsafe_fixes=level,
                                  show_confidence=show_confidence))
        if show_reasons:
            out.extend(format_reasons(finding))
        if show_source:
            line = loader.line(finding.path, finding.line)
            if line is not None:
                out.extend(source_excerpt(line, finding.column))
    hidden = sum(r.below_confidence for r in results)
    if summary and (findings or hidden):
        count = len(findings)
        more = f" ({hidden} more below --min-confidence)" if hidden else ""
        out.append(f"Found {count} finding{'s' if count != 1 else ''}{more}.")
        out.extend(fix_summary(findings, level))
    return "".join(line + "\n" for line in out)


def fix_summary(findings: Sequence[Finding], level: FixLevel) -> List[str]:
    """ruff's closing lines: what ``--fix`` would apply, by fix class, and what it holds back."""
    applied = [f for f in findings if f.fixable_with(level)]
    held = [f for f in findings if f.fix is not None and not f.fixable_with(level)]
    out: List[str] = []
    if applied:
        safe = sum(1 for f in applied if f.fix is not None and f.fix.applicability is Applicability.SAFE)
        out.append(f"[*] {len(applied)} fixable with the `--fix` option ({safe} safe, "
                   f"{len(applied) - safe} unsafe on high-confidence findings).")
    if held:
        noun = "fix is" if len(held) == 1 else "fixes are"
        out.append(f"{len(held)} unsafe {noun} held back at fix-level {level.value} (they can drop items or change "
                   "a public type; `--fix-level all` or `--unsafe-fixes` applies them).")
    return out
