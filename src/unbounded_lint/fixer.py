"""Apply the findings' fixes with libcst, preserving everything else byte for byte.

The rules already decided *what* to change (``Fix.edits``, addressed by source position); this
module only places the edits: one libcst parse with positions, one transform, imports added by
libcst's ``AddImportsVisitor`` (after a docstring and ``__future__`` imports, merged with an
existing ``from collections import ...``), then a re-parse. libcst is imported here only, and
only for a file that has something to fix.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

from ._io import WriteError, replace_in_place  # noqa: F401 - WriteError is re-exported
from .engine import SourceError, decode_source, lint_source
from .types import (AddImport, Finding, FileResult, InsertAfter, InsertBefore, RemoveImportIfUnused, Replace,
                    Settings)

Position = Tuple[int, int]


@dataclass(frozen=True)
class FixOutcome:
    """What fixing one file's source did."""

    source: bytes  # the new bytes (the input itself when nothing changed)
    fixed: int = 0  # findings repaired
    remaining: Tuple[Finding, ...] = ()  # findings of the new source
    error: Optional[str] = None
    applied: Tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return self.fixed > 0


def select_edits(findings: Sequence[Finding], unsafe: bool) -> Tuple[List[Finding], List[object]]:
    """The findings whose edits can all be applied together, and their de-duplicated edits."""
    applied: List[Finding] = []
    edits: List[object] = []
    seen: Set[object] = set()
    spans: Dict[Tuple[Position, Position], str] = {}
    for finding in findings:
        if not finding.fixable_with(unsafe):
            continue
        assert finding.fix is not None
        conflict = False
        for edit in finding.fix.edits:
            if isinstance(edit, Replace):
                span = (edit.start, edit.end)
                if span in spans and spans[span] != edit.text:
                    conflict = True
                elif span not in spans and any(_overlap(span, other) for other in spans):
                    conflict = True
        if conflict:
            continue
        applied.append(finding)
        for edit in finding.fix.edits:
            if isinstance(edit, Replace):
                spans[(edit.start, edit.end)] = edit.text
            if edit not in seen:
                seen.add(edit)
                edits.append(edit)
    return applied, edits


def _overlap(a: Tuple[Position, Position], b: Tuple[Position, Position]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


MAX_PASSES = 4


def fix_source(source: bytes, path: str = "<string>", settings: Optional[Settings] = None,
               unsafe: bool = False, result: Optional[FileResult] = None) -> FixOutcome:
    """Fix one file's bytes. Never raises; on any failure the input comes back unchanged.

    Like ruff, the fixer runs again on its own output while fixable findings remain (edits
    that overlap cannot be applied in one pass), so that a second ``--fix`` changes nothing.
    """
    settings = settings or Settings()
    current = source
    applied: List[Finding] = []
    remaining: Tuple[Finding, ...] = ()
    for _ in range(MAX_PASSES):
        # Each pass starts from the lint of the previous pass's output: no file is linted twice.
        outcome, result = _fix_once(current, path, settings, unsafe, result)
        if outcome.error:
            if not applied:
                return FixOutcome(source, remaining=outcome.remaining, error=outcome.error)
            break  # keep what the earlier passes fixed; the rest stays reported
        remaining = outcome.remaining
        if not outcome.changed:
            break
        applied.extend(outcome.applied)
        current = outcome.source
        if not any(f.fixable_with(unsafe) for f in remaining):
            break
    return FixOutcome(current, len(applied), tuple(remaining), applied=tuple(applied))


def _fix_once(source: bytes, path: str, settings: Settings, unsafe: bool,
              result: Optional[FileResult]) -> Tuple[FixOutcome, Optional[FileResult]]:
    """One pass: the outcome, and the lint result of its output (None when it failed)."""
    result = result or lint_source(source, path, settings)
    if result.error:
        return FixOutcome(source, error=result.error), None
    applied, edits = select_edits(result.findings, unsafe)
    if not applied:
        return FixOutcome(source, remaining=result.findings), result
    try:
        new_source = apply_edits(source, edits)
    except SourceError as exc:
        return FixOutcome(source, remaining=result.findings, error=f"fix failed: {exc}"), None
    except Exception as exc:  # noqa: BLE001 - libcst or a bad edit: leave the file alone
        reason = " ".join(str(exc).split())[:200] or exc.__class__.__name__
        error = f"fix failed: {exc.__class__.__name__}: {reason}"
        return FixOutcome(source, remaining=result.findings, error=error), None
    if new_source == source:
        return FixOutcome(source, remaining=result.findings), result
    after = lint_source(new_source, path, settings)
    if after.error:
        return FixOutcome(source, remaining=result.findings, error=f"fix failed: {after.error}"), None
    return FixOutcome(new_source, len(applied), after.findings, applied=tuple(applied)), after


def apply_edits(source: bytes, edits: Sequence[object]) -> bytes:
    """Apply position-addressed edits; raises ``SourceError`` when the result does not parse.

    The fast path splices the exact spans the ``ast`` reported, as text (pyupgrade's way: no
    second parser, nothing but the edited spans touched). Edits it cannot place as text — a
    statement that shares its line with another (``a(); b()``, ``if c: x.append(v)``), an
    import to remove — go through libcst, which is slower but restructures code safely.
    """
    bom = source.startswith(b"\xef\xbb\xbf")
    text = decode_source(source)
    new_text = _apply_as_text(text, edits)
    if new_text is None:
        return _apply_with_libcst(source, edits)
    data = new_text.encode(_encoding(source))
    return (b"\xef\xbb\xbf" + data) if bom else data


def _apply_as_text(text: str, edits: Sequence[object]) -> Optional[str]:
    """Splice the edits into ``text``; None when some edit needs libcst."""
    if any(isinstance(e, RemoveImportIfUnused) for e in edits):
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = _LINE.findall(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def char_col(line: int, byte_col: int) -> int:
        content = lines[line - 1]
        return byte_col if content.isascii() else len(content.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def offset(pos: Position) -> int:
        return starts[pos[0] - 1] + pos[1]

    statements: Dict[Position, ast.stmt] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            statements[(node.lineno, char_col(node.lineno, node.col_offset))] = node
    indent_unit = _indent_unit(lines)
    ops: List[Tuple[int, int, str]] = []
    after: Dict[Position, List[str]] = {}
    before: Dict[Position, List[str]] = {}
    for edit in edits:
        if isinstance(edit, Replace):
            ops.append((offset(edit.start), offset(edit.end), edit.text))
        elif isinstance(edit, InsertAfter):
            codes = after.setdefault(edit.stmt, [])
            if edit.code not in codes:
                codes.append(edit.code)
        elif isinstance(edit, InsertBefore):
            codes = before.setdefault(edit.stmt, [])
            if edit.code not in codes:
                codes.append(edit.code)
    for table, is_after in ((after, True), (before, False)):
        for pos, codes in table.items():
            node = statements.get(pos)
            if node is None or node.end_lineno is None or node.end_col_offset is None:
                return None
            prefix = lines[node.lineno - 1][:pos[1]]
            if prefix.strip():
                return None  # shares its line with what comes before
            last = lines[node.end_lineno - 1]
            rest = last[char_col(node.end_lineno, node.end_col_offset):]
            if rest.strip() and not rest.strip().startswith("#"):
                return None  # something follows it on the line (``;``)
            newline = _newline_of(last) or _newline_of(lines[0]) or "\n"
            block = "".join(prefix + _reindent_line(code_line, indent_unit) + newline
                            for code in codes for code_line in code.rstrip("\n").split("\n"))
            if is_after:
                at = starts[node.end_lineno]
                if not _newline_of(last):
                    block = newline + block
            else:
                at = starts[node.lineno - 1]
            ops.append((at, at, block))
    imports = [e for e in edits if isinstance(e, AddImport)]
    for imp in dict.fromkeys(imports):
        op = _import_op(tree, lines, starts, imp)
        if op is not None:
            ops.append(op)
    ops = list(dict.fromkeys(ops))  # two findings sharing one plan give the same edit twice
    ops.sort(key=lambda op: (op[0], op[1]), reverse=True)
    out = text
    previous_start = len(text) + 1
    for start, end, replacement in ops:
        if end > previous_start:
            return None  # overlapping edits: let libcst sort it out
        out = out[:start] + replacement + out[end:]
        previous_start = start
    try:
        ast.parse(out)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return out


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _newline_of(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    if line.endswith("\r"):
        return "\r"
    return ""


def _indent_unit(lines: Sequence[str]) -> str:
    """The file's indentation step: the first indented line's leading white space."""
    for line in lines:
        stripped = line.lstrip(" \t")
        if stripped and stripped[0] not in "#\r\n" and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return "    "


def _reindent_line(line: str, unit: str) -> str:
    stripped = line.lstrip(" ")
    return unit * ((len(line) - len(stripped)) // 4) + stripped


def _import_op(tree: ast.Module, lines: Sequence[str], starts: Sequence[int],
               imp: AddImport) -> Optional[Tuple[int, int, str]]:
    """``from module import name`` on its own line after the module's leading imports."""
    body = tree.body
    for node in body:
        if isinstance(node, ast.ImportFrom) and node.module == imp.module and not node.level \
                and any(a.name == imp.name and a.asname in (None, imp.name) for a in node.names):
            return None
    index = 0
    anchor: Optional[ast.stmt] = None
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        anchor = body[0]
        index = 1
    while index < len(body) and isinstance(body[index], (ast.Import, ast.ImportFrom)):
        anchor = body[index]
        index += 1
    newline = (_newline_of(lines[0]) if lines else "") or "\n"
    statement = f"from {imp.module} import {imp.name}{newline}"
    if anchor is None:
        line = 0
        while line < len(lines) and lines[line].lstrip().startswith("#"):
            line += 1  # shebang, coding line, licence header
        return (starts[line], starts[line], statement)
    end = anchor.end_lineno or anchor.lineno
    last = lines[end - 1]
    if not _newline_of(last):
        statement = newline + statement
    return (starts[end], starts[end], statement)


def _apply_with_libcst(source: bytes, edits: Sequence[object]) -> bytes:
    import libcst as cst
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
    from libcst.metadata import MetadataWrapper

    bom = source.startswith(b"\xef\xbb\xbf")
    text = decode_source(source)
    encoding = _encoding(source)
    module = cst.parse_module(text)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    transformer = _make_transformer(module, [e for e in edits if not isinstance(e, (AddImport, RemoveImportIfUnused))])
    new_module = wrapper.visit(transformer)
    missing = transformer.unplaced()
    if missing:
        raise SourceError(f"could not place {len(missing)} edit(s) at line {missing[0]}")
    imports = [e for e in edits if isinstance(e, AddImport)]
    if imports:
        context = CodemodContext()
        for imp in imports:
            AddImportsVisitor.add_needed_import(context, imp.module, imp.name)
        new_module = AddImportsVisitor(context).transform_module(new_module)
    removals = [e for e in edits if isinstance(e, RemoveImportIfUnused)]
    if removals:
        context = CodemodContext()
        for rem in removals:
            RemoveImportsVisitor.remove_unused_import(context, rem.module, rem.name)
        new_module = RemoveImportsVisitor(context).transform_module(new_module)
    new_text = new_module.code
    try:
        ast.parse(new_text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise SourceError(f"the fixed code does not parse ({exc.__class__.__name__}: {exc})") from None
    data = new_text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _encoding(source: bytes) -> str:
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _reindent(code: str, indent: str) -> List[str]:
    """Split four-space-indented snippet code into top-level statements, re-indented."""
    statements: List[List[str]] = []
    for line in code.rstrip("\n").split("\n"):
        stripped = line.lstrip(" ")
        if len(stripped) == len(line):
            statements.append([])
        statements[-1].append(_reindent_line(line, indent))
    return ["\n".join(lines) + "\n" for lines in statements]


def _make_transformer(module, edits):  # type: ignore[no-untyped-def]
    """The transformer class is built here so that libcst is imported only when fixing."""
    import libcst as cst
    from libcst.metadata import PositionProvider

    class EditTransformer(cst.CSTTransformer):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self) -> None:
            super().__init__()
            self.replace: Dict[Tuple[Position, Position], str] = {}
            self.after: Dict[Position, List[str]] = {}
            self.before: Dict[Position, List[str]] = {}
            for edit in edits:
                if isinstance(edit, Replace):
                    self.replace[(edit.start, edit.end)] = edit.text
                elif isinstance(edit, InsertAfter):
                    self.after.setdefault(edit.stmt, []).append(edit.code)
                elif isinstance(edit, InsertBefore):
                    self.before.setdefault(edit.stmt, []).append(edit.code)
            self.placed: Set[object] = set()
            self.config = module.config_for_parsing

        def unplaced(self) -> List[int]:
            missing = [k[0][0] for k in self.replace if ("r",) + k not in self.placed]
            missing += [k[0] for k in self.after if ("a", k) not in self.placed]
            missing += [k[0] for k in self.before if ("b", k) not in self.placed]
            return sorted(missing)

        def _range(self, node):  # type: ignore[no-untyped-def]
            pos = self.get_metadata(PositionProvider, node, None)
            if pos is None:
                return None
            return (pos.start.line, pos.start.column), (pos.end.line, pos.end.column)

        def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
            if self.replace and isinstance(original_node, cst.BaseExpression):
                span = self._range(original_node)
                if span is not None and span in self.replace and ("r",) + span not in self.placed:
                    self.placed.add(("r",) + span)
                    new = cst.parse_expression(self.replace[span], config=self.config)
                    if getattr(original_node, "lpar", None) and hasattr(new, "lpar"):
                        new = new.with_changes(lpar=original_node.lpar, rpar=original_node.rpar)
                    return new
                if span is not None and isinstance(original_node, cst.Call):
                    renamed = self._rename(original_node, updated_node, span)
                    if renamed is not None:
                        return renamed
            return super().on_leave(original_node, updated_node)

        def _rename(self, original, updated, span):  # type: ignore[no-untyped-def]
            """The deque rewrite of a front operation, ``insert(0, `` -> ``appendleft(`` and
            ``pop(0)`` -> ``popleft()``, whose text edit starts at the method name and so spans
            no node: rename the method and drop the index argument, leaving the receiver and
            the other arguments exactly as written."""
            func = original.func
            if not isinstance(func, cst.Attribute):
                return None
            name = self._range(func.attr)
            if name is None:
                return None
            for key, text in self.replace.items():
                if key[0] != name[0] or ("r",) + key in self.placed or not key[1] <= span[1]:
                    continue
                if text == "appendleft(" and len(updated.args) == 2:
                    args = updated.args[1:]
                elif text == "popleft()" and len(updated.args) == 1:
                    args = []
                else:
                    continue
                self.placed.add(("r",) + key)
                method = text[:-1] if text.endswith("(") else text[:-2]
                return updated.with_changes(func=updated.func.with_changes(attr=cst.Name(method)), args=args)
            return None

        def _statements(self, codes: List[str]) -> List[object]:
            out: List[object] = []
            for code in codes:
                for chunk in _reindent(code, self.config.default_indent):
                    out.append(cst.parse_statement(chunk, config=self.config))
            return out

        def _inserts(self, original, updated_body):  # type: ignore[no-untyped-def]
            new_body: List[object] = []
            changed = False
            for orig, upd in zip(original, updated_body):
                span = self._range(orig)
                before: List[str] = []
                after: List[str] = []
                if span is not None:
                    simple = isinstance(orig, cst.SimpleStatementLine)
                    for table, tag, out in ((self.before, "b", before), (self.after, "a", after)):
                        for pos, codes in table.items():
                            hit = (span[0] <= pos <= span[1]) if simple else pos == span[0]
                            if hit and (tag, pos) not in self.placed:
                                self.placed.add((tag, pos))
                                for code in codes:
                                    if code not in out:
                                        out.append(code)
                if before:
                    new_body.extend(self._statements(before))
                    changed = True
                new_body.append(upd)
                if after:
                    new_body.extend(self._statements(after))
                    changed = True
            return new_body, changed

        def leave_Module(self, original_node, updated_node):  # type: ignore[no-untyped-def]
            body, changed = self._inserts(original_node.body, updated_node.body)
            return updated_node.with_changes(body=body) if changed else updated_node

        def leave_IndentedBlock(self, original_node, updated_node):  # type: ignore[no-untyped-def]
            body, changed = self._inserts(original_node.body, updated_node.body)
            return updated_node.with_changes(body=body) if changed else updated_node

        def leave_SimpleStatementSuite(self, original_node, updated_node):  # type: ignore[no-untyped-def]
            span = self._range(original_node)
            if span is None:
                return updated_node
            hits = [p for p in list(self.after) + list(self.before) if span[0] <= p <= span[1]]
            if not hits:
                return updated_node
            lines = [cst.SimpleStatementLine(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
                     for s in updated_node.body]
            before: List[str] = []
            after: List[str] = []
            for pos in hits:
                if pos in self.before and ("b", pos) not in self.placed:
                    self.placed.add(("b", pos))
                    before.extend(c for c in self.before[pos] if c not in before)
                if pos in self.after and ("a", pos) not in self.placed:
                    self.placed.add(("a", pos))
                    after.extend(c for c in self.after[pos] if c not in after)
            body = self._statements(before) + lines + self._statements(after)
            return cst.IndentedBlock(body=body, header=updated_node.trailing_whitespace)

    return EditTransformer()


# ------------------------------------------------------------------------------ files


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    try:
        a = _LINE.findall(decode_source(old))
        b = _LINE.findall(decode_source(new))
    except SourceError:
        return ""
    lines = difflib.unified_diff(a, b, fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomically(path: str, original: bytes, new: bytes) -> None:
    """Rewrite ``path`` with ``new`` unless it changed since ``original`` was read.

    See ``_io.replace_in_place``: a verified temporary copy first, then the changed-on-disk
    check and an in-place rewrite (inode, owner, group, mode and hard links kept).
    """
    replace_in_place(path, original, new)
