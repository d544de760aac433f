"""Heuristics on a functools cache on a method (UBL006)."""

from __future__ import annotations

import ast
from typing import Optional

from ...types import Confidence
from .base import CacheContext, Heuristic

VALUE_BASES = frozenset({"typing.NamedTuple", "enum.Enum", "enum.IntEnum", "enum.StrEnum",
                         "enum.Flag", "enum.IntFlag"})


def _frozen_dataclass(ctx: CacheContext, node: ast.ClassDef) -> bool:
    for dec in node.decorator_list:
        if not isinstance(dec, ast.Call):
            continue
        if ctx.facts.names.qualname(dec.func) != "dataclasses.dataclass":
            continue
        if any(kw.arg == "frozen" and isinstance(kw.value, ast.Constant) and kw.value.value is True
               for kw in dec.keywords):
            return True
    return False


def _immutable_value(ctx: CacheContext) -> Optional[str]:
    cls = ctx.site.owner
    if cls is None:
        return None
    if any(qn in VALUE_BASES for qn in cls.base_qualnames) or _frozen_dataclass(ctx, cls.node):
        return f"{cls.name} is an immutable value type: the cache is a memo of values"
    return None


IMMUTABLE_VALUE_TYPE = Heuristic[CacheContext](
    name="immutable-value-type",
    tier=Confidence.LOW,
    doc="A cached method of an immutable value type (a `NamedTuple`, a frozen dataclass, an "
        "`Enum`): equal values share cache entries and the instances are values, not "
        "long-lived objects with state, so the cache is a memo (contract v3).",
    predicate=_immutable_value,
    fires=("from functools import lru_cache\nfrom typing import NamedTuple\n\n\n"
           "class Point(NamedTuple):\n    x: int\n\n    @lru_cache(maxsize=None)\n"
           "    def norm(self):\n        return abs(self.x)\n",),
    quiet=("from functools import lru_cache\n\n\nclass Router:\n"
           "    @lru_cache(maxsize=1)\n    def resolve(self, path):\n        return path\n",),
)
