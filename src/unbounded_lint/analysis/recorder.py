"""The walk's state and how it records an event: the pushed context, what an expression
refers to (``self.x`` / ``cls.x`` / ``Klass.x`` / ``state.x`` to a class attribute, bare names
to a function local or a module global once the function's scope is complete)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Set, Tuple

from . import index_seam
from .classify import Classifier
from .model import CacheSite, ClassInfo, Event, FuncInfo, Key, attr_key, global_key, local_key
from .names import Names
from .syntax import ENUM_BASES, child_nodes, const_key

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from ..index.view import ModuleView

LITERAL_KEY, LOOP_KEY, RUNTIME_KEY = 0, 1, 2
_new = tuple.__new__


class Context(NamedTuple):
    """Where the walk is. Entering a scope, loop, guard or statement pushes a new context
    (``_replace``) and leaving it restores the saved one; a context is never changed in place."""

    func: Optional[FuncInfo] = None  # the function, method or lambda being walked
    class_body: Optional[ClassInfo] = None  # the class whose body (not a method) is walked
    class_parent: Optional[FuncInfo] = None  # the function a class being walked is defined in
    class_path: Tuple[str, ...] = ()  # names of the enclosing classes
    stmt: Optional[ast.stmt] = None  # the statement an event belongs to
    loops: Tuple[ast.AST, ...] = ()  # the enclosing long-running loops of the function
    nested: int = 0  # inside a lambda or comprehension when > 0
    guards: Tuple[Tuple[str, ...], ...] = ()  # targets tested for absence (lazy creation)
    loop_depth: int = 0  # any enclosing for/while loop of the function
    fixed_names: FrozenSet[str] = frozenset()  # names a for over a fixed domain binds

    def at(self, stmt: ast.stmt) -> "Context":
        """This context at another statement: the push made for every statement, so it is built
        directly rather than through ``_replace``."""
        t = self
        return _new(Context, (t[0], t[1], t[2], t[3], stmt, t[5], t[6], t[7], t[8], t[9]))


class Recorder:
    """Collects the events of one module. Use ``Walker(tree).run()``."""

    def __init__(self, tree: ast.Module, index: "Optional[ModuleView]" = None) -> None:
        self.tree = tree
        self.index = index  # the module's view of the project index (see index_seam.py)
        self.names = Names()
        self.events: List[Event] = []
        self.classes: Dict[str, ClassInfo] = {}
        self.top_classes: Dict[str, ClassInfo] = {}
        self.instances: Dict[str, str] = {}  # module global -> class name it holds an instance of
        self.subclasses: Dict[str, str] = {}  # module class -> list/dict/set it subclasses
        self.figure_calls: List[Tuple[ast.Call, Optional[ast.stmt], Optional[FuncInfo], Tuple[ast.AST, ...]]] = []
        self.close_calls: List[Tuple[ast.Call, Optional[FuncInfo]]] = []
        self.caches: List[CacheSite] = []
        self.cache_clears: Set[str] = set()  # names whose cache_clear() is called
        self.cleared_methods: Set[Tuple[str, str]] = set()  # (class name, method) cleared
        self.bound_attr_names: Set[str] = set()
        self.functions: List[FuncInfo] = []
        self.classifier = Classifier(self.names, self.subclasses, index)
        self.ctx = Context()
        # Long-running loops that can end: a ``break`` or ``return`` of their own.
        self.ending_loops: Set[int] = set()
        # Names called by top-level statements (at import time), and inside some function.
        self.import_calls: Set[str] = set()
        self.function_calls: Set[str] = set()
        # Names bound by an enclosing ``for`` over a fixed domain; enum classes and module
        # constants of literals (see ``_fixed_domain``).
        self._fixed_globals: Set[str] = set()
        self._called: Set[int] = set()
        self._dispatch: Dict[type, Callable[[Any], None]] = {}

    def _prepass(self, body: List[ast.stmt]) -> None:
        """Top-level imports, definitions and instances, so uses before them resolve too."""
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.names.add_import(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.names.shadow(stmt.name)
                if isinstance(stmt, ast.ClassDef):
                    kind = self.classifier.builtin_base(stmt)
                    if kind:
                        self.subclasses[stmt.name] = kind
                    if any(getattr(b, "id", getattr(b, "attr", "")) in ENUM_BASES for b in stmt.bases):
                        self._fixed_globals.add(stmt.name)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        if target.id in self.names.aliases or target.id in ("list", "dict", "set", "len"):
                            self.names.shadow(target.id)
                        value = stmt.value
                        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                            self.instances[target.id] = value.func.id
                        if value is not None and self._fixed_domain(value):
                            self._fixed_globals.add(target.id)
            elif isinstance(stmt, (ast.If, ast.Try, ast.With)) or stmt.__class__.__name__ == "TryStar":
                for field in ("body", "orelse", "finalbody"):
                    self._prepass(getattr(stmt, field, []) or [])
                for handler in getattr(stmt, "handlers", []) or []:
                    self._prepass(handler.body)

    def _key_space(self, node: ast.AST) -> int:
        """LITERAL_KEY for a literal or an enum-style member, LOOP_KEY for a name bound by a
        ``for`` over a fixed domain (see ``_fixed_domain``), alone or in a tuple; else
        RUNTIME_KEY."""
        if isinstance(node, ast.Tuple):
            return max((self._key_space(e) for e in node.elts), default=LITERAL_KEY)
        if isinstance(node, ast.Name) and node.id in self.ctx.fixed_names:
            return LOOP_KEY
        return LITERAL_KEY if const_key(node) else RUNTIME_KEY

    def _mark_keys(self, ev: Event, keys: Optional[Sequence[Optional[ast.AST]]]) -> None:
        """Record what the keys an event inserts are (``None``: not known one by one).

        Literal keys are a fixed key space by the contract (``ev.const``: not growth); keys a
        loop over a fixed domain binds (``ev.loop_key``) are for the ``fixed-key`` heuristic."""
        if keys is None or any(k is None for k in keys):
            space = RUNTIME_KEY
        else:
            space = max((self._key_space(k) for k in keys if k is not None), default=LITERAL_KEY)
        ev.const = space == LITERAL_KEY
        ev.loop_key = space == LOOP_KEY

    def _fixed_domain(self, node: ast.AST) -> bool:
        """What a ``for`` iterates over when it takes a handful of known values: a literal
        tuple, list or set of constants, ``range(...)`` (integers reused on every call), an
        enum class of this module, a module constant holding literals; also through
        ``list()``, ``tuple()``, ``sorted()``, ``reversed()``."""
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return all(const_key(e) for e in node.elts)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            if node.func.id == "range":
                return True
            if node.func.id in ("list", "tuple", "sorted", "reversed", "frozenset", "set") \
                    and len(node.args) == 1:
                return self._fixed_domain(node.args[0])
            return False
        if isinstance(node, ast.Name) and node.id in self._fixed_globals:
            return True
        # index seam (index-fixed-key-domain): an enum or constant collection of another module
        return index_seam.fixed_key_domain(self.index, node)

    def visit(self, node: ast.AST) -> None:
        handler = self._dispatch.get(node.__class__)
        if handler is not None:
            handler(node)
        elif isinstance(node, ast.stmt):
            saved = self.ctx
            self.ctx = saved.at(node)
            for child in child_nodes(node):
                self.visit(child)
            self.ctx = saved
        else:
            for child in child_nodes(node):
                self.visit(child)

    def _children(self, node: ast.AST) -> None:
        for child in child_nodes(node):
            self.visit(child)

    def _event(self, kind: str, op: str, node: ast.AST) -> Event:
        ev = Event(kind, op, node, self.ctx.stmt, self.ctx.func, self.ctx.loops, self.ctx.nested > 0)
        ev.in_loop = self.ctx.loop_depth > 0
        return ev

    # ------------------------------------------------------------ resolution
    def _local_names(self) -> Set[str]:
        return self.ctx.func.params if self.ctx.func is not None else set()

    def resolve(self, expr: ast.AST) -> Optional[Tuple[Optional[Key], Optional[str], int]]:
        """(key, pending-name, subscript depth) for an expression naming a tracked container."""
        depth = 0
        while isinstance(expr, ast.Subscript):
            if isinstance(expr.slice, ast.Slice):
                return None
            expr = expr.value
            depth += 1
        if isinstance(expr, ast.Attribute):
            base = expr.value
            if not isinstance(base, ast.Name):
                return None
            func = self.ctx.func
            if func is not None and func.cls is not None and base.id == func.self_name:
                return (attr_key(func.cls.qualname, expr.attr), None, depth)
            if func is not None and (base.id in func.params or base.id in func.locals):
                return None
            cls = self.top_classes.get(base.id)
            if cls is not None:
                return (attr_key(cls.qualname, expr.attr), None, depth)
            held = self.instances.get(base.id)
            if held is not None and held in self.top_classes:
                return (attr_key(self.top_classes[held].qualname, expr.attr), None, depth)
            return None
        if isinstance(expr, ast.Name):
            if self.ctx.func is not None:
                return (None, expr.id, depth)
            if self.ctx.class_body is not None:
                return (attr_key(self.ctx.class_body.qualname, expr.id), None, depth)
            return (global_key(expr.id), None, depth)
        return None

    def _record(self, ev: Event, target: ast.AST) -> bool:
        resolved = self.resolve(target)
        if resolved is None:
            return False
        key, name, depth = resolved
        ev.depth = depth
        if depth == 1 and isinstance(target, ast.Subscript):
            # Which element a path names: a literal key bounds only that element.
            ev.text = repr(target.slice.value) if isinstance(target.slice, ast.Constant) else "*"
        elif depth == 0 and ev.kind == "grow" and ev.op == "setitem" and isinstance(ev.node, ast.Subscript):
            ev.text = repr(ev.node.slice.value) if isinstance(ev.node.slice, ast.Constant) else "*"
        if key is not None:
            ev.key = key
            self.events.append(ev)
        else:
            ev.name = name
            assert self.ctx.func is not None
            self.ctx.func.pending.append(ev)
        return True

    def _finish_function(self, func: FuncInfo) -> None:
        parent = func.parent
        for ev in func.pending:
            name = ev.name
            assert name is not None  # pending events are the ones named but not resolved yet
            alias = func.aliases.get(name) if func.stores.get(name) == 1 else None
            if alias is not None and name not in func.params:
                ev.key = alias
                extra = func.alias_depth.get(name, 0)
                if extra:
                    ev.name = None
                    if ev.kind in ("return", "pass"):
                        continue  # handing on an element does not hand on the container
                    # through q = self.queues[k]: an element of the container, key unknown
                    ev.depth += extra
                    ev.text = ev.text or "*"
            elif name in func.globals:
                ev.key = global_key(name)
            elif name in func.locals and name not in func.nonlocals:
                ev.key = local_key(func.id, name)
                ev.scope = func.node
            elif parent is not None:
                parent.pending.append(ev)
                continue
            else:
                ev.key = global_key(name)
            ev.name = None
            self.events.append(ev)
        func.pending = []
