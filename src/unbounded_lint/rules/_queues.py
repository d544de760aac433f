"""Shared by UBL003 and UBL007: unbounded queues and deques kept by a long-lived owner."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator, Tuple

from ..analysis.facts import ModuleFacts
from ..analysis.model import Container, Event

QUEUE_GROWTH = frozenset({"put", "put_nowait", "append", "appendleft", "extend", "extendleft"})


@dataclass(frozen=True)
class QueueSite:
    """A grown, unbounded queue or deque: its constructor call, a growth and its consumers."""

    container: Container
    call: ast.Call
    growth: Event
    consumers: Tuple[Event, ...]


def unbounded_queues(facts: ModuleFacts) -> Iterator[QueueSite]:
    """Every grown, unbounded queue or deque with no bound in its owner scope."""
    for c in facts.containers.values():
        if c.ctype.kind not in ("queue", "deque") or c.ctype.bounded:
            continue
        growth = next((ev for ev in facts.growths(c) if ev.op in QUEUE_GROWTH and ev.depth == 0), None)
        if growth is None:
            continue
        if facts.bound_reason(c) is not None:
            continue
        creation = next((ev for ev in c.creations if ev.ctype.kind == c.ctype.kind), None)
        if creation is None or not isinstance(creation.value, ast.Call):
            continue
        yield QueueSite(c, creation.value, growth, tuple(facts.consumers(c)))
