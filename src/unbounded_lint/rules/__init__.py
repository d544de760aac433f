"""The rule registry: every module in this package that defines ``CODE`` is a rule.

Adding a rule means adding one module with ``CODE``, ``NAME``, ``SUMMARY``, a docstring in
ruff's headings, ``VALID``/``INVALID`` examples and ``check(facts, settings)``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Dict

from .base import Report, Rule


def _discover() -> Dict[str, Rule]:
    rules: Dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "CODE"):
            rule = Rule.from_module(module)
            rules[rule.code] = rule
    return dict(sorted(rules.items()))


RULES: Dict[str, Rule] = _discover()

__all__ = ["RULES", "Report", "Rule"]
