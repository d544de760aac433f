"""One walk over a module's ``ast`` that records every container event.

The walk keeps the context each event needs (function, class, long-running loops, lambda or
comprehension nesting, lazy-creation guards) and resolves what each expression refers to:
``self.x`` / ``cls.x`` / ``Klass.x`` / ``state.x`` to a class attribute, bare names to a
function local or a module global once the function's scope is complete.
"""

from __future__ import annotations

import ast
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from .model import (NONE, OTHER, CacheSite, ClassInfo, CType, Event, FuncInfo, Key, attr_key,
                    global_key, local_key)
from .names import Names

CTOR_METHODS = frozenset({"__init__", "__post_init__", "__setstate__", "setUp", "__enter__",
                          "__aenter__", "asyncSetUp", "setUpClass", "__new__"})
DEFINITION_TIME = frozenset({"__init_subclass__", "__set_name__", "__class_getitem__"})
GROWTH_METHODS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "put",
                            "put_nowait", "appendleft", "extendleft"})
# Method names whose mere reference (called or handed on as a callback) may bound a container;
# which of them count depends on the container's kind (see containers.py).
REMOVAL_METHODS = frozenset({"pop", "popleft", "popitem", "remove", "discard", "clear", "get",
                             "get_nowait", "difference_update", "intersection_update",
                             "symmetric_difference_update", "full", "rotate"})
PLAIN_REMOVALS = frozenset({"pop", "popleft", "popitem", "remove", "discard", "clear",
                            "difference_update", "intersection_update"})
SAFE_CALLEES = frozenset({"builtins." + n for n in (
    "len", "list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max", "any", "all",
    "reversed", "enumerate", "iter", "bool", "isinstance", "zip", "print", "repr", "str",
    "id", "hash", "type", "getattr", "hasattr", "next", "map", "filter", "dict")})
FIGURE_CREATORS = frozenset({"matplotlib.pyplot.figure", "matplotlib.pyplot.subplots",
                             "matplotlib.pyplot.subplot_mosaic", "matplotlib.pyplot.gcf"})
CACHE_DECORATORS = frozenset({"functools.lru_cache", "functools.cache"})
QUEUES = frozenset({
    "queue.Queue", "queue.LifoQueue", "queue.PriorityQueue", "queue.SimpleQueue",
    "asyncio.Queue", "asyncio.LifoQueue", "asyncio.PriorityQueue", "asyncio.queues.Queue",
    "asyncio.queues.LifoQueue", "asyncio.queues.PriorityQueue", "multiprocessing.Queue",
    "multiprocessing.JoinableQueue", "multiprocessing.SimpleQueue", "multiprocessing.queues.Queue",
})
WEAK = frozenset({"weakref.WeakValueDictionary", "weakref.WeakKeyDictionary", "weakref.WeakSet"})
META_BASES = frozenset({"builtins.type", "abc.ABCMeta", "enum.EnumMeta", "enum.EnumType"})
ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})


LITERAL_KEY, LOOP_KEY, RUNTIME_KEY = 0, 1, 2


def _const_key(node: ast.AST) -> bool:
    """A key from a fixed key space: a literal, or an enum-style ``Color.RED`` member."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple):
        return all(_const_key(e) for e in node.elts)
    if isinstance(node, ast.Attribute) and node.attr.isupper() and isinstance(node.value, ast.Name):
        return True
    if isinstance(node, ast.Name) and node.id.isupper() and len(node.id) > 1:
        return True
    return False


def _receiver(node: ast.AST) -> Optional[ast.AST]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value
    if isinstance(node, ast.Subscript):
        return node.value
    return None


def _ends(body: List[ast.stmt]) -> bool:
    """Whether a loop body has a ``break`` or ``return`` of its own (not of a nested loop or def)."""
    stack: List[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Return)):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                             ast.For, ast.AsyncFor, ast.While)):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                # a return inside an inner loop still ends the outer one
                stack.extend(n for n in ast.walk(node) if isinstance(n, ast.Return))
            continue
        # into statements, ``except`` handlers and ``case`` blocks, where a ``break`` often is
        # (``try: v = next(it) except StopIteration: break``)
        if isinstance(node, (ast.stmt, ast.excepthandler)) or type(node).__name__ == "match_case":
            stack.extend(ast.iter_child_nodes(node))
    return False


def _is_none(node: Optional[ast.AST]) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def _guard_key(node: ast.AST) -> Optional[Tuple[str, ...]]:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return (node.value.id, node.attr)
    return None


def _lazy_guards(test: ast.AST) -> List[Tuple[str, ...]]:
    """Targets tested for absence: ``x is None``, ``not x``, ``not hasattr(self, "x")``."""
    found: List[Tuple[str, ...]] = []
    stack = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BoolOp):
            stack.extend(node.values)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.Eq)) \
                and _is_none(node.comparators[0]) and not isinstance(node.comparators[0], type(None)):
            key = _guard_key(node.left)
            if key:
                found.append(key)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            operand = node.operand
            key = _guard_key(operand)
            if key:
                found.append(key)
            elif isinstance(operand, ast.Call) and isinstance(operand.func, ast.Name) \
                    and operand.func.id == "hasattr" and len(operand.args) == 2 \
                    and isinstance(operand.args[0], ast.Name) \
                    and isinstance(operand.args[1], ast.Constant) and isinstance(operand.args[1].value, str):
                found.append((operand.args[0].id, operand.args[1].value))
    return found


class Walker:
    """Collects the events of one module. Use ``Walker(tree).run()``."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.names = Names()
        self.events: List[Event] = []
        self.classes: Dict[str, ClassInfo] = {}
        self.top_classes: Dict[str, ClassInfo] = {}
        self.instances: Dict[str, str] = {}  # module global -> class name it holds an instance of
        self.subclasses: Dict[str, str] = {}  # module class -> list/dict/set it subclasses
        self.figure_calls: List[Tuple[ast.Call, Optional[ast.stmt], Optional[FuncInfo], Tuple[ast.AST, ...]]] = []
        self.close_calls: List[Tuple[ast.Call, Optional[FuncInfo]]] = []
        self.caches: List[CacheSite] = []
        self.cache_clears: Set[str] = set()
        self.bound_attr_names: Set[str] = set()
        self.functions: List[FuncInfo] = []
        self._func: Optional[FuncInfo] = None
        self._class_body: Optional[ClassInfo] = None
        self._class_stack: List[str] = []
        self._stmt: Optional[ast.stmt] = None
        self._loops: Tuple[ast.AST, ...] = ()
        self._nested = 0
        self._guards: Tuple[Tuple[str, ...], ...] = ()
        self._loop_depth = 0
        # Guard keys (``x``, ``self.x``) named in the tests of the enclosing while loops.
        self._while_names: Tuple[Tuple[str, ...], ...] = ()
        # Long-running loops that can end: a ``break`` or ``return`` of their own.
        self.ending_loops: Set[int] = set()
        # Names called by top-level statements (at import time), and inside some function.
        self.import_calls: Set[str] = set()
        self.function_calls: Set[str] = set()
        # Names bound by an enclosing ``for`` over a fixed domain; enum classes and module
        # constants of literals (see ``_fixed_domain``).
        self._fixed_names: FrozenSet[str] = frozenset()
        self._fixed_globals: Set[str] = set()
        self._called: Set[int] = set()
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
        for stmt in self.tree.body:
            self.visit(stmt)
        return self

    def _prepass(self, body: List[ast.stmt]) -> None:
        """Top-level imports, definitions and instances, so uses before them resolve too."""
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.names.add_import(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.names.shadow(stmt.name)
                if isinstance(stmt, ast.ClassDef):
                    kind = self._builtin_base(stmt)
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
        if isinstance(node, ast.Name) and node.id in self._fixed_names:
            return LOOP_KEY
        return LITERAL_KEY if _const_key(node) else RUNTIME_KEY

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
            return all(_const_key(e) for e in node.elts)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            if node.func.id == "range":
                return True
            if node.func.id in ("list", "tuple", "sorted", "reversed", "frozenset", "set") \
                    and len(node.args) == 1:
                return self._fixed_domain(node.args[0])
            return False
        if isinstance(node, ast.Name):
            return node.id in self._fixed_globals
        return False

    def _builtin_base(self, node: ast.ClassDef) -> str:
        """``class BarList(list[Bar])``: a module class that is a plain list, dict or set.

        Only a class that does not override the methods that grow or remove items: one that
        does (``def append(...)``) may bound itself."""
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                    and stmt.name in GROWTH_METHODS | REMOVAL_METHODS | {"__setitem__"}:
                return ""
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            qn = self.names.qualname(target) or ""
            kind = {"builtins.list": "list", "typing.List": "list", "collections.UserList": "list",
                    "builtins.dict": "dict", "typing.Dict": "dict", "collections.UserDict": "dict",
                    "builtins.set": "set", "typing.Set": "set"}.get(qn)
            if kind:
                return kind
        return ""

    def visit(self, node: ast.AST) -> None:
        handler = self._dispatch.get(node.__class__)
        if handler is not None:
            handler(node)
        elif isinstance(node, ast.stmt):
            saved = self._stmt
            self._stmt = node
            for child in ast.iter_child_nodes(node):
                self.visit(child)
            self._stmt = saved
        else:
            for child in ast.iter_child_nodes(node):
                self.visit(child)

    def _children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def _event(self, kind: str, op: str, node: ast.AST) -> Event:
        ev = Event(kind, op, node, self._stmt, self._func, self._loops, self._nested > 0)
        ev.in_loop = self._loop_depth > 0
        if kind == "popfront" and self._while_names:
            receiver = _receiver(node)
            key = _guard_key(receiver) if receiver is not None else None
            ev.drain = key is not None and key in self._while_names
        return ev

    # ------------------------------------------------------------ resolution
    def _local_names(self) -> Set[str]:
        return self._func.params if self._func is not None else set()

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
            func = self._func
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
            if self._func is not None:
                return (None, expr.id, depth)
            if self._class_body is not None:
                return (attr_key(self._class_body.qualname, expr.id), None, depth)
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
            assert self._func is not None
            self._func.pending.append(ev)
        return True

    def _finish_function(self, func: FuncInfo) -> None:
        parent = func.parent
        for ev in func.pending:
            name = ev.name
            if name in func.globals:
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

    # -------------------------------------------------------------- classify
    def classify(self, value: Optional[ast.AST], local: Set[str]) -> CType:
        """What kind of container ``value`` creates."""
        if value is None:
            return OTHER
        if isinstance(value, (ast.List, ast.ListComp)):
            return CType("list")
        if isinstance(value, ast.Dict):
            elem = ""
            if value.values and all(isinstance(v, ast.List) for v in value.values):
                elem = "list"
            elif value.values and all(isinstance(v, ast.Dict) for v in value.values):
                elem = "dict"
            return CType("dict", elem=elem)
        if isinstance(value, ast.DictComp):
            return CType("dict", elem="list" if isinstance(value.value, ast.List) else "")
        if isinstance(value, (ast.Set, ast.SetComp)):
            return CType("set")
        if isinstance(value, ast.Constant):
            return NONE if value.value is None else CType("str") if isinstance(value.value, (str, bytes)) else OTHER
        if isinstance(value, ast.JoinedStr):
            return CType("str")
        if not isinstance(value, ast.Call):
            return OTHER
        qn = self.names.qualname(value.func, local)
        if qn is None:
            if isinstance(value.func, ast.Name) and value.func.id in self.subclasses \
                    and value.func.id not in local:
                return CType(self.subclasses[value.func.id])
            return OTHER
        if qn == "builtins.list":
            return CType("list")
        if qn == "builtins.dict":
            return CType("dict")
        if qn == "builtins.set":
            return CType("set")
        if qn == "collections.deque":
            maxlen = None
            if len(value.args) >= 2:
                maxlen = value.args[1]
            for kw in value.keywords:
                if kw.arg == "maxlen":
                    maxlen = kw.value
            return CType("deque", bounded=not _is_none(maxlen))
        if qn == "collections.defaultdict":
            elem = ""
            if value.args:
                factory = value.args[0]
                if isinstance(factory, ast.Lambda):
                    inner = self.classify(factory.body, local)
                else:
                    inner = self.classify(ast.Call(func=factory, args=[], keywords=[]), local)
                if inner.kind == "deque" and inner.bounded:
                    elem = "bounded"
                elif inner.kind in ("list", "dict", "set", "deque"):
                    elem = inner.kind
            return CType("dict", subtype="defaultdict", elem=elem)
        if qn in ("collections.OrderedDict", "typing.OrderedDict"):
            return CType("dict", subtype="ordered")
        if qn == "collections.Counter":
            return CType("dict", subtype="counter")
        if qn in QUEUES:
            size = value.args[0] if value.args else None
            for kw in value.keywords:
                if kw.arg == "maxsize":
                    size = kw.value
            bounded = not (_is_none(size) or (isinstance(size, ast.Constant) and size.value == 0))
            return CType("queue", subtype=qn, bounded=bounded)
        if qn in WEAK:
            return CType("weak")
        if qn == "array.array":
            return CType("array")
        if qn == "dataclasses.field":
            for kw in value.keywords:
                if kw.arg == "default_factory":
                    factory = kw.value
                    if isinstance(factory, ast.Lambda):
                        return self.classify(factory.body, local)
                    return self.classify(ast.Call(func=factory, args=[], keywords=[]), local)
        return OTHER

    def classify_annotation(self, ann: Optional[ast.AST]) -> CType:
        if ann is None:
            return OTHER
        base = ann.value if isinstance(ann, ast.Subscript) else ann
        qn = self.names.qualname(base)
        if qn is None and isinstance(base, ast.Constant):
            return OTHER
        return {
            "builtins.list": CType("list"), "typing.List": CType("list"),
            "builtins.dict": CType("dict"), "typing.Dict": CType("dict"),
            "typing.DefaultDict": CType("dict", subtype="defaultdict"),
            "collections.defaultdict": CType("dict", subtype="defaultdict"),
            "typing.Counter": CType("dict", subtype="counter"),
            "collections.Counter": CType("dict", subtype="counter"),
            "builtins.set": CType("set"), "typing.Set": CType("set"),
        }.get(qn or "", OTHER)

    # ------------------------------------------------------------ statements
    def _function(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        saved_stmt = self._stmt
        self._stmt = node
        outer = self._func
        cls = self._class_body
        decorator_names: List[str] = []
        for dec in node.decorator_list:
            self.visit(dec)
            target = dec.func if isinstance(dec, ast.Call) else dec
            qn = self.names.qualname(target, self._local_names()) or ""
            short = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            decorator_names.append(short)
            if qn in CACHE_DECORATORS:
                self.caches.append(self._cache_site(dec, qn, node, cls))
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        if outer is not None:
            outer.locals.add(node.name)
        func = FuncInfo(node, node.name, outer if cls is None else self._class_parent)
        func.decorators = tuple(decorator_names)
        args = node.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        func.params = set(positional + [a.arg for a in args.kwonlyargs])
        if args.vararg:
            func.params.add(args.vararg.arg)
        if args.kwarg:
            func.params.add(args.kwarg.arg)
        func.locals |= func.params
        if cls is not None:
            func.is_method = True
            func.cls = cls
            cls.methods.setdefault(node.name, func)
            if "staticmethod" not in decorator_names and positional:
                func.self_name = positional[0]
            func.is_ctor = node.name in CTOR_METHODS
            func.definition_time = node.name in DEFINITION_TIME or cls.is_meta
        elif outer is not None:
            func.cls = outer.cls
            func.definition_time = outer.definition_time
            if outer.self_name and outer.self_name not in func.params:
                func.self_name = outer.self_name
        self.functions.append(func)
        self._enter_body(func, node.body)
        self._stmt = saved_stmt

    def _enter_body(self, func: FuncInfo, body: List[ast.stmt]) -> None:
        saved = (self._func, self._class_body, self._loops, self._nested, self._guards, self._loop_depth,
                 self._while_names, self._fixed_names)
        self._func, self._class_body, self._loops, self._nested, self._guards = func, None, (), 0, ()
        self._loop_depth = 0
        self._while_names = ()
        # a name a loop outside binds means something else here (a parameter, a later value)
        self._fixed_names = frozenset()
        for stmt in body:
            self.visit(stmt)
        self._finish_function(func)
        (self._func, self._class_body, self._loops, self._nested, self._guards,
         self._loop_depth, self._while_names, self._fixed_names) = saved

    _class_parent: Optional[FuncInfo] = None

    def _lambda(self, node: ast.Lambda) -> None:
        outer = self._func
        func = FuncInfo(node, "<lambda>", outer if self._class_body is None else self._class_parent)
        func.kind = "lambda"
        args = node.args
        func.params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        func.locals |= func.params
        if outer is not None:
            func.cls = outer.cls
            if outer.self_name and outer.self_name not in func.params:
                func.self_name = outer.self_name
        # lambda f, waiters=self.waiters: waiters.remove(f) -- a removal through a default alias
        positional = args.posonlyargs + args.args
        aliases = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]],
                           args.defaults))
        if aliases:
            for sub in ast.walk(node.body):
                if isinstance(sub, ast.Attribute) and sub.attr in PLAIN_REMOVALS \
                        and isinstance(sub.value, ast.Name) and sub.value.id in aliases:
                    target = aliases[sub.value.id]
                    if isinstance(target, ast.Attribute):
                        self._record(self._event("attr", sub.attr, sub), target)
        saved = (self._func, self._class_body, self._loops, self._nested)
        self._func, self._class_body, self._loops, self._nested = func, None, (), 1
        self.visit(node.body)
        self._finish_function(func)
        self._func, self._class_body, self._loops, self._nested = saved

    def _cache_site(self, dec: ast.expr, qn: str, node: ast.AST, cls: Optional[ClassInfo]) -> CacheSite:
        unbounded = qn == "functools.cache"
        if isinstance(dec, ast.Call) and qn == "functools.lru_cache":
            size: Optional[ast.AST] = ast.Constant(128)
            if dec.args:
                size = dec.args[0]
            for kw in dec.keywords:
                if kw.arg == "maxsize":
                    size = kw.value
            unbounded = _is_none(size)
        decorators = {getattr(d, "id", getattr(d, "attr", "")) for d in getattr(node, "decorator_list", [])}
        on_instance = cls is not None and not ({"staticmethod", "classmethod"} & decorators)
        return CacheSite(dec, node, qn, unbounded, on_instance, cls is not None, self._func is not None)

    def _class(self, node: ast.ClassDef) -> None:
        for dec in node.decorator_list:
            self.visit(dec)
        for base in node.bases:
            self.visit(base)
        for kw in node.keywords:
            self.visit(kw.value)
        qual = ".".join(self._class_stack + [node.name])
        info = ClassInfo(node, qual)
        for base in node.bases:
            qn = self.names.qualname(base) or ""
            info.base_qualnames.append(qn)
            if isinstance(base, ast.Name):
                info.bases.append(base.id)
            elif isinstance(base, ast.Attribute):
                info.bases.append(base.attr)
        info.is_meta = any(qn in META_BASES for qn in info.base_qualnames) or any(
            b in self.classes and self.classes[b].is_meta for b in info.bases)
        self.classes[qual] = info
        if self._func is None and self._class_body is None:
            self.top_classes[node.name] = info
        if self._func is not None:
            self._func.locals.add(node.name)
        saved = (self._class_body, self._func, self._class_parent, self._loops, self._nested, self._guards)
        self._class_parent = self._func if self._func is not None else self._class_parent
        self._class_body, self._func, self._loops, self._nested, self._guards = info, None, (), 0, ()
        self._class_stack.append(node.name)
        for stmt in node.body:
            self.visit(stmt)
        self._class_stack.pop()
        self._class_body, self._func, self._class_parent, self._loops, self._nested, self._guards = saved

    def _store_name(self, target: ast.AST) -> None:
        func = self._func
        if func is not None:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    func.locals.add(node.id)
                    if node.id in func.params:
                        func.rebound.add(node.id)

    def _getitem(self, node: ast.AST) -> None:
        """``v = d[k]`` / ``d[k].attr = v``: on a defaultdict, the read itself inserts ``k``."""
        func = self._func
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice) \
                and func is not None and isinstance(node.value, (ast.Attribute, ast.Name)) \
                and not (isinstance(node.value, ast.Name) and node.value.id in func.locals):
            ev = self._event("grow", "getitem", node)
            self._mark_keys(ev, [node.slice])
            self._record(ev, node.value)

    def _assign(self, node: ast.Assign) -> None:
        saved = self._stmt
        self._stmt = node
        self.visit(node.value)
        if node.value.__class__ is ast.Subscript:
            self._getitem(node.value)
        multi = len(node.targets) > 1
        for target in node.targets:
            self._target(target, node.value, multi, None)
        self._stmt = saved

    def _annassign(self, node: ast.AnnAssign) -> None:
        saved = self._stmt
        self._stmt = node
        if node.value is not None:
            self.visit(node.value)
            self._target(node.target, node.value, False, node.annotation)
        else:
            self._store_name(node.target)
            if not isinstance(node.target, ast.Name):
                self.visit(node.target)
        self._stmt = saved

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
        ctype = self.classify(value, local)
        if ctype.kind == "other" and ann is not None:
            ctype = self.classify_annotation(ann)
        ev.ctype = ctype
        ev.value = value
        ev.ann = ann
        ev.multi = multi
        key = _guard_key(target)
        ev.lazy = key is not None and key in self._guards
        self._record(ev, target)

    def _augassign(self, node: ast.AugAssign) -> None:
        saved = self._stmt
        self._stmt = node
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
        self._stmt = saved

    def _delete(self, node: ast.Delete) -> None:
        saved = self._stmt
        self._stmt = node
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
        self._stmt = saved

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
        key = _guard_key(test)
        if key is None or len(key) != 2:
            return False
        for stmt in node.body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Attribute) and sub.attr in PLAIN_REMOVALS | {"get", "get_nowait"} \
                        and _guard_key(sub.value) == key:
                    return True
        return False

    def _self_flag(self, node: ast.AST) -> bool:
        func = self._func
        return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
            func is not None and func.self_name is not None and node.value.id == func.self_name)

    def _while(self, node: ast.While) -> None:
        saved = self._stmt
        self._stmt = node
        self.visit(node.test)
        loops = self._loops
        if self._long_running(node.test) and not self._drained_by(node):
            self._loops = loops + (node,)
            if _ends(node.body):
                self.ending_loops.add(id(node))
            elif self._func is not None and self._func.cls is not None:
                self._func.cls.long_running = True
        names = self._while_names
        self._while_names = names + tuple(
            k for k in (_guard_key(n) for n in ast.walk(node.test)) if k is not None)
        self._loop_depth += 1
        for stmt in node.body:
            self.visit(stmt)
        self._loop_depth -= 1
        self._while_names = names
        self._loops = loops
        for stmt in node.orelse:
            self.visit(stmt)
        self._stmt = saved

    def _asyncfor(self, node: ast.AsyncFor) -> None:
        saved = self._stmt
        self._stmt = node
        self.visit(node.iter)
        self._store_name(node.target)
        loops = self._loops
        self._loops = loops + (node,)
        if _ends(node.body):
            self.ending_loops.add(id(node))
        self._loop_depth += 1
        for stmt in node.body:
            self.visit(stmt)
        self._loop_depth -= 1
        self._loops = loops
        for stmt in node.orelse:
            self.visit(stmt)
        self._stmt = saved

    def _for(self, node: ast.For) -> None:
        saved = self._stmt
        self._stmt = node
        self.visit(node.iter)
        self._store_name(node.target)
        self._loop_depth += 1
        fixed = self._fixed_names
        if self._fixed_domain(node.iter):
            self._fixed_names = fixed | {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        for stmt in node.body:
            self.visit(stmt)
        self._fixed_names = fixed
        self._loop_depth -= 1
        for stmt in node.orelse:
            self.visit(stmt)
        self._stmt = saved

    def _if(self, node: ast.If) -> None:
        saved = self._stmt
        self._stmt = node
        self.visit(node.test)
        guards = self._guards
        new = _lazy_guards(node.test)
        if new:
            self._guards = guards + tuple(new)
        for stmt in node.body:
            self.visit(stmt)
        self._guards = guards
        for stmt in node.orelse:
            self.visit(stmt)
        self._stmt = saved

    def _return(self, node: ast.Return) -> None:
        saved = self._stmt
        self._stmt = node
        value = node.value
        if value is not None:
            self.visit(value)
            func = self._func
            if func is not None and isinstance(value, ast.Name) and value.id == func.self_name:
                func.returns_self = True
            if func is not None and isinstance(value, ast.Name) and value.id in func.params:
                func.returns_param = True
                func.returned_params.add(value.id)
            if func is not None and isinstance(value, ast.Name) \
                    and any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == value.id
                            for s in getattr(func.node, "body", ())):
                func.returned_defs.add(value.id)
            self._returned(value)
        self._stmt = saved

    def _returned(self, value: ast.AST) -> None:
        elts = value.elts if isinstance(value, ast.Tuple) else [value]
        for elt in elts:
            if isinstance(elt, (ast.Name, ast.Attribute)):
                self._record(self._event("return", "return", elt), elt)

    def _yield(self, node: ast.AST) -> None:
        if self._func is not None:
            self._func.has_yield = True
        value = getattr(node, "value", None)
        if value is not None:
            self.visit(value)
            self._returned(value)

    def _global(self, node: ast.Global) -> None:
        if self._func is not None:
            self._func.globals.update(node.names)

    def _nonlocal(self, node: ast.Nonlocal) -> None:
        if self._func is not None:
            self._func.nonlocals.update(node.names)

    def _import(self, node: ast.AST) -> None:
        if self._func is not None or self._class_body is not None:
            self.names.add_import(node)  # type: ignore[arg-type]

    # ----------------------------------------------------------- expressions
    def _name(self, node: ast.Name) -> None:
        func = self._func
        if func is not None and isinstance(node.ctx, ast.Store):
            func.locals.add(node.id)
            if node.id in func.params:
                func.rebound.add(node.id)

    def _comp(self, node: ast.AST) -> None:
        self._nested += 1
        self._children(node)
        self._nested -= 1

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            if self._func is not None and isinstance(func.value, ast.Name) \
                    and func.value.id == self._func.self_name:
                self._called.add(id(func))
        elif isinstance(func, ast.Name):
            if self._func is None and self._class_body is None:
                self.import_calls.add(func.id)
            elif self._func is not None:
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
        qn = self.names.qualname(func, self._local_names()) if isinstance(func, (ast.Name, ast.Attribute)) else None
        if qn is not None:
            if qn in FIGURE_CREATORS:
                self.figure_calls.append((node, self._stmt, self._func, self._loops))
            elif qn == "matplotlib.pyplot.close":
                self.close_calls.append((node, self._func))
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
        func = self._func
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
