"""Heuristics on locals grown inside long-running loops."""

from __future__ import annotations

import ast
from typing import List, Optional, Set

from ...types import Confidence
from ..syntax import own_nodes
from ..words import name_words
from .base import Heuristic, SiteContext


# Words of calls that wait for outside input: reading a file or a socket, taking from a queue,
# polling, fetching rows, accepting connections, asking the user.
INPUT_WORDS = frozenset({"read", "readline", "readlines", "recv", "recvfrom", "receive", "get",
                         "poll", "fetch", "fetchone", "fetchmany", "fetchall", "accept", "wait",
                         "input", "select", "consume", "listen", "recv_into", "getline"})


def waits_on_input(loop: ast.AST) -> bool:
    """Whether the loop waits on outside input: an ``await``, a ``yield``, or a call named like
    a read (``f.readline()``, ``sock.recv()``, ``q.get()``, ``cursor.fetchone()``,
    ``input()``, ``stop.wait()``). Reading a file until its end, a queue until a sentinel or a
    socket until it closes all do; encoding a number until no bits are left does not."""
    for node in own_nodes(loop):
        if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, ast.Call) and _reads(node):
            return True
    return False


def _reads(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return bool(INPUT_WORDS.intersection(name_words(name)))


def _loops_end(ctx: SiteContext) -> bool:
    ev = ctx.event
    ending = ctx.facts.walker.ending_loops
    return all(id(loop) in ending for loop in ev.loops)


def _read_after(ctx: SiteContext) -> bool:
    """The local is returned, handed on outside its loop, or read after the outermost loop."""
    c, ev = ctx.container, ctx.event
    if c.returned or any(r for r in c.passed if not r.in_loop):
        return True
    assert ev.func is not None
    end = max(getattr(loop, "end_lineno", 0) or 0 for loop in ev.loops)
    for node in ast.walk(ev.func.node):
        if isinstance(node, ast.Name) and node.id == c.name and isinstance(node.ctx, ast.Load) \
                and node.lineno > end:
            return True
    return False


def _computed_result(ctx: SiteContext) -> Optional[str]:
    """A local grown in loops that all end (``break``/``return``) on what the loop computes,
    not on outside input, and read after them: encoding until no flags are left."""
    c, ev = ctx.container, ctx.event
    if not c.is_local or not ev.loops or ev.func is None or not _loops_end(ctx):
        return None
    if any(waits_on_input(loop) for loop in ev.loops) or not _read_after(ctx):
        return None
    return "a result computed until the loop ends, then used"


def counted_exit(loop: ast.AST) -> bool:
    """The loop leaves (``break``/``return``) when a counter it steps reaches a limit:
    ``step += len(batch)`` ... ``if step >= n_step: break``. It ends after a number of
    iterations the counter bounds, whatever it reads meanwhile."""
    stepped: Set[str] = set()
    tests: List[ast.If] = []
    inner: Set[int] = set()  # nodes of loops nested in this one: their `break` ends that loop
    for node in own_nodes(loop):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            inner.update(id(n) for n in ast.walk(node) if n is not node)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)) \
                and isinstance(node.target, ast.Name):
            stepped.add(node.target.id)
        elif isinstance(node, ast.If) and any(isinstance(b, (ast.Break, ast.Return)) for b in node.body):
            tests.append(node)
    exits = [t.test for t in tests if id(t) not in inner]
    # an ordering against a limit (`>=`, `>`, `<=`, `<`), not `if pages == 0: return None`
    return any(isinstance(sub, ast.Compare) and isinstance(sub.ops[0], (ast.Gt, ast.GtE, ast.Lt, ast.LtE))
               and any(isinstance(n, ast.Name) and n.id in stepped
                       for n in [sub.left, *sub.comparators])
               for test in exits for sub in ast.walk(test))



def _counted(ctx: SiteContext) -> Optional[str]:
    c, ev = ctx.container, ctx.event
    if not c.is_local or not ev.loops or not all(counted_exit(loop) for loop in ev.loops):
        return None
    return "the loop ends when a counter it steps reaches a limit: the local holds what a " \
           "bounded number of iterations add"


def _loop_can_end(ctx: SiteContext) -> Optional[str]:
    if not ctx.container.is_local or not _loops_end(ctx):
        return None
    return "the long-running loop has a break or return of its own: it can end"


LOOP_RESULT = Heuristic[SiteContext](
    name="loop-result",
    tier=Confidence.LOW,
    doc="A local grown in loops that all can end (a `break` or `return` of their own) on what "
        "the loop computes — no `await`, no `yield`, no call named like a read (`readline`, "
        "`recv`, `get`, `poll`, `fetchone`, `input`...) — and read or returned after the loop "
        "is a result: encoding until no flags are left. A loop that waits on outside input (a feed until its end, a queue "
        "until a sentinel, a stop flag) may never end: its local keeps the default level even "
        "when it is read after the loop (contract v3).",
    predicate=_computed_result,
    fires=("def encode(flags):\n    pieces = []\n    while True:\n"
           "        pieces.append(flags & 0xFF)\n        flags >>= 8\n        if not flags:\n"
           "            break\n    return pieces\n",),
    quiet=("def lines(f):\n    out = []\n    while True:\n        line = f.readline()\n"
           "        if not line:\n            break\n        out.append(line)\n    return out\n",),
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

COUNTED_LOOP = Heuristic[SiteContext](
    name="counted-loop",
    tier=Confidence.LOW,
    doc="A local grown in a `while True` loop that leaves when a counter the loop steps "
        "reaches a limit (`steps += len(batch)` ... `if steps >= n_step: break`): the loop runs "
        "a counted number of times, so its exit does not wait on outside input (contract v3's "
        "ruling names the end of a feed, a sentinel and a stop flag), and the local holds what "
        "that many iterations add. A loop that leaves on a sentinel, an empty read or a stop "
        "flag keeps the default level.",
    predicate=_counted,
    fires=("def collect(env, n_step):\n    steps, rewards = 0, []\n    while True:\n"
           "        reward = env.step()\n        rewards.append(reward)\n        steps += 1\n"
           "        if steps >= n_step:\n            break\n    return rewards\n",),
    quiet=("def lines(f):\n    out, n = [], 0\n    while True:\n        line = f.readline()\n"
           "        n += 1\n        if not line:\n            break\n        out.append(line)\n"
           "    return out, n\n",),
)
