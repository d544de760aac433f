"""## What it does
Flags `functools.cache` and `functools.lru_cache(maxsize=None)` on a module-level function, a
staticmethod or a classmethod, when nothing in the module calls `cache_clear()` on it. Opt-in:
enable it with `--extend-select UBL008` or `select`, since many such caches have a small key
space by design.

## Why is this bad?
An unbounded cache keeps one entry per distinct argument tuple for the life of the process. A
function called with request ids, timestamps or user input grows without end.

## Example
```python
import functools


@functools.cache
def quote(symbol, ts):
    ...
```

## Use instead
```python
@functools.lru_cache(maxsize=1000)
def quote(symbol, ts):
    ...
```

## Fix safety
Safe: the decorator becomes `lru_cache(maxsize=N)`, using the module's own name for
`lru_cache` or `functools` (adding `from functools import lru_cache` when neither is
available). Results are the same; only entries beyond N are recomputed.

## Options
`max-length` (default 1000): the `maxsize` of the fix.
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional, Tuple

from ..analysis.facts import ModuleFacts
from ..analysis.fixplan import make_fix
from ..types import AddImport, Confidence, RemoveImportIfUnused, Replace, Settings
from .base import Invalid, Report, Valid

CODE = "UBL008"
NAME = "unbounded-function-cache"
# Words one of which every finding of this rule needs in the file (the engine skips files
# that have none of any rule's words).
TRIGGERS = (b"cache",)
SUMMARY = "An unbounded functools cache on a function is never cleared"
DEFAULT = False

INVALID = (
    Invalid(
        'import functools\n'
        '\n'
        '@functools.cache\n'
        'def quote(symbol):\n'
        '    return symbol\n',
        confidence=Confidence.MEDIUM,
        fixed=(
            'import functools\n'
            '\n'
            '@functools.lru_cache(maxsize=1000)\n'
            'def quote(symbol):\n'
            '    return symbol\n'
        ),
    ),
)
VALID = (
    Valid(
        'import functools\n'
        '\n'
        '@functools.lru_cache(maxsize=256)\n'
        'def quote(symbol):\n'
        '    return symbol\n',
    ),
    Valid(
        'import functools\n'
        '\n'
        '@functools.cache\n'
        'def quote(symbol):\n'
        '    return symbol\n'
        '\n'
        'def reset():\n'
        '    quote.cache_clear()\n',
    ),
)


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    for site in facts.caches:
        if site.on_instance_method or not site.unbounded or site.in_function:
            continue
        name = getattr(site.func, "name", "?")
        if name in facts.walker.cache_clears:
            continue
        fix = make_fix(f"use lru_cache(maxsize={settings.max_length})", _edits(facts, site.decorator, settings.max_length))
        yield Report(site.decorator, f"unbounded cache on '{name}' is never cleared; "
                                     f"use lru_cache(maxsize={settings.max_length})", name, Confidence.MEDIUM, fix)


def _edits(facts: ModuleFacts, dec: ast.expr, n: int) -> Optional[Tuple[object, ...]]:
    if isinstance(dec, ast.Call):
        for kw in dec.keywords:
            if kw.arg == "maxsize":
                return (Replace(facts.position(kw.value), facts.end_position(kw.value), str(n)),)
        if dec.args:
            return (Replace(facts.position(dec.args[0]), facts.end_position(dec.args[0]), str(n)),)
        return None
    if isinstance(dec, ast.Attribute):
        base = facts.segment(dec.value)
        return None if base is None else (Replace(facts.position(dec), facts.end_position(dec),
                                                  f"{base}.lru_cache(maxsize={n})"),)
    # ``@cache`` (or an alias of it): the import may become unused once replaced.
    cleanup: Tuple[object, ...] = ()
    if isinstance(dec, ast.Name) and facts.names.aliases.get(dec.id) == "functools.cache" and dec.id == "cache":
        cleanup = (RemoveImportIfUnused("functools", "cache"),)
    names = list(facts.names.local_names_for("functools.lru_cache"))
    if names:
        return (Replace(facts.position(dec), facts.end_position(dec), f"{names[0]}(maxsize={n})"),) + cleanup
    modules = list(facts.names.local_names_for("functools"))
    if modules:
        return (Replace(facts.position(dec), facts.end_position(dec), f"{modules[0]}.lru_cache(maxsize={n})"),) + cleanup
    if "lru_cache" in facts.names.shadowed:
        return None
    return (Replace(facts.position(dec), facts.end_position(dec), f"lru_cache(maxsize={n})"),
            AddImport("functools", "lru_cache")) + cleanup
