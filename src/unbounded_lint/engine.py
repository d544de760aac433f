"""The engine: read, parse once, analyse once, run every enabled rule, apply ``# noqa``.

``lint_source`` never raises: a file that cannot be decoded or parsed, or that trips an
internal error, comes back as a ``FileResult`` with a one-line ``error``.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import sys
import tokenize
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, List, Optional, Sequence, Tuple

from .analysis.heuristics import FILE_HEURISTICS, FileContext, Verdict, is_test_file, judge, merge
from .types import Confidence, Finding, FileResult, Settings

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from .analysis.facts import ModuleFacts
    from .index.view import ModuleView

__all__ = ["is_test_file", "lint_source", "lint_tree", "parse", "SourceError"]

# flake8's syntax; codes have one or more letters (UBL001, E501).
NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
# The file-level exemption, as ruff has one: "unbounded-lint: noqa" in a comment on a line of
# its own, anywhere in the file, exempts the whole file (or, with codes, those codes).
FILE_NOQA = re.compile(r"^[ \t\f]*#\s*unbounded-lint:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?\s*$",
                       re.IGNORECASE | re.MULTILINE)
ENGINE_VERSION = "4"


_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> List[str]:
    """Lines as Python's tokenizer counts them: only LF, CRLF and CR end a line.

    The str method that splits lines also splits on form feeds, \\x1c-\\x1e, \\x85 and
    \\u2028/9, which would shift every line number after one of them.
    """
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class SourceError(Exception):
    """A file that cannot be decoded or parsed; the message is one line."""


def decode_source(source: bytes) -> str:
    """Decode like the interpreter does: BOM, PEP 263 coding line, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError as exc:
        raise SourceError(f"cannot decode: {exc}") from None
    try:
        text = source.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode as {encoding}: {_reason(exc)}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def parse(source: bytes) -> Tuple[ast.Module, str]:
    """Parse once with the running interpreter's grammar; errors become ``SourceError``."""
    text = decode_source(source)
    if "\x00" in text:
        raise SourceError("cannot parse: the file contains NUL bytes")
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        where = f" (line {exc.lineno}" + (f", column {exc.offset})" if exc.offset else ")") if exc.lineno else ""
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        raise SourceError(f"cannot parse: {exc.msg}{where}; not valid Python {version} syntax") from None
    except RecursionError:
        raise SourceError("cannot parse: too deeply nested for the Python parser") from None
    except MemoryError:
        # Size, not nesting: a huge literal (see --max-file-size) exhausts memory.
        raise SourceError(f"cannot parse: out of memory parsing {len(source):,} bytes "
                          "(lower --max-file-size to skip files this large)") from None
    except ValueError as exc:
        raise SourceError(f"cannot parse: {_reason(exc)}") from None
    return tree, text


def may_have_findings(source: bytes) -> bool:
    """A cheap text test: False proves no rule can fire on this file (every rule names the
    words one of which its findings need, ``TRIGGERS`` in its module)."""
    from .rules import TRIGGERS

    return any(word in source for word in TRIGGERS)


def lint_source(source: bytes, path: str = "<string>", settings: Optional[Settings] = None,
                apply_noqa: bool = True, skip_pass: bool = True,
                index: "Optional[ModuleView]" = None,
                on_parse: "Optional[Callable[[ast.Module], None]]" = None,
                on_facts: "Optional[Callable[[ModuleFacts], None]]" = None) -> FileResult:
    """Lint one file's bytes. Never raises.

    ``index`` is the module's view of the project index (see ``index/``); without it the
    analysis is file-local. ``on_parse`` is handed the tree as soon as it is parsed (the runner
    extracts the file's index facts from the same parse), ``on_facts`` the module's analysis
    (the runner asks it what the index could change); neither may raise."""
    settings = settings or Settings()
    digest = hashlib.sha256(source).hexdigest()
    try:
        tree, text = parse(source)
    except SourceError as exc:
        return FileResult(path, error=str(exc), source_hash=digest)
    if on_parse is not None:
        on_parse(tree)
    if skip_pass and not may_have_findings(source):
        # Parsed all the same: a syntax error is reported whether or not rules could fire.
        return FileResult(path, source_hash=digest)
    try:
        findings, below = lint_tree_counted(tree, text, path, settings, index=index,
                                            on_facts=on_facts)
    except RecursionError:
        return FileResult(path, error="cannot analyse: too deeply nested", source_hash=digest)
    except Exception as exc:  # noqa: BLE001 - an internal error must not stop the run
        return FileResult(path, error=f"internal error: {exc.__class__.__name__}: {_reason(exc)}",
                          source_hash=digest)
    suppressed = 0
    if apply_noqa and findings:
        lines = split_lines(text)
        kept = [f for f in findings if not is_suppressed(lines, f)]
        suppressed = len(findings) - len(kept)
        findings = kept
    return FileResult(path, tuple(findings), source_hash=digest, noqa_suppressed=suppressed,
                      below_confidence=below)


def lint_tree(tree: ast.Module, text: str, path: str, settings: Settings,
              index: "Optional[ModuleView]" = None) -> List[Finding]:
    """Run every enabled rule over an already parsed module (flake8 hands us its tree)."""
    return lint_tree_counted(tree, text, path, settings, index=index)[0]


def lint_tree_counted(tree: ast.Module, text: str, path: str, settings: Settings,
                      index: "Optional[ModuleView]" = None,
                      on_facts: "Optional[Callable[[ModuleFacts], None]]" = None,
                      ) -> Tuple[List[Finding], int]:
    """``lint_tree``, plus how many findings fell below ``settings.min_confidence``."""
    from .analysis.facts import analyse_module
    from .analysis.index_seam import with_owner_because
    from .knowledge import apply_knowledge
    from .owners import OwnerIndex
    from .rules import RULES

    exempt = file_exemption(text)
    if exempt is not None:
        if not exempt:
            return [], 0
        settings = replace(settings, select=tuple(c for c in settings.select
                                                  if not any(c.startswith(e) for e in exempt)))
    lines = split_lines(text)
    facts = analyse_module(tree, lines, settings.disabled_heuristics,
                           fixed_key_words=settings.fixed_key_words,
                           teardown_methods=settings.teardown_methods, index=index)
    if on_facts is not None:
        on_facts(facts)
    owners = OwnerIndex(facts)
    findings: List[Finding] = []
    below: List[Finding] = []
    file_verdict = judge(FILE_HEURISTICS, FileContext(path), Confidence.HIGH, "",
                         settings.disabled_heuristics)
    for code, rule in RULES.items():
        if code not in settings.select:
            continue
        for report in rule.check(facts, settings):
            verdict = merge(Verdict(report.confidence, report.heuristics, report.because), file_verdict)
            node = report.node
            owner = owners.describe(node, code, verdict)
            line, col = facts.position(node)
            end_line, end_col = facts.end_position(node)
            fingerprint = " ".join(lines[line - 1].split()) if 0 < line <= len(lines) else ""
            finding: Optional[Finding] = apply_knowledge(Finding(
                path=path, line=line, column=col + 1, end_line=end_line, end_column=end_col + 1,
                code=code, message=report.message, container=report.container,
                confidence=verdict.confidence, fix=report.fix, fingerprint=fingerprint,
                heuristics=verdict.heuristics,
                because=owner.because or verdict.because,
            ), owner, settings)
            if finding is None:
                continue
            finding = with_owner_because(finding, index)
            (findings if finding.confidence >= settings.min_confidence else below).append(finding)
    findings.sort(key=lambda f: f.sort_key)
    below.sort(key=lambda f: f.sort_key)
    return _dedupe(findings), len(_dedupe(below))


def file_exemption(text: str) -> Optional[Tuple[str, ...]]:
    """None: no file-level ``# unbounded-lint: noqa``; (): the whole file; else the codes (or
    prefixes) exempted in the whole file."""
    if "unbounded-lint" not in text.lower():  # a tenth of the regex's cost on the usual file
        return None
    codes: List[str] = []
    for match in FILE_NOQA.finditer(text):
        listed = match.group("codes")
        if not listed:
            return ()
        codes.extend(c.upper() for c in re.split(r"[,\s]+", listed) if c)
    return tuple(codes) if codes else None


def _dedupe(findings: Sequence[Finding]) -> List[Finding]:
    seen = set()
    out = []
    for f in findings:
        key = (f.line, f.column, f.code)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def noqa_codes(line: str) -> Optional[Tuple[str, ...]]:
    """None: no noqa; (): a bare noqa (everything); else the listed codes."""
    match = NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return ()
    return tuple(c.upper() for c in re.split(r"[,\s]+", codes) if c)


def is_suppressed(lines: Sequence[str], finding: Finding) -> bool:
    if not 0 < finding.line <= len(lines):
        return False
    codes = noqa_codes(lines[finding.line - 1])
    if codes is None:
        return False
    return not codes or any(finding.code.startswith(c) for c in codes)
