"""What a rule module provides, and the report it yields."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterator, Optional, Tuple, Union

from ..types import Confidence, Fix


@dataclass(frozen=True)
class Report:
    """One site a rule flags; the engine turns it into a Finding with path and columns."""

    node: ast.AST
    message: str
    container: str = ""
    confidence: Confidence = Confidence.MEDIUM
    fix: Optional[Fix] = None
    heuristics: Tuple[str, ...] = ()
    because: str = ""


@dataclass(frozen=True)
class Valid:
    """An example on which the rule reports nothing (Fixit's ``Valid``)."""

    code: str


@dataclass(frozen=True)
class Invalid:
    """An example on which the rule reports at least once (Fixit's ``Invalid``).

    ``confidence``: every finding of the rule on it has this confidence. ``fixed``: the source
    after ``--fix --unsafe-fixes`` with only this rule selected (None: no fix is offered).
    """

    code: str
    confidence: Optional[Confidence] = None
    fixed: Optional[str] = None


def _valid(item: Union[str, Valid]) -> Valid:
    return item if isinstance(item, Valid) else Valid(item)


def _invalid(item: Union[str, Invalid]) -> Invalid:
    return item if isinstance(item, Invalid) else Invalid(item)


@dataclass(frozen=True)
class Rule:
    """A rule, built from its module: code, kebab-case name, docs and examples."""

    code: str
    name: str
    summary: str
    docs: str
    default: bool
    valid: Tuple[Valid, ...]
    invalid: Tuple[Invalid, ...]
    check: Callable[..., Iterator[Report]]
    version: int = 1
    triggers: Tuple[bytes, ...] = ()

    @classmethod
    def from_module(cls, module: ModuleType) -> "Rule":
        return cls(
            code=module.CODE,
            name=module.NAME,
            summary=module.SUMMARY,
            docs=(module.__doc__ or "").strip(),
            default=getattr(module, "DEFAULT", True),
            valid=tuple(_valid(v) for v in getattr(module, "VALID", ())),
            invalid=tuple(_invalid(i) for i in getattr(module, "INVALID", ())),
            check=module.check,
            version=getattr(module, "VERSION", 1),
            triggers=tuple(module.TRIGGERS),
        )

    @property
    def anchor(self) -> str:
        return f"{self.code.lower()}-{self.name}"
