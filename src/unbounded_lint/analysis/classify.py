"""What kind of container an expression or annotation creates (list, dict, deque, queue...)."""

from __future__ import annotations

import ast
from typing import Dict, Optional, Set

from .model import NONE, OTHER, CType
from .names import Names
from .syntax import GROWTH_METHODS, QUEUES, REMOVAL_METHODS, WEAK, is_none


class Classifier:
    """Classifies creation expressions with the module's imports and its own container
    subclasses (``class BarList(list)``)."""

    def __init__(self, names: Names, subclasses: Dict[str, str]) -> None:
        self.names = names
        self.subclasses = subclasses

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
            return CType("deque", bounded=not is_none(maxlen))
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
            bounded = not (is_none(size) or (isinstance(size, ast.Constant) and size.value == 0))
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
