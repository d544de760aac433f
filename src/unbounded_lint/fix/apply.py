"""Apply the findings' fixes to one file's bytes, verify the result as a module, write it.

The rules already decided *what* to change (``Fix.edits``, typed and addressed by source
position, see ``fix.plan``); this module decides *which* fixes run (the fix level, the
project's line length, conflicts), places the edits (``fix.splice`` as text, ``fix.cst`` with
libcst when text cannot), adds imports in isort order (``fix.imports``) and checks the
result: it must parse, and every name a fix introduces must be bound before its first use.
Anything else leaves the input unchanged and says why.
"""

from __future__ import annotations

import ast
import dataclasses
import bisect
import difflib
import io
import tokenize
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Set, Tuple

from .._io import WriteError, replace_in_place  # noqa: F401 - WriteError is part of this module's API
from ..engine import SourceError, decode_source, lint_source, split_lines
from ..types import (
    DEFAULT_FIX_LEVEL,
    AddImport,
    Edit,
    FileResult,
    Finding,
    FixLevel,
    RemoveImportIfUnused,
    RenameCall,
    Replace,
    Settings,
)
from .imports import add_imports
from .splice import LINE, splice
from .style import DEFAULT_LINE_LENGTH, too_long

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from ..index.view import ModuleView

Position = Tuple[int, int]
BOM = b"\xef\xbb\xbf"
MAX_PASSES = 4

if TYPE_CHECKING:  # pragma: no cover
    from ..evidence.apply import Evidence


@dataclass(frozen=True)
class FixOptions:
    """How far ``--fix`` goes and the project conventions it keeps."""

    level: FixLevel = DEFAULT_FIX_LEVEL
    line_length: int = DEFAULT_LINE_LENGTH
    # A watch report (``--evidence``): a finding it saw grow has ``evidence_verdict ==
    # "grows"``, which ``fix-level = "evidence"`` accepts for an unsafe fix. Matched by line, so
    # it is applied to the first pass only (later passes see lines the fixes moved).
    evidence: Optional["Evidence"] = None


@dataclass(frozen=True)
class FixOutcome:
    """What fixing one file's source did."""

    source: bytes  # the new bytes (the input itself when nothing changed)
    fixed: int = 0  # findings repaired
    remaining: Tuple[Finding, ...] = ()  # findings of the new source
    error: Optional[str] = None
    applied: Tuple[Finding, ...] = field(default_factory=tuple)
    held: Tuple[Tuple[Finding, str], ...] = ()  # remaining findings whose fix was held back, and why

    @property
    def changed(self) -> bool:
        return self.fixed > 0

    @property
    def fix_failed(self) -> bool:
        """The fix was refused (the original is kept); the input itself was fine."""
        return self.error is not None and self.error.startswith("fix failed")


def hold_reason(finding: Finding, options: FixOptions, lines: Sequence[str]) -> Optional[str]:
    """Why ``--fix`` leaves this finding's fix alone; None when it applies it."""
    if finding.fix is None:
        return None
    reason = finding.held_back(options.level)
    if reason is None and too_long(finding.fix.edits, lines, options.line_length):
        reason = f"the fixed line would be longer than {options.line_length} characters"
    return reason


def select_edits(findings: Sequence[Finding], options: FixOptions, lines: Sequence[str] = ()
                 ) -> Tuple[List[Finding], List[Edit]]:
    """The findings whose edits can all be applied together, and their de-duplicated edits."""
    applied: List[Finding] = []
    edits: List[Edit] = []
    seen: Set[Edit] = set()
    spans = _Spans()
    for finding in findings:
        if finding.fix is None or hold_reason(finding, options, lines) is not None:
            continue
        replaces = [(_span(e), _text(e)) for e in finding.fix.edits if isinstance(e, (Replace, RenameCall))]
        if any(spans.conflicts(span, text) for span, text in replaces):
            continue  # the next pass fixes it, on the output of this one
        applied.append(finding)
        for span, text in replaces:
            spans.add(span, text)
        for edit in finding.fix.edits:
            if edit not in seen:
                seen.add(edit)
                edits.append(edit)
    return applied, edits


def _span(edit: "Replace | RenameCall") -> Tuple[Position, Position]:
    return (edit.start, edit.end) if isinstance(edit, Replace) else (edit.name, edit.call[1])


def _text(edit: "Replace | RenameCall") -> str:
    return edit.text if isinstance(edit, Replace) else edit.method


class _Spans:
    """The replaced spans chosen so far, sorted, so that an overlap check looks only at the
    neighbours (linear planning for files with thousands of fixes)."""

    def __init__(self) -> None:
        self.texts: Dict[Tuple[Position, Position], str] = {}
        self.sorted: List[Tuple[Position, Position]] = []

    def conflicts(self, span: Tuple[Position, Position], text: str) -> bool:
        if span in self.texts:
            return self.texts[span] != text
        index = bisect.bisect_left(self.sorted, span)
        neighbours = self.sorted[max(0, index - 1):index + 1]
        return any(span[0] < other[1] and other[0] < span[1] for other in neighbours)

    def add(self, span: Tuple[Position, Position], text: str) -> None:
        if span not in self.texts:
            self.texts[span] = text
            bisect.insort(self.sorted, span)


def fix_source(source: bytes, path: str = "<string>", settings: Optional[Settings] = None,
               unsafe: bool = False, result: Optional[FileResult] = None,
               options: Optional[FixOptions] = None, index: "Optional[ModuleView]" = None) -> FixOutcome:
    """Fix one file's bytes. Never raises; on any failure the input comes back unchanged.

    ``index`` is the module's view of the project index: with it, the findings fixed are those
    a linting run with the index reports.

    ``options`` sets the fix level and line length; without it, ``unsafe=True`` means
    ``--unsafe-fixes`` (every fix) and ``unsafe=False`` the default level. Like ruff, the fixer
    runs again on its own output while fixable findings remain (edits that overlap cannot be
    applied in one pass), so that a second ``--fix`` changes nothing.
    """
    settings = settings or Settings()
    options = options or FixOptions(FixLevel.ALL if unsafe else DEFAULT_FIX_LEVEL)
    current = source
    applied: List[Finding] = []
    remaining: Tuple[Finding, ...] = ()
    for attempt in range(MAX_PASSES):
        # Each pass starts from the lint of the previous pass's output: no file is linted twice.
        pass_options = options if attempt == 0 else dataclasses.replace(options, evidence=None)
        outcome, result = _fix_once(current, path, settings, pass_options, result, index)
        if outcome.error:
            if not applied:
                return FixOutcome(source, remaining=outcome.remaining, error=outcome.error,
                                  held=_held(outcome.remaining, options, source))
            break  # keep what the earlier passes fixed; the rest stays reported
        remaining = outcome.remaining
        if not outcome.changed:
            break
        applied.extend(outcome.applied)
        current = outcome.source
        if not any(f.fixable_with(options.level) for f in remaining):
            break
    return FixOutcome(current, len(applied), tuple(remaining), applied=tuple(applied),
                      held=_held(remaining, options, current))


def _held(findings: Sequence[Finding], options: FixOptions, source: bytes) -> Tuple[Tuple[Finding, str], ...]:
    lines = _lines(source)
    out = []
    for finding in findings:
        reason = hold_reason(finding, options, lines)
        if reason is not None:
            out.append((finding, reason))
    return tuple(out)


def _lines(source: bytes) -> List[str]:
    try:
        return split_lines(decode_source(source))
    except SourceError:
        return []


def _fix_once(source: bytes, path: str, settings: Settings, options: FixOptions,
              result: Optional[FileResult], index: "Optional[ModuleView]" = None,
              ) -> Tuple[FixOutcome, Optional[FileResult]]:
    """One pass: the outcome, and the lint result of its output (None when it failed)."""
    result = result or lint_source(source, path, settings, index=index)
    if result.error:
        return FixOutcome(source, error=result.error), None
    if options.evidence is not None:
        from ..evidence.apply import apply as apply_evidence

        evidence = options.evidence
        result = dataclasses.replace(result, findings=tuple(
            apply_evidence(f, evidence.lookup(f)) for f in result.findings))
    applied, edits = select_edits(result.findings, options, _lines(source))
    if not applied:
        return FixOutcome(source, remaining=result.findings), result
    try:
        new_source = apply_edits(source, edits, options.line_length)
    except SourceError as exc:
        return FixOutcome(source, remaining=result.findings, error=f"fix failed: {exc}"), None
    except Exception as exc:  # noqa: BLE001 - libcst or a bad edit: leave the file alone
        reason = " ".join(str(exc).split())[:200] or exc.__class__.__name__
        error = f"fix failed: {exc.__class__.__name__}: {reason}"
        return FixOutcome(source, remaining=result.findings, error=error), None
    if new_source == source:
        return FixOutcome(source, remaining=result.findings), result
    after = lint_source(new_source, path, settings, index=index)
    if after.error:
        return FixOutcome(source, remaining=result.findings, error=f"fix failed: {after.error}"), None
    return FixOutcome(new_source, len(applied), after.findings, applied=tuple(applied)), after


# ------------------------------------------------------------------------ placing edits


def source_encoding(source: bytes) -> str:
    """The encoding Python reads ``source`` with (a BOM is handled by ``encode_like``)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding == "utf-8-sig" else encoding


def encode_like(original: bytes, text: str) -> bytes:
    """``text`` in the encoding of ``original``, with its byte-order mark if it had one."""
    data = text.encode(source_encoding(original))
    return BOM + data if original.startswith(BOM) else data


def apply_edits(source: bytes, edits: Sequence[Edit], line_length: int = DEFAULT_LINE_LENGTH) -> bytes:
    """Apply position-addressed edits; raises ``SourceError`` when the result is not a sound
    module (does not parse, or uses a name a fix introduced before binding it)."""
    text = decode_source(source)
    body = [e for e in edits if not isinstance(e, AddImport)]
    new_text = None
    if not any(isinstance(e, RemoveImportIfUnused) for e in body):
        new_text = splice(text, body)
    if new_text is None:
        from .cst import apply_with_libcst  # libcst only for the files that need it

        new_text = apply_with_libcst(text, body)
        _parse(new_text)
    # (splice has parsed its own output: a big file is not parsed again for nothing)
    imports = [e for e in edits if isinstance(e, AddImport)]
    if imports:
        new_text = add_imports(new_text, imports, line_length)
        verify_module(new_text, [imp.name for imp in imports])
    return encode_like(source, new_text)


def _parse(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise SourceError(f"the fixed code does not parse ({exc.__class__.__name__}: {exc})") from None


def verify_module(text: str, introduced: Sequence[str]) -> None:
    """Raise ``SourceError`` unless ``text`` parses and each introduced name is bound by a
    module-level statement before the first statement that uses it while the module runs."""
    tree = _parse(text)
    for name in dict.fromkeys(introduced):
        for stmt in tree.body:
            if _binds(stmt, name):
                break
            use = _import_time_use(stmt, name)
            if use is not None:
                raise SourceError(f"the fixed code would use '{name}' on line {use} before the import "
                                  "the fix adds; the original is kept")


def _binds(stmt: ast.stmt, name: str) -> bool:
    return isinstance(stmt, (ast.Import, ast.ImportFrom)) and any(
        (a.asname or a.name.split(".")[0]) == name for a in stmt.names)


def _import_time_use(stmt: ast.AST, name: str) -> Optional[int]:
    """The line of a load of ``name`` that runs when the module is imported (function bodies
    run later; their decorators, defaults and annotations run now)."""
    stack: List[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            return node.lineno
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list)
            stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d is not None)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return None


# ------------------------------------------------------------------------------ files


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    try:
        a = LINE.findall(decode_source(old))
        b = LINE.findall(decode_source(new))
    except SourceError:
        return ""
    lines = difflib.unified_diff(a, b, fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def changed_lines(old: bytes, new: bytes) -> List[int]:
    """Lines of ``new`` (1-based) that are new or changed compared with ``old``."""
    try:
        a = LINE.findall(decode_source(old))
        b = LINE.findall(decode_source(new))
    except SourceError:
        return []
    out: List[int] = []
    for _, _, j1, j2 in line_hunks(a, b):
        out.extend(range(j1 + 1, j2 + 1))
    return out


WINDOW = 32  # the most lines one fix inserts, replaces or removes in one place


def line_hunks(a: Sequence[str], b: Sequence[str]) -> List[Tuple[int, int, int, int]]:
    """(i1, i2, j1, j2): ``a[i1:i2]`` became ``b[j1:j2]``; linear in the number of lines.

    A general diff (``difflib``) is quadratic on a file with thousands of small insertions;
    fixes only insert, replace or remove a few lines in place, so a small look-ahead finds
    where the two texts meet again.
    """
    hunks: List[Tuple[int, int, int, int]] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if i < len(a) and j < len(b) and a[i] == b[j]:
            i += 1
            j += 1
            continue
        i2, j2 = _resync(a, b, i, j)
        hunks.append((i, i2, j, j2))
        i, j = i2, j2
    return hunks


def _resync(a: Sequence[str], b: Sequence[str], i: int, j: int) -> Tuple[int, int]:
    """The nearest (i2, j2) past (i, j) where ``a`` and ``b`` agree again."""
    for distance in range(1, 2 * WINDOW + 1):
        for skip_a in range(0, min(distance, WINDOW) + 1):
            skip_b = distance - skip_a
            if skip_b > WINDOW:
                continue
            i2, j2 = i + skip_a, j + skip_b
            if i2 >= len(a) or j2 >= len(b):
                if i2 >= len(a) and j2 >= len(b):
                    return len(a), len(b)
                continue
            # a blank line agrees too easily: it needs the next line to agree as well
            if a[i2] == b[j2] and (a[i2].strip() or a[i2:i2 + 2] == b[j2:j2 + 2]):
                return i2, j2
    return len(a), len(b)  # nothing in reach agrees: the rest differs


def write_atomically(path: str, original: bytes, new: bytes) -> None:
    """Rewrite ``path`` with ``new`` unless it changed since ``original`` was read.

    See ``_io.replace_in_place``: a verified temporary copy first, then the changed-on-disk
    check and an in-place rewrite (inode, owner, group, mode and hard links kept).
    """
    replace_in_place(path, original, new)


def line_changes(source: bytes, edits: Sequence[Edit]) -> List[Tuple[int, int, str]]:
    """One fix's changes as whole-line replacements of ``source``: (first line, line after
    the last replaced line, new text), lines 1-based. Empty when the edits cannot be applied.
    SARIF ``fixes`` are made from these."""
    try:
        new = apply_edits(source, edits)
        a = LINE.findall(decode_source(source))
        b = LINE.findall(decode_source(new))
    except Exception:  # noqa: BLE001 - a fix that cannot be shown is left out of the report
        return []
    return [(i1 + 1, i2 + 1, "".join(b[j1:j2])) for i1, i2, j1, j2 in line_hunks(a, b)]
