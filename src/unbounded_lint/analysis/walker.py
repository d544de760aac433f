"""One walk over a module's ``ast`` that records every container event.

The walk keeps the context each event needs (function, class, long-running loops, lambda or
comprehension nesting, lazy-creation guards) and resolves what each expression refers to:
``self.x`` / ``cls.x`` / ``Klass.x`` / ``state.x`` to a class attribute, bare names to a
function local or a module global once the function's scope is complete.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from . import index_seam
from .scopes import ScopeWalker
from .syntax import PLAIN_REMOVALS, guard_key, lazy_guards, loop_ends, own_nodes
from .model import ClassInfo, Key, attr_key

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from ..index.view import ModuleView

__all__ = ["Walker"]


class Walker(ScopeWalker):
    """Collects the events of one module. Use ``Walker(tree).run()``.

    It records and never judges: scopes (``FuncInfo``, ``ClassInfo``) and raw events, each
    with the context it happened in. The layers under it: ``Recorder`` (state, context,
    resolution), ``ExpressionWalker`` (calls, attributes, comparisons), ``ScopeWalker``
    (functions, lambdas, classes); this class adds the other statements.
    """

    def __init__(self, tree: ast.Module, index: "Optional[ModuleView]" = None) -> None:
        super().__init__(tree, index)
        # (class node, method name) -> the container path the method returns, if an accessor
        self._accessors: Dict[Tuple[int, str], Optional[Tuple[Optional[Key], Optional[str], int]]] = {}
        self._dispatch = {
            ast.FunctionDef: self._function, ast.AsyncFunctionDef: self._function,
            ast.Lambda: self._lambda, ast.ClassDef: self._class, ast.Assign: self._assign,
            ast.AnnAssign: self._annassign, ast.AugAssign: self._augassign,
            ast.Delete: self._delete, ast.While: self._while, ast.AsyncFor: self._asyncfor,
            ast.If: self._if, ast.Return: self._return, ast.Global: self._global,
            ast.Nonlocal: self._nonlocal, ast.Import: self._import, ast.ImportFrom: self._import,
            ast.Call: self._call, ast.Attribute: self._attribute, ast.Compare: self._compare,
            ast.ListComp: self._comp, ast.SetComp: self._comp, ast.DictComp: self._comp,
            ast.GeneratorExp: self._comp, ast.Name: self._name, ast.Yield: self._yield,
            ast.YieldFrom: self._yield, ast.For: self._for,
        }

    # ------------------------------------------------------------------ driver
    def run(self) -> "Walker":
        self._prepass(self.tree.body)
        # index seam (index-reexport): names the project re-exports are the outside names
        for local, real in index_seam.reexports(self.index):
            if local not in self.names.shadowed:
                self.names.aliases[local] = real
        for stmt in self.tree.body:
            self.visit(stmt)
        return self

    def _store_name(self, target: ast.AST) -> None:
        func = self.ctx.func
        if func is not None:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    func.locals.add(node.id)
                    func.stores[node.id] = func.stores.get(node.id, 0) + 1
                    if node.id in func.params:
                        func.rebound.add(node.id)

    def _alias(self, target: ast.Name, value: Optional[ast.AST]) -> bool:
        """``q = self.q``: the local is another name for the attribute's container, so what is
        done through it (``q.get()``, ``q.clear()``) is done to the container. An element
        (``q = self.queues[k]``, ``self.queues.get(k)``, ``self.queues.setdefault(k, [])``, or
        a method of the class that returns ``self.queues[k]``) is an alias one level down:
        ``q.pop(0)`` is ``self.queues[k].pop(0)``."""
        func = self.ctx.func
        if func is None or value is None:
            return False
        resolved: Optional[Tuple[Optional[Key], Optional[str], int]] = None
        extra = 0
        if isinstance(value, (ast.Attribute, ast.Subscript)):
            resolved = self.resolve(value)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            method = value.func.attr
            receiver = value.func.value
            if method in ("get", "setdefault") and value.args \
                    and isinstance(receiver, (ast.Attribute, ast.Subscript)):
                resolved, extra = self.resolve(receiver), 1
            elif isinstance(receiver, ast.Name) and receiver.id == func.self_name \
                    and func.cls is not None:
                resolved = self._accessor(func.cls, method)
        if resolved is None or resolved[0] is None:
            return False
        func.aliases[target.id] = resolved[0]
        if resolved[2] + extra:
            func.alias_depth[target.id] = resolved[2] + extra
        self._store_name(target)
        return True

    def _accessor(self, cls: ClassInfo, name: str) -> Optional[Tuple[Optional[Key], Optional[str], int]]:
        """For a method of ``cls`` whose every ``return`` gives the same ``self.x[...]`` path
        (``_get_queue(k)``: create if missing, then ``return self._queues[k]``): that path."""
        key = (id(cls.node), name)
        if key not in self._accessors:
            self._accessors[key] = self._find_accessor(cls, name)
        return self._accessors[key]

    def _find_accessor(self, cls: ClassInfo, name: str) -> Optional[Tuple[Optional[Key], Optional[str], int]]:
        found: Optional[Tuple[str, int]] = None
        for stmt in cls.node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or stmt.name != name \
                    or not stmt.args.args:
                continue
            me = stmt.args.args[0].arg
            for node in own_nodes(stmt):
                if not isinstance(node, ast.Return):
                    continue
                expr, depth = node.value, 0
                while isinstance(expr, ast.Subscript) and not isinstance(expr.slice, ast.Slice):
                    expr, depth = expr.value, depth + 1
                if not (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)
                        and expr.value.id == me) or (found is not None and found != (expr.attr, depth)):
                    return None
                found = (expr.attr, depth)
        if found is None:
            return None
        return (attr_key(cls.qualname, found[0]), None, found[1])

    def _getitem(self, node: ast.AST) -> None:
        """``v = d[k]`` / ``d[k].attr = v``: on a defaultdict, the read itself inserts ``k``."""
        func = self.ctx.func
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice) \
                and func is not None and isinstance(node.value, (ast.Attribute, ast.Name)) \
                and not (isinstance(node.value, ast.Name) and node.value.id in func.locals):
            ev = self._event("grow", "getitem", node)
            self._mark_keys(ev, [node.slice])
            self._record(ev, node.value)

    def _assign(self, node: ast.Assign) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        self.visit(node.value)
        if node.value.__class__ is ast.Subscript:
            self._getitem(node.value)
        multi = len(node.targets) > 1
        for target in node.targets:
            self._target(target, node.value, multi, None)
        self.ctx = saved

    def _annassign(self, node: ast.AnnAssign) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        if node.value is not None:
            self.visit(node.value)
            self._target(node.target, node.value, False, node.annotation)
        else:
            self._store_name(node.target)
            if not isinstance(node.target, ast.Name):
                self.visit(node.target)
        self.ctx = saved

    def _target(self, target: ast.AST, value: Optional[ast.AST], multi: bool, ann: Optional[ast.AST]) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            values: List[Optional[ast.AST]]
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) \
                    and not any(isinstance(e, ast.Starred) for e in value.elts):
                values = list(value.elts)
            else:
                values = [None] * len(target.elts)
            for elt, val in zip(target.elts, values):
                self._target(elt, val, True, None)
            return
        if isinstance(target, ast.Starred):
            self._target(target.value, None, True, None)
            return
        if isinstance(target, ast.Subscript):
            self.visit(target.value)
            self.visit(target.slice)
            if isinstance(target.slice, ast.Slice):
                self._record(self._event("bound", "slice-assign", target), target.value)
            else:
                ev = self._event("grow", "setitem", target)
                self._mark_keys(ev, [target.slice])
                self._record(ev, target.value)
            return
        if isinstance(target, ast.Name):
            if not multi and self._alias(target, value):
                return
            self._store_name(target)
        elif isinstance(target, ast.Attribute):
            self.visit(target.value)
            if target.value.__class__ is ast.Subscript:
                self._getitem(target.value)
        else:
            self.visit(target)
            return
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add) \
                and ast.dump(value.left) == ast.dump(target, annotate_fields=True).replace("Store()", "Load()"):
            ev = self._event("grow", "x = x + ...", target)
            self._record(ev, target)
            return
        ev = self._event("create", "assign", target)
        local = self._local_names()
        ctype = self.classifier.classify(value, local)
        if ctype.kind == "other" and ann is not None:
            ctype = self.classifier.classify_annotation(ann)
        ev.ctype = ctype
        ev.value = value
        ev.ann = ann
        ev.multi = multi
        key = guard_key(target)
        ev.lazy = key is not None and key in self.ctx.guards
        self._record(ev, target)

    def _augassign(self, node: ast.AugAssign) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        self.visit(node.value)
        target = node.target
        if isinstance(target, ast.Subscript):
            self.visit(target.value)
            self.visit(target.slice)
            if not isinstance(target.slice, ast.Slice):
                ev = self._event("grow", "augitem", target)
                self._mark_keys(ev, [target.slice])
                self._record(ev, target.value)
        elif isinstance(target, (ast.Name, ast.Attribute)):
            if isinstance(target, ast.Name):
                self._store_name(target)
            else:
                self.visit(target.value)
            if isinstance(node.op, ast.Add):
                self._record(self._event("grow", "+=", target), target)
            elif isinstance(node.op, ast.BitOr):
                ev = self._event("grow", "|=", target)
                value = node.value
                keys: Optional[Sequence[Optional[ast.AST]]] = None
                if isinstance(value, ast.Dict):
                    keys = value.keys
                elif isinstance(value, ast.Set):
                    keys = value.elts
                self._mark_keys(ev, keys)
                self._record(ev, target)
            elif isinstance(node.op, (ast.Sub, ast.BitAnd)):
                self._record(self._event("bound", "-=", target), target)
        self.ctx = saved

    def _delete(self, node: ast.Delete) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                self.visit(target.value)
                self.visit(target.slice)
                self._record(self._event("bound", "del", target), target.value)
                if isinstance(target.slice, ast.Constant) and target.slice.value == 0 \
                        and not isinstance(target.slice.value, bool):
                    ev = self._event("popfront", "del x[0]", target)
                    if not self._record(ev, target.value):
                        ev.key = None
                        self.events.append(ev)
            elif isinstance(target, (ast.Name, ast.Attribute)):
                if isinstance(target, ast.Attribute):
                    self.visit(target.value)
                self._record(self._event("bound", "del", target), target)
            else:
                self.visit(target)
        self.ctx = saved

    def _long_running(self, test: ast.AST) -> bool:
        if isinstance(test, ast.Constant):
            return bool(test.value) and test.value is not Ellipsis
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = test.operand
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) \
                    and inner.func.attr == "is_set" and not inner.args:
                return True
            return self._self_flag(inner)
        return self._self_flag(test)

    def _drained_by(self, node: ast.While) -> bool:
        """``while self.x:`` whose body takes items out of ``self.x``: a drain, not a service loop."""
        test = node.test
        if isinstance(test, ast.UnaryOp):
            return False
        key = guard_key(test)
        if key is None or len(key) != 2:
            return False
        for stmt in node.body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Attribute) and sub.attr in PLAIN_REMOVALS | {"get", "get_nowait"} \
                        and guard_key(sub.value) == key:
                    return True
        return False

    def _self_flag(self, node: ast.AST) -> bool:
        """``self.running``: a flag another method sets. Not ``self.eof`` when the class
        defines ``eof`` as a method or property: that is a condition computed from the
        object's state (a parser at the end of its input), not a stop flag."""
        func = self.ctx.func
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                func is not None and func.self_name is not None
                and node.value.id == func.self_name)):
            return False
        cls = func.cls
        return cls is None or not any(
            isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d.name == node.attr
            for d in cls.node.body)

    def _while(self, node: ast.While) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        self.visit(node.test)
        inner = self.ctx
        loops = inner.loops
        if self._long_running(node.test) and not self._drained_by(node):
            loops = loops + (node,)
            if loop_ends(node.body):
                self.ending_loops.add(id(node))
            elif inner.func is not None and inner.func.cls is not None:
                inner.func.cls.long_running = True
                inner.func.cls.loop_methods.add(inner.func.name)
        self.ctx = inner._replace(loops=loops, loop_depth=inner.loop_depth + 1)
        for stmt in node.body:
            self.visit(stmt)
        self.ctx = inner
        for stmt in node.orelse:
            self.visit(stmt)
        self.ctx = saved

    def _asyncfor(self, node: ast.AsyncFor) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        self.visit(node.iter)
        self._store_name(node.target)
        inner = self.ctx
        if loop_ends(node.body):
            self.ending_loops.add(id(node))
        self.ctx = inner._replace(loops=inner.loops + (node,), loop_depth=inner.loop_depth + 1)
        for stmt in node.body:
            self.visit(stmt)
        self.ctx = inner
        for stmt in node.orelse:
            self.visit(stmt)
        self.ctx = saved

    def _for(self, node: ast.For) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        self.visit(node.iter)
        self._store_name(node.target)
        inner = self.ctx
        fixed = inner.fixed_names
        if self._fixed_domain(node.iter):
            fixed = fixed | {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        self.ctx = inner._replace(fixed_names=fixed, loop_depth=inner.loop_depth + 1)
        for stmt in node.body:
            self.visit(stmt)
        self.ctx = inner
        for stmt in node.orelse:
            self.visit(stmt)
        self.ctx = saved

    def _if(self, node: ast.If) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        self.visit(node.test)
        inner = self.ctx
        new = lazy_guards(node.test)
        if new:
            self.ctx = inner._replace(guards=inner.guards + tuple(new))
        for stmt in node.body:
            self.visit(stmt)
        self.ctx = inner
        for stmt in node.orelse:
            self.visit(stmt)
        self.ctx = saved

    def _return(self, node: ast.Return) -> None:
        saved = self.ctx
        self.ctx = saved.at(node)
        value = node.value
        if value is not None:
            self.visit(value)
            func = self.ctx.func
            if func is not None and isinstance(value, ast.Name) and value.id in func.params:
                func.returned_params.add(value.id)
            if func is not None and isinstance(value, ast.Name) \
                    and any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == value.id
                            for s in getattr(func.node, "body", ())):
                func.returned_defs.add(value.id)
            self._returned(value)
        self.ctx = saved

    def _returned(self, value: ast.AST) -> None:
        elts: List[ast.AST] = list(value.elts) if isinstance(value, ast.Tuple) else [value]
        for elt in elts:
            if isinstance(elt, (ast.Name, ast.Attribute)):
                self._record(self._event("return", "return", elt), elt)

    def _yield(self, node: ast.AST) -> None:
        value = getattr(node, "value", None)
        if value is not None:
            self.visit(value)
            self._returned(value)

    def _global(self, node: ast.Global) -> None:
        if self.ctx.func is not None:
            self.ctx.func.globals.update(node.names)

    def _nonlocal(self, node: ast.Nonlocal) -> None:
        if self.ctx.func is not None:
            self.ctx.func.nonlocals.update(node.names)

    def _import(self, node: ast.AST) -> None:
        if (self.ctx.func is not None or self.ctx.class_body is not None) \
                and isinstance(node, (ast.Import, ast.ImportFrom)):
            self.names.add_import(node)
