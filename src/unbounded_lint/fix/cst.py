"""Place edits with libcst where plain text splicing cannot: statements that share a line
(``a(); b()``, ``if c: x.append(v)``), overlapping spans, and removing an unused import.

Only imported when such a file has something to fix, so linting never pays for libcst.
"""

from __future__ import annotations

from typing import Dict, List, Sequence, Set, Tuple, TypeVar, Union

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ..types import Edit, InsertAfter, InsertBefore, RemoveImportIfUnused, RenameCall, Replace
from .splice import reindent_line

Position = Tuple[int, int]
Span = Tuple[Position, Position]
CSTNodeT = TypeVar("CSTNodeT", bound=cst.CSTNode)


class PlacementError(Exception):
    """An edit whose position matches no node of the module."""


def apply_with_libcst(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with the body edits and import removals applied; raises ``PlacementError``
    when an edit cannot be placed (libcst's own errors propagate)."""
    module = cst.parse_module(text)
    transformer = EditTransformer(module.config_for_parsing, edits)
    new_module = MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer)
    missing = transformer.unplaced()
    if missing:
        raise PlacementError(f"could not place {len(missing)} edit(s) at line {missing[0]}")
    removals = [e for e in edits if isinstance(e, RemoveImportIfUnused)]
    if removals:
        context = CodemodContext()
        for rem in removals:
            RemoveImportsVisitor.remove_unused_import(context, rem.module, rem.name)
        new_module = RemoveImportsVisitor(context).transform_module(new_module)
    return new_module.code


def _snippet_statements(code: str, indent: str) -> List[str]:
    """Split four-space-indented snippet code into top-level statements, re-indented."""
    statements: List[List[str]] = []
    for line in code.rstrip("\n").split("\n"):
        if not line.startswith(" "):
            statements.append([])
        statements[-1].append(reindent_line(line, indent))
    return ["\n".join(lines) + "\n" for lines in statements]


Body = Union[cst.BaseStatement, cst.BaseSmallStatement]


class EditTransformer(cst.CSTTransformer):
    """Applies ``Replace``, ``RenameCall``, ``InsertAfter`` and ``InsertBefore`` by position."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, config: cst.PartialParserConfig, edits: Sequence[Edit]) -> None:
        super().__init__()
        self.config = config
        self.replace: Dict[Span, str] = {}
        self.renames: Dict[Span, RenameCall] = {}
        self.after: Dict[Position, List[str]] = {}
        self.before: Dict[Position, List[str]] = {}
        for edit in edits:
            if isinstance(edit, Replace):
                self.replace[(edit.start, edit.end)] = edit.text
            elif isinstance(edit, RenameCall):
                self.renames[edit.call] = edit
            elif isinstance(edit, InsertAfter):
                self.after.setdefault(edit.stmt, []).append(edit.code)
            elif isinstance(edit, InsertBefore):
                self.before.setdefault(edit.stmt, []).append(edit.code)
        self.placed: Set[Tuple[str, object]] = set()

    def unplaced(self) -> List[int]:
        missing = [span[0][0] for span in self.replace if ("r", span) not in self.placed]
        missing += [span[0][0] for span in self.renames if ("n", span) not in self.placed]
        missing += [pos[0] for pos in self.after if ("a", pos) not in self.placed]
        missing += [pos[0] for pos in self.before if ("b", pos) not in self.placed]
        return sorted(missing)

    def _span(self, node: cst.CSTNode) -> "Span | None":
        pos = self.get_metadata(PositionProvider, node, None)
        if not isinstance(pos, CodeRange):
            return None
        return (pos.start.line, pos.start.column), (pos.end.line, pos.end.column)

    def on_leave(self, original_node: CSTNodeT, updated_node: CSTNodeT
                 ) -> Union[CSTNodeT, cst.RemovalSentinel, cst.FlattenSentinel[CSTNodeT]]:
        if isinstance(original_node, cst.BaseExpression) and (self.replace or self.renames):
            span = self._span(original_node)
            if span is not None and span in self.replace and ("r", span) not in self.placed:
                self.placed.add(("r", span))
                new = cst.parse_expression(self.replace[span], config=self.config)
                if getattr(original_node, "lpar", None) and hasattr(new, "lpar"):
                    new = new.with_changes(lpar=original_node.lpar, rpar=original_node.rpar)
                return new  # type: ignore[return-value]  # an expression replaces an expression
            if span is not None and span in self.renames and isinstance(updated_node, cst.Call):
                return self._rename(span, updated_node)  # type: ignore[return-value]
        return super().on_leave(original_node, updated_node)

    def _rename(self, span: Span, call: cst.Call) -> cst.Call:
        """Rename the method and drop the index argument; receiver and other arguments stay."""
        edit = self.renames[span]
        if not isinstance(call.func, cst.Attribute) or not call.args:
            return call
        self.placed.add(("n", span))
        args = list(call.args[1:])
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return call.with_changes(func=call.func.with_changes(attr=cst.Name(edit.method)), args=args)

    def _statements(self, codes: List[str]) -> List[cst.BaseStatement]:
        indent = self.config.default_indent
        unit = indent if isinstance(indent, str) else "    "  # AutoConfig only before parsing
        return [cst.parse_statement(chunk, config=self.config)
                for code in codes for chunk in _snippet_statements(code, unit)]

    def _claim(self, table: Dict[Position, List[str]], tag: str, pos: Position, out: List[str]) -> None:
        if pos in table and (tag, pos) not in self.placed:
            self.placed.add((tag, pos))
            out.extend(code for code in table[pos] if code not in out)

    def _inserts(self, original: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]
                 ) -> Tuple[List[cst.BaseStatement], bool]:
        new_body: List[cst.BaseStatement] = []
        changed = False
        for orig, upd in zip(original, updated):
            span = self._span(orig)
            before: List[str] = []
            after: List[str] = []
            if span is not None:
                simple = isinstance(orig, cst.SimpleStatementLine)
                for table, tag, out in ((self.before, "b", before), (self.after, "a", after)):
                    for pos in list(table):
                        if (span[0] <= pos <= span[1]) if simple else pos == span[0]:
                            self._claim(table, tag, pos, out)
            changed = changed or bool(before or after)
            new_body.extend(self._statements(before))
            new_body.append(upd)
            new_body.extend(self._statements(after))
        return new_body, changed

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, changed = self._inserts(original_node.body, updated_node.body)
        return updated_node.with_changes(body=body) if changed else updated_node

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
                            ) -> cst.IndentedBlock:
        body, changed = self._inserts(original_node.body, updated_node.body)
        return updated_node.with_changes(body=body) if changed else updated_node

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite,
                                   updated_node: cst.SimpleStatementSuite
                                   ) -> Union[cst.SimpleStatementSuite, cst.IndentedBlock]:
        """``if c: x.append(v)`` with an insert: becomes an indented block."""
        span = self._span(original_node)
        if span is None:
            return updated_node
        hits = [p for p in list(self.after) + list(self.before) if span[0] <= p <= span[1]]
        if not hits:
            return updated_node
        lines: List[cst.BaseStatement] = [
            cst.SimpleStatementLine(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
            for s in updated_node.body]
        before: List[str] = []
        after: List[str] = []
        for pos in hits:
            self._claim(self.before, "b", pos, before)
            self._claim(self.after, "a", pos, after)
        body = self._statements(before) + lines + self._statements(after)
        return cst.IndentedBlock(body=body, header=updated_node.trailing_whitespace)
