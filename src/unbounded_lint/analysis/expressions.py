"""Recording the events expressions make: growth and removal calls, size checks, containers
handed to other code, returned or yielded."""

from __future__ import annotations

import ast
from typing import Optional

from .recorder import Recorder
from .syntax import FIGURE_CREATORS, GROWTH_METHODS, PLAIN_REMOVALS, REMOVAL_METHODS, SAFE_CALLEES


class ExpressionWalker(Recorder):
    """Handlers for expressions; ``Walker`` adds the statements."""

    def _cleared_method(self, target: ast.Attribute) -> None:
        """``self.method.cache_clear()`` or ``Klass.method.cache_clear()``: (class, method)."""
        base = target.value
        if not isinstance(base, ast.Name):
            return
        func = self.ctx.func
        if func is not None and func.cls is not None and base.id == func.self_name:
            self.cleared_methods.add((func.cls.name, target.attr))
        else:
            self.cleared_methods.add((base.id, target.attr))

    # ----------------------------------------------------------- expressions
    def _name(self, node: ast.Name) -> None:
        func = self.ctx.func
        if func is not None and isinstance(node.ctx, ast.Store):
            func.locals.add(node.id)
            func.stores[node.id] = func.stores.get(node.id, 0) + 1
            if node.id in func.params:
                func.rebound.add(node.id)

    def _comp(self, node: ast.AST) -> None:
        saved = self.ctx
        self.ctx = saved._replace(nested=saved.nested + 1)
        self._children(node)
        self.ctx = saved

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            if self.ctx.func is not None and isinstance(func.value, ast.Name) \
                    and func.value.id == self.ctx.func.self_name:
                self._called.add(id(func))
        elif isinstance(func, ast.Name):
            if self.ctx.func is None and self.ctx.class_body is None:
                self.import_calls.add(func.id)
            elif self.ctx.func is not None:
                self.function_calls.add(func.id)
        if isinstance(func, ast.Attribute):
            attr = func.attr
            receiver = func.value
            if attr in GROWTH_METHODS:
                ev = self._event("grow", attr, node)
                args = node.args
                if attr in ("add", "setdefault") and args:
                    self._mark_keys(ev, [args[0]])
                elif attr == "update":
                    dicts = [a for a in args if isinstance(a, ast.Dict)]
                    self._mark_keys(ev, [k for d in dicts for k in d.keys] if len(dicts) == len(args) else None)
                elif attr == "insert" and args and isinstance(args[0], ast.Constant) and args[0].value == 0:
                    ev.front = True
                    pop = self._event("popfront", "insert(0, ...)", node)
                    if not self._record(pop, receiver):
                        self.events.append(pop)
                self._record(ev, receiver)
            elif attr == "pop" and len(node.args) == 1 and isinstance(node.args[0], ast.Constant) \
                    and node.args[0].value == 0 and not isinstance(node.args[0].value, bool) and not node.keywords:
                pop = self._event("popfront", "pop(0)", node)
                if not self._record(pop, receiver):
                    self.events.append(pop)
            elif attr == "cache_clear":
                if isinstance(receiver, ast.Name):
                    self.cache_clears.add(receiver.id)
                elif isinstance(receiver, ast.Attribute):
                    self.cache_clears.add(receiver.attr)
                    self._cleared_method(receiver)
        qn = self.names.qualname(func, self._local_names()) if isinstance(func, (ast.Name, ast.Attribute)) else None
        if qn is not None:
            if qn in FIGURE_CREATORS:
                self.figure_calls.append((node, self.ctx.stmt, self.ctx.func, self.ctx.loops))
            elif qn == "matplotlib.pyplot.close":
                self.close_calls.append((node, self.ctx.func))
        joins = isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant)
        if qn not in SAFE_CALLEES and not joins:
            for arg in node.args:
                value = arg.value if isinstance(arg, ast.Starred) else arg
                if isinstance(value, (ast.Name, ast.Attribute)):
                    self._record(self._event("pass", "pass", value), value)
            for kw in node.keywords:
                if isinstance(kw.value, (ast.Name, ast.Attribute)):
                    self._record(self._event("pass", "pass", kw.value), kw.value)
        self._children(node)

    def _attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        value = node.value
        func = self.ctx.func
        if func is not None and isinstance(value, ast.Name) and value.id == func.self_name:
            func.self_calls.append(attr)
            if id(node) not in self._called:
                func.self_refs.add(attr)
        if attr in REMOVAL_METHODS and isinstance(node.ctx, ast.Load):
            if not self._record(self._event("attr", attr, node), value):
                if attr in PLAIN_REMOVALS:
                    inner = value
                    while isinstance(inner, ast.Subscript):
                        inner = inner.value
                    if isinstance(inner, ast.Attribute):
                        self.bound_attr_names.add(inner.attr)
        self.visit(value)

    def _compare(self, node: ast.Compare) -> None:
        operands = [node.left] + list(node.comparators)
        for i, op in enumerate(node.ops):
            if not isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq)):
                continue
            left, right = operands[i], operands[i + 1]
            for sized, other in ((left, right), (right, left)):
                target = self._sized(sized)
                if target is None:
                    continue
                if isinstance(other, ast.Constant) and other.value in (0, 1) and not isinstance(other.value, str):
                    continue
                if not self._record(self._event("bound", "size-check", node), target):
                    inner = target
                    while isinstance(inner, ast.Subscript):
                        inner = inner.value
                    if isinstance(inner, ast.Attribute):
                        self.bound_attr_names.add(inner.attr)
        self._children(node)

    def _sized(self, node: ast.AST) -> Optional[ast.AST]:
        if isinstance(node, ast.Call) and not node.keywords:
            if isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1 \
                    and "len" not in self.names.shadowed:
                return node.args[0]
            if isinstance(node.func, ast.Attribute) and node.func.attr == "qsize" and not node.args:
                return node.func.value
        return None
