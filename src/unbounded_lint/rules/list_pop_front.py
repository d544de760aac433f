"""## What it does
Flags `x.pop(0)`, `del x[0]` and `x.insert(0, v)` where `x` is not known to be something other
than a list (a dict, a deque, a set, a queue, an `array.array`, a string).

## Why is this bad?
Removing or inserting at the front of a list moves every other element: O(n) per call. A list
used as a FIFO (`history.pop(0)`, a BFS frontier `queue.pop(0)`) turns a linear job quadratic
and stalls a long-running loop as the list grows. `collections.deque` does both in O(1).

Not flagged: module-level code outside functions (it runs once), and `sys.path` / `sys.argv`
(set-up code whose length is tiny).

Aliases are followed: `pop = self.items.pop` and `q = self.items` are the list itself, and a
local bound to an element of a long-lived container — `q = self._queues[task]`,
`self._queues.get(task)`, `self._queues.setdefault(task, [])`, or a method of the class whose
every `return` gives `self._queues[...]` (`q = self._get_queue(task)`) — is that element, so
`q.pop(0)` is reported like `self._queues[task].pop(0)`.

Confidence (contract v3): the default level (`medium`) wherever the front operation repeats on
the same list — inside any loop (a worklist, a breadth-first search, a drain `while items:`, a
counted `for`), or on a long-lived list (an attribute, a class attribute, a global) in any
function. `low` (hidden by default) only when a heuristic says the operation does not repeat or
the receiver may not be a list:

- `one-off-front-op`: a single front operation on a list of one call (a fresh local, a
  parameter) outside any loop;
- `creation-not-visible`: outside any loop, an attribute or global whose creation in its owner
  is not a list (`self.xml.insert(0, e)` on an object made elsewhere);
- outside any loop, on an attribute or global, the owner heuristics that say the operation runs
  once or the owner is short-lived (`setup-method`, `registration-decorator`,
  `import-time-call`, `import-time-instances`, `short-lived-owner`, `index-transient-owner`).
  How the list grows (handed back, filled at set-up, keyed by names) says nothing about the
  cost of its front operations, so the other growth heuristics of UBL001 do not apply here, and
  inside a loop none does.

## Example
```python
class Strategy:
    def __init__(self):
        self.prices = []

    def on_tick(self, price):
        self.prices.append(price)
        if len(self.prices) > 500:
            self.prices.pop(0)
```

## Use instead
```python
from collections import deque

class Strategy:
    def __init__(self):
        self.prices = deque(maxlen=500)

    def on_tick(self, price):
        self.prices.append(price)
```

## Fix safety
Safe for a private list (a local, or a name starting with `_`) whose creation is visible and
whose every use in its owner scope works on a deque (see UBL001), and that is bounded
already: the creation becomes `deque(...)`, `pop(0)` becomes `popleft()` and `insert(0, v)`
becomes `appendleft(v)`, which keeps the program's meaning for every input. Unsafe when the
list is public (other modules may use it as a list) or also grows without bound (UBL001: the
deque then gets `maxlen=N`, which drops items). Plain `--fix` applies an unsafe fix only to a `high` finding (`fix-level = "high"`, the
default), or to one runtime evidence saw grow (`fix-level = "evidence"`); `--fix-level all` or
`--unsafe-fixes` applies it to every finding, `--fix-level safe` to none. A public list that grows
without bound gets no UBL004 fix: UBL001 trims it and keeps its type.

## Options
`max-length` (default 1000), when the list also grows without bound.
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from ..analysis.facts import ModuleFacts
from ..analysis.heuristics import Verdict
from ..analysis.model import Container, Event
from ..fix.plan import DequePlan, container_maxlen, is_public, make_fix, plan_deque
from ..types import Applicability, Confidence, Fix, Settings
from .base import Invalid, Report, Valid

CODE = "UBL004"
VERSION = 6
NAME = "list-pop-front"
# Words one of which every finding of this rule needs in the file (the engine skips files
# that have none of any rule's words).
TRIGGERS = (b".pop", b"del ", b".insert")
SUMMARY = "pop(0), del x[0] or insert(0, v) on a list is O(n)"
NOT_LISTS = frozenset({"dict", "deque", "set", "queue", "weak", "array", "str"})
EXEMPT = frozenset({"sys.path", "sys.argv"})

INVALID = (
    Invalid(
        'class Feed:\n'
        '    def __init__(self):\n'
        '        self.items = []\n'
        '\n'
        '    def push(self, item):\n'
        '        self.items.append(item)\n'
        '\n'
        '    def pop(self):\n'
        '        return self.items.pop(0)\n',
        confidence=Confidence.MEDIUM,
        fixed=(
            'from collections import deque\n'
            '\n'
            '\n'
            'class Feed:\n'
            '    def __init__(self):\n'
            '        self.items = deque()\n'
            '\n'
            '    def push(self, item):\n'
            '        self.items.append(item)\n'
            '\n'
            '    def pop(self):\n'
            '        return self.items.popleft()\n'
        ),
    ),
)
VALID = (
    Valid(
        'from collections import deque\n'
        '\n'
        'def drain():\n'
        '    items = deque(load())\n'
        '    while items:\n'
        '        handle(items.popleft())\n',
    ),
    Valid(
        'CACHE = {}\n'
        '\n'
        'def first():\n'
        '    return CACHE.pop(0)\n',
    ),
)


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    for c in facts.containers.values():
        if not c.popfronts or (c.ctype.kind in NOT_LISTS and c.ctype.kind != "dict"):
            continue
        fix = _fix(facts, c, settings.max_length) if c.ctype.kind == "list" else None
        for ev in c.popfronts:
            if ev.func is None or ev.depth > 1:
                continue
            if ev.depth == 1 and (c.ctype.kind != "dict" or c.ctype.elem in NOT_LISTS | {"bounded"}):
                continue
            if ev.depth == 0 and c.ctype.kind in NOT_LISTS:
                continue
            yield _report(facts, ev, None if ev.depth else fix, facts.owner_text(c), facts.front_op_verdict(c, ev))
    for ev in facts.unresolved_popfronts:
        if ev.func is None:
            continue
        receiver = _receiver(ev.node)
        if isinstance(receiver, ast.expr) and (facts.names.qualname(receiver) or "") in EXEMPT:
            continue
        yield _report(facts, ev, None, "", facts.front_op_verdict(None, ev))


def _fix(facts: ModuleFacts, c: Container, max_length: int) -> Optional[Fix]:
    maxlen = container_maxlen(facts, c, max_length)
    if maxlen is not None and is_public(c):
        return None  # UBL001 trims a public list that grows; a deque would break that trim
    plan: Optional[DequePlan] = plan_deque(facts, c, maxlen)
    if plan is None:
        return None
    # Safe only when nothing is dropped (no maxlen) and no other module sees the type change.
    safe = maxlen is None and not plan.public
    return make_fix("use a deque with popleft()/appendleft()", plan.edits,
                    Applicability.SAFE if safe else Applicability.UNSAFE)


def _receiver(node: ast.AST) -> Optional[ast.AST]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value
    if isinstance(node, ast.Subscript):
        return node.value
    return None


def _report(facts: ModuleFacts, ev: Event, fix: Optional[Fix], owner: str, verdict: Verdict) -> Report:
    receiver = _receiver(ev.node)
    text = (facts.segment(receiver) if receiver is not None else None) or "list"
    text = " ".join(text.split())[:60]
    hint = "use collections.deque and popleft()" if ev.op != "insert(0, ...)" else "use collections.deque and appendleft()"
    return Report(ev.node, f"{ev.op} on list '{text}' is O(n); {hint}", owner, verdict.confidence, fix,
                  verdict.heuristics, verdict.because)
