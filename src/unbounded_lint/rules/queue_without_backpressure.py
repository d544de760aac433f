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

from ..analysis.containers import ModuleFacts
from ..fix.plan import make_fix, plan_keyword
from ..types import Applicability, Settings
from ._queues import unbounded_queues
from .base import Report

CODE = "UBL007"
VERSION = 4
NAME = "queue-without-backpressure"
SUMMARY = "A consumed queue has no size limit, so the producer is never slowed down"
DEFAULT = False

INVALID = (
    "import queue\n\nclass Pipe:\n    def __init__(self):\n        self.q = queue.Queue()\n\n    def put(self, m):\n        self.q.put(m)\n\n    def take(self):\n        return self.q.get()\n",
)
VALID = (
    "import queue\n\nclass Pipe:\n    def __init__(self):\n        self.q = queue.Queue(100)\n\n    def put(self, m):\n        self.q.put(m)\n\n    def take(self):\n        return self.q.get()\n",
)


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    n = settings.max_length
    for c, creation, growth, consumers in unbounded_queues(facts):
        if not consumers:
            continue
        call = creation.value
        fix = None
        if c.ctype.kind == "deque":
            fix = make_fix(f"add maxlen={n}", plan_keyword(facts, call, "maxlen", n),
                           Applicability.UNSAFE)  # type: ignore[arg-type]
        elif not c.ctype.subtype.endswith("SimpleQueue"):
            fix = make_fix(f"add maxsize={n}", plan_keyword(facts, call, "maxsize", n),
                           Applicability.UNSAFE)  # type: ignore[arg-type]
        hint = fix.description if fix else "bound the producer"
        yield Report(call, f"queue '{facts.owner_text(c)}' has a consumer but no size limit, so nothing "
                           f"slows the producer; {hint}", facts.owner_text(c), facts.confidence(c, growth), fix)
