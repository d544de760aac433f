"""## What it does
Flags `functools.lru_cache` (bounded or not) and `functools.cache` on an instance method.

## Why is this bad?
The cache lives on the function, which lives on the class, for the life of the process. Every
call stores `self` in a cache key, so every instance the method was ever called on stays alive,
with everything it references — long after the rest of the program has let go of it. A bounded
`lru_cache` only limits how many instances leak.

Static methods and class methods are not flagged here (UBL008 covers unbounded function
caches), nor is a method whose `cache_clear()` is called anywhere in the module. The finding is
reported at the decorator expression.

The decorator is recognised through the project's re-exports too: with the project index,
`from myproj.compat import cache`, where `myproj/compat.py` imports `cache` from `functools`,
is `functools.cache` (`index-reexport`).

Confidence (contract v3): the default level whatever the `maxsize`, as flake8-bugbear's B019
does — `high` for `functools.cache` and `lru_cache(maxsize=None)`, which keep every instance,
`medium` for a bounded `lru_cache(maxsize=N)` or `lru_cache()` (128), which still pins up to N
instances (maintainers fix exactly this, `maxsize=1` included). `low` (hidden by default) only
on an immutable value type — a `NamedTuple`, a frozen dataclass, an `Enum`
(`immutable-value-type`) — where the cache is a memo of values.

## Example
```python
from functools import lru_cache


class Portfolio:
    @lru_cache(maxsize=None)
    def exposure(self, symbol):
        ...
```

## Use instead
```python
class Portfolio:
    def __init__(self):
        self._exposure = {}

    def exposure(self, symbol):
        if symbol not in self._exposure:
            self._exposure[symbol] = self._compute_exposure(symbol)
        return self._exposure[symbol]
```
or `functools.cached_property` for an argument-free method.

## Fix safety
No automatic fix: the right cache depends on the object's lifetime.

## Options
None.
"""

from __future__ import annotations

from typing import Iterator

from ..analysis.facts import ModuleFacts
from ..types import Confidence, Settings
from .base import Invalid, Report, Valid

CODE = "UBL006"
VERSION = 3
NAME = "cached-method"
# Words one of which every finding of this rule needs in the file (the engine skips files
# that have none of any rule's words).
TRIGGERS = (b"cache",)
SUMMARY = "lru_cache or cache on a method keeps every instance alive"

INVALID = (
    Invalid(
        'from functools import lru_cache\n'
        '\n'
        'class A:\n'
        '    @lru_cache(maxsize=None)\n'
        '    def f(self, x):\n'
        '        return x\n',
        confidence=Confidence.HIGH,
        fixed=None,  # no fix is offered
    ),
)
VALID = (
    Valid(
        'from functools import lru_cache\n'
        '\n'
        'class A:\n'
        '    @staticmethod\n'
        '    @lru_cache(maxsize=128)\n'
        '    def f(x):\n'
        '        return x\n',
    ),
)


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    for site in facts.caches:
        method = getattr(site.func, "name", "?")
        # cache_clear() anywhere in the module (Cls.method.cache_clear(), self.method...) frees
        # what the cache holds: a bound, as for UBL008
        owner = site.owner.name if site.owner is not None else ""
        if not site.on_instance_method or (owner, method) in facts.walker.cleared_methods:
            continue
        name = site.qualname.rsplit(".", 1)[1]
        verdict = facts.cache_verdict(site)
        yield Report(site.decorator, f"{name} on method '{method}' keeps every instance it was called "
                                     "on alive; cache per instance instead", method,
                     verdict.confidence, None, verdict.heuristics, verdict.because)
