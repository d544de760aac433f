"""## What it does
Flags the same unbounded queue constructors as UBL003 — no `maxsize`/`maxlen` — where a
consumer does take items out in the owner scope (`get`, `get_nowait`, `popleft`, `pop`, or the
queue is handed to other code) but nothing limits the producer. Opt-in: enable it with
`--extend-select UBL007` or `select`. A `clear()` or fresh queue only at the owner's teardown
(`close()`, `shutdown()`, see UBL001) is no limit.

## Why is this bad?
Under load the producer outruns the consumer — a flooded websocket, a GUI frozen while a log
queue fills, a slow database writer — and the queue grows without bound until memory runs out.

## Example
```python
import asyncio


class Sender:
    def __init__(self):
        self.outbox = asyncio.Queue()

    async def send(self, msg):
        await self.outbox.put(msg)

    async def pump(self, ws):
        while True:
            await ws.send(await self.outbox.get())
```

## Use instead
```python
        self.outbox = asyncio.Queue(maxsize=1000)
```

## Fix safety
Unsafe: with `maxsize=N`, `put` blocks (or
`put_nowait` raises `QueueFull`) when the queue is full, and a deque with `maxlen=N` silently
drops the oldest item. That is the point of backpressure, but it changes behaviour under load.
Plain `--fix` applies an unsafe fix only to a `high` finding (`fix-level = "high"`, the
default), or to one runtime evidence saw grow (`fix-level = "evidence"`); `--fix-level all` or
`--unsafe-fixes` applies it to every finding, `--fix-level safe` to none.
`SimpleQueue` has no `maxsize` and gets no fix.

## Options
`max-length` (default 1000): the `maxsize`/`maxlen` of the fix.
"""

from __future__ import annotations

from typing import Iterator

from ..analysis.facts import ModuleFacts
from ..fix.plan import make_fix, plan_keyword
from ..types import Applicability, Confidence, Settings
from ._queues import unbounded_queues
from .base import Invalid, Report, Valid

CODE = "UBL007"
VERSION = 4
NAME = "queue-without-backpressure"
# Words one of which every finding of this rule needs in the file (the engine skips files
# that have none of any rule's words).
TRIGGERS = (b"Queue", b"deque", b".put")
SUMMARY = "A consumed queue has no size limit, so the producer is never slowed down"
DEFAULT = False

INVALID = (
    Invalid(
        'import queue\n'
        '\n'
        'class Pipe:\n'
        '    def __init__(self):\n'
        '        self.q = queue.Queue()\n'
        '\n'
        '    def put(self, m):\n'
        '        self.q.put(m)\n'
        '\n'
        '    def take(self):\n'
        '        return self.q.get()\n',
        confidence=Confidence.MEDIUM,
        fixed=(
            'import queue\n'
            '\n'
            'class Pipe:\n'
            '    def __init__(self):\n'
            '        self.q = queue.Queue(maxsize=1000)\n'
            '\n'
            '    def put(self, m):\n'
            '        self.q.put(m)\n'
            '\n'
            '    def take(self):\n'
            '        return self.q.get()\n'
        ),
    ),
)
VALID = (
    Valid(
        'import queue\n'
        '\n'
        'class Pipe:\n'
        '    def __init__(self):\n'
        '        self.q = queue.Queue(100)\n'
        '\n'
        '    def put(self, m):\n'
        '        self.q.put(m)\n'
        '\n'
        '    def take(self):\n'
        '        return self.q.get()\n',
    ),
)


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    n = settings.max_length
    for site in unbounded_queues(facts):
        c, call, growth, consumers = site.container, site.call, site.growth, site.consumers
        if not consumers:
            continue
        fix = None
        if c.ctype.kind == "deque":
            fix = make_fix(f"add maxlen={n}", plan_keyword(facts, call, "maxlen", n), Applicability.UNSAFE)
        elif not c.ctype.subtype.endswith("SimpleQueue"):
            fix = make_fix(f"add maxsize={n}", plan_keyword(facts, call, "maxsize", n), Applicability.UNSAFE)
        hint = fix.description if fix else "bound the producer"
        verdict = facts.verdict(c, growth)
        yield Report(call, f"queue '{facts.owner_text(c)}' has a consumer but no size limit, so nothing "
                           f"slows the producer; {hint}", facts.owner_text(c), verdict.confidence, fix,
                     verdict.heuristics, verdict.because)
