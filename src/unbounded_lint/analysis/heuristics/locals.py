"""Heuristics on locals grown inside long-running loops."""

from __future__ import annotations

import ast
from typing import Optional

from ...types import Confidence
from .base import Heuristic, SiteContext


def _handed_back(ctx: SiteContext) -> Optional[str]:
    c = ctx.container
    if not c.is_local:
        return None
    if c.returned or any(r for r in c.passed if not r.in_loop):
        return "a local collected and handed back to the caller"
    return None


def _loops_end(ctx: SiteContext) -> bool:
    ev = ctx.event
    ending = ctx.facts.walker.ending_loops
    return all(id(loop) in ending for loop in ev.loops)


def _result_of_ending_loop(ctx: SiteContext) -> Optional[str]:
    """A local grown in loops that all end (``break``/``return``) and read after the outermost
    of them: reading lines until EOF, encoding until no flags are left."""
    c, ev = ctx.container, ctx.event
    if not c.is_local or not ev.loops or ev.func is None or not _loops_end(ctx):
        return None
    end = max(getattr(loop, "end_lineno", 0) or 0 for loop in ev.loops)
    name = c.name
    for node in ast.walk(ev.func.node):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) \
                and node.lineno > end:
            return "a result collected until the loop ends, then used"
    return None


def _loop_can_end(ctx: SiteContext) -> Optional[str]:
    if not ctx.container.is_local or not _loops_end(ctx):
        return None
    return "the long-running loop has a break or return of its own: it can end"


HANDED_BACK = Heuristic[SiteContext](
    name="returned-local",
    tier=Confidence.LOW,
    doc="A local grown in a long-running loop that is returned, yielded or handed to other "
        "code outside the loop is a result the function builds for its caller.",
    predicate=_handed_back,
    fires=("def collect(feed):\n    out = []\n    while True:\n        out.append(feed.read())\n"
           "        yield out\n",),
    quiet=("def run(feed):\n    out = []\n    while True:\n        out.append(feed.read())\n",),
)

LOOP_RESULT = Heuristic[SiteContext](
    name="loop-result",
    tier=Confidence.LOW,
    doc="A local grown in loops that all can end (a `break` or `return` of their own) and read "
        "after the outermost of them is a result: reading lines until end of file, encoding "
        "until no flags are left.",
    predicate=_result_of_ending_loop,
    fires=("def lines(f):\n    out = []\n    while True:\n        line = f.readline()\n"
           "        if not line:\n            break\n        out.append(line)\n    print(out)\n",),
    quiet=("def pump(f):\n    out = []\n    while True:\n        out.append(f.readline())\n",),
)

LOOP_CAN_END = Heuristic[SiteContext](
    name="loop-can-end",
    tier=Confidence.MEDIUM,
    doc="A local grown in a long-running loop that has a `break` or `return` of its own is "
        "`medium` rather than `high`: the loop can end, and the list may be a result.",
    predicate=_loop_can_end,
    fires=("def pump(f):\n    out = []\n    while True:\n        x = f.read()\n        if x is None:\n"
           "            return\n        out.append(x)\n",),
    quiet=("def pump(f):\n    out = []\n    while True:\n        out.append(f.readline())\n",),
)
