"""One cheap pass over a module's ``ast`` that extracts its project-index facts.

The pass reads only what other modules may need: top-level imports (relative ones resolved
against the module's own name), classes and their bases, functions that return a fresh
container, literal constant collections, every ``Cls(...)`` call and what becomes of the new
instance, and attributes emptied or replaced through a receiver other than ``self``.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from ..analysis.names import BUILTIN_NAMES, import_bindings
from ..analysis.syntax import CHILD_FIELDS, child_fields
from .facts import (ARGUMENT, ATTR, COLLECTED, ENTRY, KEPT, LOCAL, MODULE, RETURNED, ClassFact,
                    FileFacts, Instantiation, Removal)

BUILTIN_KINDS = {"builtins.list": "list", "typing.List": "list", "collections.UserList": "list",
                 "builtins.dict": "dict", "typing.Dict": "dict", "collections.UserDict": "dict",
                 "builtins.set": "set", "typing.Set": "set"}
# A subclass that defines one of these may bound itself: it is not a plain container.
OVERRIDES = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "__setitem__",
                       "__iadd__", "pop", "popleft", "popitem", "remove", "discard", "clear"})
ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
FACTORY_CALLS = {"list": "list", "dict": "dict", "set": "set", "defaultdict": "dict",
                 "OrderedDict": "dict", "Counter": "dict"}
REMOVAL_CALLS = frozenset({"pop", "popleft", "popitem", "remove", "discard", "clear"})
COLLECT_CALLS = frozenset({"append", "appendleft", "add", "insert", "put", "put_nowait",
                           "setdefault"})
# A local the function starts or runs (``bot.run()``) lives as long as the program.
RUN_CALLS = frozenset({"run", "start", "serve", "serve_forever", "run_forever", "run_until_complete",
                       "loop", "listen", "join", "wait", "polling", "infinity_polling", "mainloop",
                       "exec", "exec_"})
ENTRY_WORDS = frozenset({"main", "run", "serve", "start", "cli", "launch", "app", "forever"})
CTOR_NAMES = frozenset({"__init__", "__post_init__", "setup", "setUp", "__enter__", "__aenter__"})
RANK = {LOCAL: 0, MODULE: 0, RETURNED: 1, COLLECTED: 2, KEPT: 3, ARGUMENT: 4, ATTR: 5, ENTRY: 6}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def module_relative(module: str, is_package: bool, level: int, name: Optional[str]) -> str:
    """``from ..x import y`` inside ``pkg.sub.mod`` -> ``pkg.x``."""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[:len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if name:
        parts.append(name)
    return ".".join(parts)


def _fresh_container(node: Optional[ast.AST]) -> str:
    """The kind of a fresh container expression, or ""."""
    if isinstance(node, (ast.List, ast.ListComp)):
        return "list"
    if isinstance(node, (ast.Dict, ast.DictComp)):
        return "dict"
    if isinstance(node, (ast.Set, ast.SetComp)):
        return "set"
    if isinstance(node, ast.Call) and not node.args[1:]:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return FACTORY_CALLS.get(name, "")
    return ""


def _literal_collection(node: Optional[ast.AST]) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in ("frozenset", "tuple", "set") and len(node.args) == 1 and not node.keywords:
        node = node.args[0]
    return isinstance(node, (ast.Tuple, ast.List, ast.Set)) and bool(node.elts) \
        and all(isinstance(e, ast.Constant) for e in node.elts)


def _words(name: str) -> Set[str]:
    return {w.lower() for w in _WORD.findall(name)}


def _top_level(body: List[ast.stmt]) -> Iterator[ast.stmt]:
    """Module statements, looking inside ``if``/``try``/``with`` (TYPE_CHECKING, fallbacks)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With)) or stmt.__class__.__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(stmt, field, []) or [])
            for handler in getattr(stmt, "handlers", []) or []:
                yield from _top_level(handler.body)


class _Scope:
    """The function (or module, or class body) an instantiation happens in."""

    __slots__ = ("name", "cls", "self_name", "entry", "ctor", "node", "method", "me", "deferred")

    def __init__(self, name: str, cls: str, self_name: str, entry: bool, ctor: bool,
                 node: Optional[ast.AST], method: str = "", me: str = "",
                 deferred: bool = False) -> None:
        self.name = name
        self.cls = cls
        self.self_name = self_name
        self.entry = entry
        self.ctor = ctor
        self.node = node
        # the method of ``cls`` the code is in (also inside a function nested in it, which
        # runs later: ``deferred``) and that method's own first parameter
        self.method = method
        self.me = me
        self.deferred = deferred


class Extractor:
    """``Extractor(tree, module, is_package).run()`` -> ``FileFacts``."""

    def __init__(self, tree: ast.Module, module: str, is_package: bool = False) -> None:
        self.tree = tree
        self.module = module
        self.is_package = is_package
        self.imports: Dict[str, str] = {}
        self.defined: Set[str] = set()
        self.instances: List[Instantiation] = []
        self.removals: Set[Removal] = set()
        # per class name: ``self.<attr>`` containers it creates, and those it empties or
        # replaces outside its constructor; per top-level function: kinds it returns
        self._attrs: Dict[str, Set[str]] = {}
        self._bounded: Dict[str, Set[str]] = {}
        self._returns: Dict[str, Set[str]] = {}
        self._used: Set[str] = set()
        # per class, per method: the names it calls through ``self`` ("*name" when the call
        # runs later: in a nested function, or the method handed on as a callback)
        self._calls: Dict[str, Dict[str, Set[str]]] = {}
        self._called: Set[int] = set()  # ``self.x`` nodes that are the callee of a call

    # ------------------------------------------------------------------ names
    def qualify(self, expr: ast.AST) -> str:
        """``models.Cart`` -> ``shop.models.Cart`` through the module's imports ("" if unknown)."""
        parts: List[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return ""
        head = expr.id
        if head in self.imports:
            base = self.imports[head]
        elif head in self.defined:
            base = f"{self.module}.{head}" if self.module else head
        elif head in BUILTIN_NAMES:
            base = f"builtins.{head}"
        else:
            return ""
        return ".".join([base] + parts[::-1])

    def _add_import(self, stmt: ast.stmt) -> None:
        def relative(level: int, module: Optional[str]) -> str:
            return module_relative(self.module, self.is_package, level, module)

        for local, qualified in import_bindings(stmt, relative):
            self.imports[local] = qualified

    # ------------------------------------------------------------------ driver
    def run(self) -> FileFacts:
        classes: List[ast.ClassDef] = []
        functions: List[str] = []
        constants: List[str] = []
        for stmt in _top_level(self.tree.body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self._add_import(stmt)
            elif isinstance(stmt, ast.ClassDef):
                self.defined.add(stmt.name)
                classes.append(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defined.add(stmt.name)
                functions.append(stmt.name)
            elif isinstance(stmt, ast.Assign) and _literal_collection(stmt.value):
                constants.extend(t.id for t in stmt.targets if isinstance(t, ast.Name))
        self._walk(self.tree.body, _Scope("", "", "", False, False, None))
        factories = []
        for name in functions:
            kinds = self._returns.get(name, {""})
            if len(kinds) == 1 and "" not in kinds:
                factories.append((name, next(iter(kinds))))
        return FileFacts(
            module=self.module,
            imports=tuple(sorted(self.imports.items())),
            classes=tuple(self._class_fact(node) for node in classes),
            factories=tuple(factories),
            constants=tuple(constants),
            instances=tuple(self.instances),
            removals=tuple(sorted(self.removals, key=lambda r: (r.attr, r.op, r.module))),
            used=tuple(sorted(self._used)),
        )

    def _class_fact(self, node: ast.ClassDef) -> ClassFact:
        bases = tuple(self.qualify(b.value if isinstance(b, ast.Subscript) else b) or ast.unparse(b)
                      for b in node.bases)
        defines = {s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        kind = ""
        if not defines & OVERRIDES:
            kind = next((BUILTIN_KINDS[b] for b in bases if b in BUILTIN_KINDS), "")
        is_enum = any(b.rsplit(".", 1)[-1] in ENUM_BASES for b in bases)
        calls = self._calls.get(node.name, {})
        return ClassFact(node.name, bases, kind, is_enum, tuple(sorted(self._attrs.get(node.name, ()))),
                         tuple(sorted(self._bounded.get(node.name, ()))),
                         tuple(sorted((m, tuple(sorted(c))) for m, c in calls.items())))

    # ------------------------------------------------------------------ walk
    def _walk(self, body: List[ast.stmt], scope: _Scope) -> None:
        """One pass over a scope's own nodes; nested functions and classes are scopes of
        their own, scanned once each, so extraction is linear in the size of the module."""
        fates: Dict[int, Tuple[str, str]] = {}  # id(expression) -> (fate, holder) from its parent
        bound_to: Dict[int, str] = {}  # id(call) -> local name, "@self" or "@attr"
        names: Dict[str, Tuple[str, str]] = {}  # local name -> strongest fate seen
        calls: List[ast.Call] = []
        stack: List[ast.AST] = list(reversed(body))
        fields_of, leaves, special = CHILD_FIELDS, _LEAVES, _SPECIAL
        while stack:
            node = stack.pop()
            kind = type(node)
            role = special.get(kind)
            if role is None:
                pass  # most nodes: only their children matter
            elif role is _OBSERVED:
                self._observe(node, scope, fates, bound_to, names)
            elif role is _CALL:
                self._observe(node, scope, fates, bound_to, names)
                calls.append(node)  # type: ignore[arg-type]
            elif role is _ATTRIBUTE:
                if scope.method:
                    self._handed_on(node, scope)  # type: ignore[arg-type]
            elif role is _IF:
                assert isinstance(node, ast.If)
                if scope.node is None and _is_main_guard(node.test):
                    self._walk(node.body, _Scope("__main__", "", "", True, False, None))
                    stack.extend(reversed(node.orelse))
                    continue
            else:  # a scope of its own
                if kind is ast.ClassDef:
                    assert isinstance(node, ast.ClassDef)
                    stack.extend(node.bases)
                    stack.extend(node.decorator_list)
                    self._walk(node.body, _Scope(scope.name, node.name, "", scope.entry, False, scope.node))
                elif kind is not ast.Lambda:
                    self._function(node, scope)
                continue
            # the children worth a visit, inlined: this loop runs once per node of the module
            fields = fields_of.get(kind)
            if fields is None:
                fields = child_fields(kind)
            for field in fields:
                value = getattr(node, field, None)
                if value is None:
                    continue
                if type(value) is list:
                    # lists hold nodes or None (a ``**`` entry's key, a missing default)
                    stack.extend([v for v in value if v is not None and type(v) not in leaves])
                elif type(value) not in leaves and isinstance(value, ast.AST):
                    stack.append(value)
        for call in calls:
            self._instantiation(call, scope, fates, bound_to, names)

    def _function(self, node: ast.AST, scope: _Scope) -> None:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        self._walk(list(node.decorator_list), scope)  # type: ignore[arg-type]
        for dec in node.decorator_list:
            self._use(dec.func if isinstance(dec, ast.Call) else dec)
        args = node.args.posonlyargs + node.args.args
        self_name = args[0].arg if scope.cls and args else ""
        name = f"{scope.cls}.{node.name}" if scope.cls else node.name
        entry = bool(_words(node.name) & ENTRY_WORDS) and not scope.cls
        if scope.cls and not scope.self_name:  # a method of the class whose body we are in
            method, me, deferred = node.name, self_name, False
            self._calls.setdefault(scope.cls, {}).setdefault(node.name, set())
        else:
            method, me, deferred = scope.method, scope.me, bool(scope.method)
        inner = _Scope(name, scope.cls, self_name, entry, node.name in CTOR_NAMES, node,
                       method, me, deferred)
        self._walk(node.body, inner)

    @staticmethod
    def _default_fate(scope: _Scope) -> str:
        if scope.node is None:
            return MODULE
        return ENTRY if scope.entry else LOCAL

    def _observe(self, node: ast.AST, scope: _Scope, fates: Dict[int, Tuple[str, str]], bound_to: Dict[int, str],  # noqa: C901 - one dispatch over node kinds
                 names: Dict[str, Tuple[str, str]]) -> None:
        """What ``node`` does to the values below it, and to the locals it names."""
        def see(name: str, fate: str, holder: str = "") -> None:
            if RANK[fate] > RANK[names.get(name, (LOCAL, ""))[0]]:
                names[name] = (fate, holder)

        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            first = targets[0]
            fates[id(value)] = (MODULE, "") if scope.node is None else (
                (ATTR, "") if isinstance(first, ast.Attribute) else
                _collected_into(first.value, scope) if isinstance(first, ast.Subscript)
                else (self._default_fate(scope), ""))
            if isinstance(first, ast.Name):
                bound_to[id(value)] = first.id
            elif isinstance(first, ast.Attribute):
                bound_to[id(value)] = "@self" if self._on_self(first, scope) else "@attr"
            if isinstance(value, ast.Name):
                for t in targets:
                    if isinstance(t, ast.Attribute):
                        see(value.id, ATTR, scope.cls if self._on_self(t, scope) else "")
                    elif isinstance(t, ast.Subscript):
                        see(value.id, *_collected_into(t.value, scope))
            if isinstance(node, ast.Assign):
                self._resets(node, scope)
            self._self_attrs(targets, value, scope)
            if isinstance(value, ast.Call):
                self._use(value.func)
        elif isinstance(node, ast.Return) and node.value is not None:
            if scope.node is not None and not scope.cls:
                self._returns.setdefault(scope.name, set()).add(_fresh_container(node.value))
            fates[id(node.value)] = (RETURNED, "")
            if isinstance(node.value, ast.Name):
                see(node.value.id, RETURNED)
        elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            bound_to[id(node.context_expr)] = node.optional_vars.id
        elif isinstance(node, (ast.Yield, ast.YieldFrom)):
            self._returns.setdefault(scope.name, set()).add("")  # a generator is no factory
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Subscript):
                    self._removed(target.value, "del", scope)
        elif isinstance(node, ast.Call):
            func = node.func
            collect = isinstance(func, ast.Attribute) and func.attr in COLLECT_CALLS
            fate = _collected_into(func.value, scope) if isinstance(func, ast.Attribute) and collect \
                else (ARGUMENT, "")
            for arg in node.args:
                fates[id(arg)] = fate
                if collect and isinstance(arg, ast.Name):
                    see(arg.id, *fate)
            for kw in node.keywords:
                fates[id(kw.value)] = (ARGUMENT, "")
            if isinstance(func, ast.Attribute):
                if scope.method and isinstance(func.value, ast.Name) and func.value.id == scope.me:
                    self._self_call(scope, func.attr, id(func))
                if isinstance(func.value, ast.Name) and func.attr in RUN_CALLS:
                    see(func.value.id, ENTRY)
                if func.attr in REMOVAL_CALLS:
                    self._removed(func.value, func.attr, scope)
        elif isinstance(node, ast.Await):
            if id(node) in fates:
                fates[id(node.value)] = fates[id(node)]

    def _self_attrs(self, targets: Sequence[ast.AST], value: ast.AST, scope: _Scope) -> None:
        """``self.x = <container or call>``: an attribute of the class; replaced outside the
        constructor: the class empties it."""
        if not scope.cls or not scope.self_name:
            return
        for target in targets:
            if isinstance(target, ast.Attribute) and self._on_self(target, scope):
                if isinstance(value, CREATIONS):
                    self._attrs.setdefault(scope.cls, set()).add(target.attr)
                if not scope.ctor:
                    self._bounded.setdefault(scope.cls, set()).add(target.attr)

    def _use(self, func: ast.AST) -> None:
        """Record ``make_table`` / ``models.Bars`` / ``cache`` when its head is an import or a
        module-level definition: only those names can be project containers or re-exports."""
        parts: List[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if isinstance(func, ast.Name) and (func.id in self.imports or func.id in self.defined):
            self._used.add(".".join([func.id] + parts[::-1]))

    def _handed_on(self, node: ast.Attribute, scope: _Scope) -> None:
        """``bus.on("tick", self._on_tick)``: a method referred to without a call is handed on
        and runs later."""
        value = node.value
        if type(value) is ast.Name and value.id == scope.me and id(node) not in self._called:
            self._self_call(scope, node.attr, 0, handed_on=True)

    def _self_call(self, scope: _Scope, name: str, node_id: int, handed_on: bool = False) -> None:
        if node_id:
            self._called.add(node_id)
        later = scope.deferred or handed_on
        self._calls.setdefault(scope.cls, {}).setdefault(scope.method, set()).add(
            ("*" + name) if later else name)

    @staticmethod
    def _on_self(target: ast.Attribute, scope: _Scope) -> bool:
        return bool(scope.self_name) and isinstance(target.value, ast.Name) and target.value.id == scope.self_name

    def _instantiation(self, call: ast.Call, scope: _Scope, fates: Dict[int, Tuple[str, str]],
                       bound_to: Dict[int, str],
                       names: Dict[str, Tuple[str, str]]) -> None:
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if not last[:1].isupper():
            return  # by convention, classes are capitalised; keeps the facts small
        target = self.qualify(func)
        if not target:
            return
        fate, holder = fates.get(id(call), (self._default_fate(scope), ""))
        if scope.ctor and scope.cls and fate in (LOCAL, COLLECTED, ARGUMENT, ATTR, KEPT):
            # built while its owner is built: it lives as long as that owner
            fate, holder = ATTR, scope.cls
        elif fate == ATTR:
            holder = scope.cls if bound_to.get(id(call)) == "@self" else ""
        elif fate in (LOCAL, ENTRY) and scope.node is not None:
            name = bound_to.get(id(call))
            if name is not None and not name.startswith("@"):
                fate, holder = names.get(name, (fate, ""))
        self.instances.append(Instantiation(target, fate, holder, scope.name))

    # --------------------------------------------------------------- removals
    def _resets(self, stmt: ast.Assign, scope: _Scope) -> None:
        """``obj.buf = []``, ``batch, obj.buf = obj.buf, []``, ``obj.buf[:] = ...``."""
        if not (_fresh_container(stmt.value) or isinstance(stmt.value, ast.Tuple)):
            return
        for target in stmt.targets:
            for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                if isinstance(t, ast.Attribute):
                    self._removed(t, "reset", scope, whole=True)
                elif isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Slice):
                    self._removed(t.value, "slice", scope)

    def _removed(self, expr: ast.AST, op: str, scope: _Scope, whole: bool = False) -> None:
        """An attribute emptied, trimmed or replaced through a receiver that is not ``self``."""
        if not isinstance(expr, ast.Attribute):
            return
        receiver = expr.value
        if isinstance(receiver, ast.Name) and receiver.id == scope.self_name and scope.self_name:
            if not scope.ctor:
                self._bounded.setdefault(scope.cls, set()).add(expr.attr)
            return  # the class's own bound: the per-file analysis sees it
        if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls") and whole:
            return
        module = ""
        if isinstance(receiver, ast.Name) and receiver.id in self.imports:
            module = self.imports[receiver.id]
        self.removals.add(Removal(expr.attr, op, module))


CREATIONS = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.Call)
# The node types _observe looks at; every other node is only descended into.
OBSERVED = frozenset({ast.Assign, ast.AnnAssign, ast.Return, ast.withitem, ast.Delete, ast.Call,
                      ast.Await, ast.Yield, ast.YieldFrom})
# Nodes with nothing below them worth a visit and nothing to observe: never pushed. Names and
# constants are a third of a module's nodes.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.alias,
                     ast.Global, ast.Nonlocal, ast.arg})
# What the walk does at a node, by its type; any other node only has its children visited.
_SCOPE, _IF, _ATTRIBUTE, _OBSERVED, _CALL = "scope", "if", "attribute", "observed", "call"
_SPECIAL: Dict[type, str] = {
    **{kind: _OBSERVED for kind in OBSERVED}, ast.Call: _CALL, ast.Attribute: _ATTRIBUTE,
    ast.If: _IF,
    **{kind: _SCOPE for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)},
}


def _collected_into(container: ast.AST, scope: _Scope) -> Tuple[str, str]:
    """(fate, holder) of an instance stored into ``container``. A local container: one of
    many, per call. A container on ``self`` (``self.verifications[tid] = sas``): the instance
    lives as long as its entry, which the link step decides from whether the class removes
    entries (KEPT, holder ``Class.attr``). Any other container: handed on."""
    while isinstance(container, ast.Subscript):
        container = container.value
    if isinstance(container, ast.Name):
        return COLLECTED, ""
    if isinstance(container, ast.Attribute) and scope.cls and scope.self_name \
            and isinstance(container.value, ast.Name) and container.value.id == scope.self_name:
        return KEPT, f"{scope.cls}.{container.attr}"
    return ARGUMENT, ""


def _is_main_guard(test: ast.AST) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"


def extract(tree: ast.Module, module: str, is_package: bool = False) -> FileFacts:
    return Extractor(tree, module, is_package).run()
