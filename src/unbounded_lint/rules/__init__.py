"""The rule registry: every module in this package that defines ``CODE`` is a rule.

Adding a rule means adding one module with ``CODE``, ``NAME``, ``SUMMARY``, ``TRIGGERS``, a
docstring in ruff's headings, ``VALID``/``INVALID`` examples and ``check(facts, settings)``
(``DEFAULT = False`` for an opt-in rule). Nothing else lists the rules: the codes, the default
selection, the engine's quick skip and the renderers' names and summaries come from here.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Dict, Tuple

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
# Words whose absence proves a module can have no finding of any rule.
TRIGGERS: Tuple[bytes, ...] = tuple(sorted({word for rule in RULES.values() for word in rule.triggers}))

__all__ = ["RULES", "TRIGGERS", "Report", "Rule"]
