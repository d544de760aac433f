"""Shared by UBL003 and UBL007: unbounded queues and deques kept by a long-lived owner."""

from __future__ import annotations

from typing import Iterator, List, Tuple

from ..analysis.facts import ModuleFacts
from ..analysis.model import Container, Event

QUEUE_GROWTH = frozenset({"put", "put_nowait", "append", "appendleft", "extend", "extendleft"})


def unbounded_queues(facts: ModuleFacts) -> Iterator[Tuple[Container, Event, Event, List[Event]]]:
    """(container, its unbounded creation, a growth, consumers) for every grown, unbounded queue."""
    for c in facts.containers.values():
        if c.ctype.kind not in ("queue", "deque") or c.ctype.bounded:
            continue
        growth = next((ev for ev in facts.growths(c) if ev.op in QUEUE_GROWTH and ev.depth == 0), None)
        if growth is None:
            continue
        if facts.bound_reason(c) is not None:
            continue
        creation = next((ev for ev in c.creations if ev.ctype.kind == c.ctype.kind), None)
        if creation is None or creation.value is None:
            continue
        yield c, creation, growth, facts.consumers(c)
