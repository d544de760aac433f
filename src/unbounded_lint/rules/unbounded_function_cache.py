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
Unsafe: the decorator becomes `lru_cache(maxsize=N)`, using the module's own name for
`lru_cache` or `functools` (adding `from functools import lru_cache` when neither is
available). Entries beyond N are dropped and recomputed, which changes what a function with
side effects does, or one whose results are compared by identity. Plain `--fix` applies an
unsafe fix only to a `high` finding (`fix-level = "high"`, the default), or to one runtime
evidence saw grow (`fix-level = "evidence"`); `--fix-level all` or
`--unsafe-fixes` applies it to every finding, `--fix-level safe` to none.

## Options
`max-length` (default 1000): the `maxsize` of the fix.
"""

from __future__ import annotations

from typing import Iterator

from ..analysis.facts import ModuleFacts
from ..fix.plan import make_fix, plan_lru_cache
from ..types import Applicability, Confidence, Settings
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
        # Unsafe: entries beyond N are dropped and recomputed, so a function with side effects
        # or one whose results are compared by identity behaves differently.
        fix = make_fix(f"use lru_cache(maxsize={settings.max_length})",
                       plan_lru_cache(facts, site.decorator, settings.max_length), Applicability.UNSAFE)
        yield Report(site.decorator, f"unbounded cache on '{name}' is never cleared; "
                                     f"use lru_cache(maxsize={settings.max_length})", name, Confidence.MEDIUM, fix)
