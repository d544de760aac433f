"""Heuristics on a front operation (``pop(0)``, ``del x[0]``, ``insert(0, v)``, UBL004)."""

from __future__ import annotations

from typing import Optional

from ...types import Confidence
from .base import FrontOpContext, Heuristic

def _one_off(ctx: FrontOpContext) -> Optional[str]:
    c, ev = ctx.container, ctx.event
    if (c is not None and not c.is_local) or ev.in_loop:
        return None
    return "a single front operation on a list of one call, outside any loop: it does not repeat"


def _not_visible(ctx: FrontOpContext) -> Optional[str]:
    c, ev = ctx.container, ctx.event
    if c is None or c.is_local or ev.in_loop:
        return None
    known = c.ctype.kind == "list" or (c.ctype.kind == "dict" and ev.depth == 1)
    if known:
        return None
    return "the list's creation is not visible in its owner: it may not be a list"


ONE_OFF_FRONT_OP = Heuristic[FrontOpContext](
    name="one-off-front-op",
    tier=Confidence.LOW,
    doc="A front operation outside any loop on a list of one call (a fresh local, a parameter, "
        "another object's list): it runs once per call, so the list is not used as a queue. "
        "Inside any loop (a worklist, a breadth-first search, a drain) or on a long-lived list "
        "the operation repeats and the finding keeps the default level.",
    predicate=_one_off,
    fires=("def first(items):\n    items = list(items)\n    return items.pop(0)\n",),
    quiet=("def bfs(start, graph):\n    queue = [start]\n    while queue:\n"
           "        node = queue.pop(0)\n        queue.extend(graph[node])\n",),
)

CREATION_NOT_VISIBLE = Heuristic[FrontOpContext](
    name="creation-not-visible",
    tier=Confidence.LOW,
    doc="A front operation outside any loop on an attribute or global whose creation in its "
        "owner is not a list (`self.xml.insert(0, e)` on an object made elsewhere): it may well "
        "not be a list. Inside a loop the finding keeps the default level: the contract flags "
        "whatever is not known to be something other than a list where the operation repeats.",
    predicate=_not_visible,
    fires=("class Doc:\n    def __init__(self, root):\n        self.root = root\n\n"
           "    def prepend(self, e):\n        self.root.insert(0, e)\n",),
    quiet=("class Feed:\n    def __init__(self):\n        self.items = []\n\n"
           "    def take(self):\n        return self.items.pop(0)\n",
           "class Batch:\n    def __init__(self, aborted):\n        self.aborted = aborted\n\n"
           "    def skip_to(self, offset):\n        while self.aborted and self.aborted[0] < offset:\n"
           "            self.aborted.pop(0)\n"),
)
