"""What a rule module provides, and the report it yields."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterator, Optional, Tuple

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
class Rule:
    """A rule, built from its module: code, kebab-case name, docs and examples."""

    code: str
    name: str
    summary: str
    docs: str
    default: bool
    valid: Tuple[str, ...]
    invalid: Tuple[str, ...]
    check: Callable[..., Iterator[Report]]
    version: int = 1

    @classmethod
    def from_module(cls, module: ModuleType) -> "Rule":
        return cls(
            code=module.CODE,
            name=module.NAME,
            summary=module.SUMMARY,
            docs=(module.__doc__ or "").strip(),
            default=getattr(module, "DEFAULT", True),
            valid=tuple(getattr(module, "VALID", ())),
            invalid=tuple(getattr(module, "INVALID", ())),
            check=module.check,
            version=getattr(module, "VERSION", 1),
        )

    @property
    def anchor(self) -> str:
        return f"{self.code.lower()}-{self.name}"
