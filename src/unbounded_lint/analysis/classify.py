"""What kind of container an expression or annotation creates (list, dict, deque, queue...)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, Optional, Set

from . import index_seam
from .model import NONE, OTHER, CType
from .names import Names
from .syntax import GROWTH_METHODS, QUEUES, REMOVAL_METHODS, WEAK, is_none

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from ..index.view import ModuleView


_SIMPLE_CALLS: Dict[str, CType] = {
    "builtins.list": CType("list"), "builtins.dict": CType("dict"), "builtins.set": CType("set"),
    "collections.OrderedDict": CType("dict", subtype="ordered"),
    "typing.OrderedDict": CType("dict", subtype="ordered"),
    "collections.Counter": CType("dict", subtype="counter"),
    "array.array": CType("array"),
    **{qn: CType("weak") for qn in WEAK},
}


def _literal(value: ast.AST) -> CType:
    """What a display, comprehension or constant creates."""
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
        if value.value is None:
            return NONE
        return CType("str") if isinstance(value.value, (str, bytes)) else OTHER
    if isinstance(value, ast.JoinedStr):
        return CType("str")
    return OTHER


def _argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    """The argument given as ``keyword=`` or at ``position`` (-1: keyword only), else None."""
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if 0 <= position < len(call.args):
        return call.args[position]
    return None


class Classifier:
    """Classifies creation expressions with the module's imports and its own container
    subclasses (``class BarList(list)``)."""

    def __init__(self, names: Names, subclasses: Dict[str, str],
                 index: "Optional[ModuleView]" = None) -> None:
        self.names = names
        self.subclasses = subclasses
        self.index = index  # the module's view of the project index (see index_seam.py)

    def builtin_base(self, node: ast.ClassDef) -> str:
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

    def classify(self, value: Optional[ast.AST], local: Set[str]) -> CType:
        """What kind of container ``value`` creates (``local``: names that shadow imports)."""
        if value is None:
            return OTHER
        if isinstance(value, ast.Call):
            return self._call(value, local)
        return _literal(value)

    def _call(self, value: ast.Call, local: Set[str]) -> CType:
        qn = self.names.qualname(value.func, local)
        if qn is None:
            if isinstance(value.func, ast.Name) and value.func.id in self.subclasses \
                    and value.func.id not in local:
                return CType(self.subclasses[value.func.id])
            return self._project_container(value.func, local)
        simple = _SIMPLE_CALLS.get(qn)
        if simple is not None:
            return simple
        if qn == "collections.deque":
            maxlen = _argument(value, 1, "maxlen")
            return CType("deque", bounded=not is_none(maxlen))
        if qn == "collections.defaultdict":
            return self._defaultdict(value, local)
        if qn in QUEUES:
            size = _argument(value, 0, "maxsize")
            bounded = not (is_none(size) or (isinstance(size, ast.Constant) and size.value == 0))
            return CType("queue", subtype=qn, bounded=bounded)
        if qn == "dataclasses.field":
            factory = _argument(value, -1, "default_factory")
            if factory is not None:
                return self._factory(factory, local)
        return self._project_container(value.func, local)

    def _project_container(self, func: ast.AST, local: Set[str]) -> CType:
        """index seam (index-project-container): a list/dict/set subclass or a container
        factory defined elsewhere in the project."""
        if self.index is None:
            return OTHER
        head = func
        while isinstance(head, ast.Attribute):
            head = head.value
        if isinstance(head, ast.Name) and head.id in local:
            return OTHER
        kind = index_seam.project_container(self.index, func)
        return CType(kind) if kind else OTHER

    def _factory(self, factory: ast.expr, local: Set[str]) -> CType:
        """What calling ``factory`` (a class, a function or a lambda) creates."""
        if isinstance(factory, ast.Lambda):
            return self.classify(factory.body, local)
        return self.classify(ast.Call(func=factory, args=[], keywords=[]), local)

    def _defaultdict(self, value: ast.Call, local: Set[str]) -> CType:
        elem = ""
        if value.args:
            inner = self._factory(value.args[0], local)
            if inner.kind == "deque" and inner.bounded:
                elem = "bounded"
            elif inner.kind in ("list", "dict", "set", "deque"):
                elem = inner.kind
        return CType("dict", subtype="defaultdict", elem=elem)

    def classify_annotation(self, ann: Optional[ast.AST]) -> CType:
        if ann is None:
            return OTHER
        base = ann.value if isinstance(ann, ast.Subscript) else ann
        if not isinstance(base, ast.expr):
            return OTHER
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
