"""## What it does
Flags a `queue.Queue`, `LifoQueue`, `PriorityQueue`, `SimpleQueue`, `asyncio.Queue` (and its
Lifo/Priority variants), `multiprocessing.Queue` or `collections.deque` created with no
`maxsize`/`maxlen` (or 0/None) into a long-lived owner, grown there (`put`, `put_nowait`,
`append`, `appendleft`, `extend`) and never taken from in the owner scope: no `get`,
`get_nowait`, `popleft`, `pop`, `clear`, size check, and not handed to other code that might
consume it. A pure accumulator.

## Why is this bad?
Nothing ever leaves the queue, so every item put in stays for the life of the process.

The finding is reported at the constructor call, once per queue. A queue that is consumed but
has no bound is UBL007's business (opt-in).

## Example
```python
from collections import deque


class EventLog:
    def __init__(self):
        self.events = deque()

    def record(self, event):
        self.events.append(event)
```

## Use instead
```python
        self.events = deque(maxlen=1000)
```

## Fix safety
Unsafe, for a deque: `maxlen=N` is added, which drops the oldest items once N are held and
changes nothing below that. Plain `--fix` applies an unsafe fix only to a `high` finding (`fix-level = "high"`, the
default), or to one runtime evidence saw grow (`fix-level = "evidence"`); `--fix-level all` or
`--unsafe-fixes` applies it to every finding, `--fix-level safe` to none. Queues get no automatic fix: with a `maxsize`, `put`
blocks when full.

## Options
`max-length` (default 1000): the `maxlen` of the fix.
"""

from __future__ import annotations

from typing import Iterator

from ..analysis.facts import ModuleFacts
from ..fix.plan import make_fix, plan_keyword
from ..types import Applicability, Confidence, Settings
from ._queues import unbounded_queues
from .base import Invalid, Report, Valid

CODE = "UBL003"
VERSION = 4
NAME = "unbounded-queue"
# Words one of which every finding of this rule needs in the file (the engine skips files
# that have none of any rule's words).
TRIGGERS = (b"Queue", b"deque", b".put")
SUMMARY = "An unbounded queue or deque is filled and never drained"

INVALID = (
    Invalid(
        'import queue\n'
        '\n'
        'class Log:\n'
        '    def __init__(self):\n'
        '        self.q = queue.Queue()\n'
        '\n'
        '    def log(self, m):\n'
        '        self.q.put(m)\n',
        confidence=Confidence.MEDIUM,
        fixed=None,  # no fix is offered
    ),
)
VALID = (
    Valid(
        'import queue\n'
        '\n'
        'class Log:\n'
        '    def __init__(self):\n'
        '        self.q = queue.Queue(maxsize=100)\n'
        '\n'
        '    def log(self, m):\n'
        '        self.q.put(m)\n',
    ),
)


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    for site in unbounded_queues(facts):
        c, call, growth, consumers = site.container, site.call, site.growth, site.consumers
        if consumers:
            continue
        fix = None
        if c.ctype.kind == "deque":
            # Unsafe: a maxlen drops the oldest items once N are held.
            fix = make_fix(f"add maxlen={settings.max_length}",
                           plan_keyword(facts, call, "maxlen", settings.max_length),
                           Applicability.UNSAFE)
        what = "deque" if c.ctype.kind == "deque" else "queue"
        hint = fix.description if fix else "give it a maxsize or drain it"
        verdict = facts.verdict(c, growth)
        yield Report(call, f"{what} '{facts.owner_text(c)}' is filled and never drained, with no size "
                           f"limit; {hint}", facts.owner_text(c), verdict.confidence, fix,
                     verdict.heuristics, verdict.because)
