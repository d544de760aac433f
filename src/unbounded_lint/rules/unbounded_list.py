"""## What it does
Flags a list that outlives the call that grows it — an instance attribute, a class attribute, a
module global, or a local grown inside a long-running loop — and that grows (`append`,
`extend`, `insert`, `+=`, `x = x + [...]`, also through a subscript path such as
`self.hist["loss"].append(v)` on a dict of lists or a `defaultdict(list)`) with nothing in its
owner scope that bounds it. An instance of a class of the same module that subclasses `list`
(`class BarList(list[Bar])`) and overrides none of the methods that add or remove items is a
list too.

## Why is this bad?
A training loop, a bot or a dashboard that appends to a history on every tick keeps every item
for the life of the process. Memory creeps up for days until the process is killed.

Anything below, anywhere in the owner (every method of the class and of its subclasses in the
module, or the whole module for a global), counts as a bound: `deque(maxlen=...)`, a size check
`len(x) > n`, a removal (`pop`, `remove`, `clear`, `del x[...]`, `x[:] = ...`), a trim
`x = x[-n:]`, a swap `batch, self.x = self.x, []`, a reset to a fresh container in a method
other than the constructor, a removal method handed on as a callback.

Except at teardown: a removal, `clear()` or reset that runs only in the owner's own teardown —
a method named like `close()`, `stop()`, `shutdown()`, `teardown()`, `__exit__`, `__del__`
that takes no required argument (so not `disconnect(sid)`, which ends one item of many), or a
helper such as `reset()` called only from constructors and such methods — does not bound the
container while the owner works, and is not counted. A reset that runs in steady state does
(contract v3): per flush, per episode, per batch, and on reconnect or disconnect
(`on_disconnect()`), since a connection that drops is made again. So does one in a callback that
says a link of the owner dropped (`connectionClosed()`, `_on_socket_closed()`, `ws_closed()`:
a name with `connection`, `conn`, `socket`, `websocket`, `ws`, `transport`, `link` or `stream`
in it), unless the owner is that link itself (`Connection.connection_closed()` ends its owner). Creations in init hooks
(`plugin_init()`, `_init_state()`, `setup()`), in a helper the constructor calls, and in an
argument-free start method (`start()`, `startup()`) or a private helper only it calls are
construction, not resets: they run once per start.
A public method that only teardown calls inside the class (`remove_handler()` called from
`close()`) is API that outside code calls while the owner works: its removals count.

Not flagged: growth only in constructors (`__init__`, `__post_init__`, `__setstate__`, `setUp`,
`__enter__`, and private helpers only constructors call — with the project index, the
constructors of the whole class hierarchy, so a base class's `_create_optimizer()` that only
the subclasses' `__init__` call in other modules is construction; a helper the constructor
hands on as a callback, `bus.on("start", self._on_start)`, runs later, so a fresh list there is
a reset); growth at definition time
(`__init_subclass__`, `__set_name__`, metaclass methods, registration decorators that return
the function they were given); lists whose creation is not visible in the owner (passed in,
made by a base class in another module).

With the project index (the default for a CLI run; see `--no-project-index`), what other
modules of the project say counts too:

- a list created by calling a `list` subclass (that overrides no method that adds or removes
  items) or a function returning a fresh list, defined in another module, is a list
  (`index-project-container`);
- a list emptied, trimmed or reset from another module through a back-reference
  (`self.site.sessions.pop(sid)`, `state.buf = []`), in a module that imports the owner's
  module or is imported by it, is bounded (`index-bounded-elsewhere`);
- growth on an attribute of a class the project only ever builds per call — a local of a
  request handler, an instance collected into a local container, an operator's result, or one
  held by such an object — is `low` (`index-transient-owner`; the finding names the heuristic
  and says why). A class built at module level, by an entry point (`main()`, a local that is
  `run()`), or stored on a long-lived owner keeps its confidence, and the finding says why its
  owner is long-lived; a class the project never builds, returns from a public method or hands
  to other code is left as it is.

Confidence: `low` (hidden at the default `--min-confidence medium`) when the owner looks
short-lived or the growth follows the program's set-up rather than its traffic:

- a short-lived owner: a class named like a visitor, builder, parser, serializer..., or for one
  interaction (`...Result`, `...Request`, `...Response`, `...Batch`, `...Assignment`,
  `...Conversation`, `...Config`, `...Workflow`, `...Attempt`; a trailing `Py`, `Impl` or
  `Base` is ignored, so `RecordBuilderPy` is a builder), a test harness such as
  `AgentTestWrapper`, a subclass of `ast.NodeVisitor` or `unittest.TestCase`, or a list the
  class returns to its caller (a fluent method that returns `self` is not lowered any more: on
  the validation half of the labelled corpus that heuristic hid a finding that should be shown);
- registration: inside a decorator that returns what it decorates, or a wrapper it defines
  (`def decorator(fn): self.x.append(...); return fn`); in a method that stores the wrapper it
  defines and returns (`def _task(self, fn): ... self.tasks.append(_wrapped); return _wrapped`,
  what `@app.task` calls); or in a module function the module itself calls at import time;
- set-up: in a method named for set-up (`register_*`, `setup`, `configure`, `add_route`...); in a
  method the constructor calls (`def __init__(self, ips): for ip in ips: self.allow(ip)` —
  the class configures itself with it, so its growth follows the configuration); in a start
  method that takes no arguments (`start()`, `startup()`); or in a method that only these call
  (`allow()` calling `allow_ip()`). A method handed on as a callback (`self.timer.connect(self._on_tick)`) runs once per event and keeps
  its confidence, whoever hands it on; so does growth inside a long-running loop.
- a module global grown in the constructor of a class the module instantiates only at import
  (`exp = _UnaryOperation(umath.exp)` registering into a module table);
- anything in a test file (`test_*.py`, `*_test.py`, `conftest.py`), for every rule: a test
  process is short-lived;
- a loop local that is a result (`loop-result`): grown in loops that can all end (`break`,
  `return`) on what they compute, with no outside input (no `await`, no `yield`, no call named
  like a read: `readline`, `recv`, `get`, `poll`, `fetchone`, `input`...), and read after them
  (encoding until no flags are left);
- a loop local of a counted loop (`counted-loop`): every long-running loop around the growth
  leaves (`break`, `return`) when a counter it steps (`steps += 1`, `left -= len(batch)`)
  passes a limit (`if steps >= n_step: break`), so it runs a counted number of times whatever
  it reads meanwhile.
  A loop that waits on outside input — a feed until its end, a queue until a sentinel, a stop
  flag — may never end: its local keeps the default level even when it is returned or read
  after the loop (contract v3).

Every heuristic is named in the finding (`heuristics`) and can be switched off with
`disable-heuristics`; see [Heuristics](#heuristics).

`high` when the list grows inside the owner's long-running loop or in a method that loop calls
through `self` (directly or through other methods: `while self.running: self.on_tick(t)`), or
the list is a module global grown in a loop or a loop local; growth in another method of a
class that runs a loop (a registration API user code calls) is the default level
(`medium` for a loop local when the loop has a `break` or `return` of its own: it can end, and
the list may be a result).

A loop `while self.x:` whose body takes items out of `self.x` (`pop`, `popleft`, `get`...) is a
drain that ends when `self.x` is empty, not a long-running loop: a local filled inside it lives
for one call and is not flagged. Nor is `while not self.eof:` when the class defines `eof` as a
method or property: the stop flag of the contract is state another method sets, while a
property is a condition computed from the object (a parser at the end of its input).

Not flagged: dunder names such as `__all__` (the module protocol, filled at import).

## Example
```python
class Trainer:
    def __init__(self):
        self.losses = []

    def step(self, loss):
        self.losses.append(loss)
```

## Use instead
```python
from collections import deque

class Trainer:
    def __init__(self):
        self.losses = deque(maxlen=1000)

    def step(self, loss):
        self.losses.append(loss)
```

## Fix safety
Unsafe: both fixes drop the oldest items once the list holds `max-length` of them, which
loses data the program may still need when the finding is wrong (a per-call buffer of byte
parts, pending callbacks, open sockets). Nothing changes while the list holds fewer than N
items. Plain `--fix` applies an unsafe fix only to a `high` finding (`fix-level = "high"`, the
default), or to one runtime evidence saw grow (`fix-level = "evidence"`); `--fix-level all` or
`--unsafe-fixes` applies it to every finding, `--fix-level safe` to none.

A private list (a local, or a name starting with `_`) becomes `deque(maxlen=N)` when every use
in the owner scope works on a deque (append, extend, pop, popleft, clear, len, iteration, `in`,
integer indexing, `reversed`, `list()`, `sum()`, `min()`, `max()`, `sorted()`, `any()`,
`all()`). A public list keeps its type, since other modules may use it as a list, and so does
a list whose creation carries the user's annotation (which would have to change with it):
`if len(x) > N: del x[:-N]` is inserted after each growth statement instead (`del x[N:]` for
`insert(0, v)`, so the newest items survive), as it is when some use needs a list (slicing,
`+`/`+=` with a list, `sort()`, `insert`, `==` with a list, handing it to other code). A
growth inside a lambda, a comprehension or a compound statement's header gets no fix.

## Options
`max-length` (default 1000): the `N` of the fix.
"""

from __future__ import annotations

from typing import Iterator

from ..analysis.facts import ModuleFacts
from ..fix.plan import is_public, make_fix, plan_deque, plan_trim
from ..types import Applicability, Confidence, Settings
from .base import Invalid, Report, Valid

CODE = "UBL001"
VERSION = 10
NAME = "unbounded-list"
# Words one of which every finding of this rule needs in the file (the engine skips files
# that have none of any rule's words).
TRIGGERS = (b".append", b".extend", b".insert", b"+=", b"+ [", b"+[", b"+ list", b"+list")
SUMMARY = "A long-lived list grows without bound"
LIST_GROWTH = frozenset({"append", "extend", "insert", "+=", "x = x + ..."})

INVALID = (
    Invalid(
        'class Bot:\n'
        '    def __init__(self):\n'
        '        self.history = []\n'
        '\n'
        '    def on_tick(self, price):\n'
        '        self.history.append(price)\n',
        confidence=Confidence.MEDIUM,
        fixed=(
            'class Bot:\n'
            '    def __init__(self):\n'
            '        self.history = []\n'
            '\n'
            '    def on_tick(self, price):\n'
            '        self.history.append(price)\n'
            '        if len(self.history) > 1000:\n'
            '            del self.history[:-1000]\n'
        ),
    ),
    Invalid(
        'PRICES = []\n'
        '\n'
        'def record(p):\n'
        '    PRICES.append(p)\n',
        confidence=Confidence.MEDIUM,
        fixed=(
            'PRICES = []\n'
            '\n'
            'def record(p):\n'
            '    PRICES.append(p)\n'
            '    if len(PRICES) > 1000:\n'
            '        del PRICES[:-1000]\n'
        ),
    ),
    Invalid(
        'def run(feed):\n'
        '    seen = []\n'
        '    while True:\n'
        '        seen.append(feed.read())\n',
        confidence=Confidence.HIGH,
        fixed=(
            'from collections import deque\n'
            '\n'
            '\n'
            'def run(feed):\n'
            '    seen = deque(maxlen=1000)\n'
            '    while True:\n'
            '        seen.append(feed.read())\n'
        ),
    ),
)
VALID = (
    Valid(
        'class Bot:\n'
        '    def __init__(self):\n'
        '        self.history = []\n'
        '\n'
        '    def on_tick(self, price):\n'
        '        self.history.append(price)\n'
        '        if len(self.history) > 100:\n'
        '            self.history.pop(0)\n',
    ),
    Valid(
        'class Bot:\n'
        '    def __init__(self, seed):\n'
        '        self.history = []\n'
        '        for s in seed:\n'
        '            self.history.append(s)\n',
    ),
    Valid(
        'class Bot:\n'
        '    def __init__(self):\n'
        '        self.batch = []\n'
        '\n'
        '    def add(self, x):\n'
        '        self.batch.append(x)\n'
        '\n'
        '    def flush(self):\n'
        '        self.batch = []\n',
    ),
)


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    n = settings.max_length
    for c in facts.containers.values():
        kind = c.ctype.kind
        if kind == "list":
            depth = 0
        elif kind == "dict" and c.ctype.elem in ("list", "deque"):
            depth = 1
        else:
            continue
        sites = [ev for ev in facts.growths(c) if ev.op in LIST_GROWTH and ev.depth == depth]
        if depth:
            sites = [ev for ev in sites if not facts.element_bounded(c, ev)]
        if not sites or facts.bound_reason(c) is not None:
            continue
        # A public list keeps its type: other modules may use it as a list.
        deque_plan = plan_deque(facts, c, n) if depth == 0 and not is_public(c) else None
        owner = facts.owner_text(c)
        for ev in sites:
            text = facts.receiver_text(ev) or facts.segment(ev.node) or c.name
            # Both fixes drop the oldest items beyond N: unsafe.
            if deque_plan is not None:
                fix = make_fix(f"use deque(maxlen={n})", deque_plan.edits, Applicability.UNSAFE)
            elif c.ctype.elem == "deque" and depth:
                fix = None
            else:
                fix = make_fix(f"trim to the last {n} items after each growth", plan_trim(facts, ev, n),
                               Applicability.UNSAFE)
            hint = fix.description if fix else "bound it with deque(maxlen=...) or a size check"
            verdict = facts.verdict(c, ev)
            yield Report(ev.node, f"'{_short(text)}' grows without bound ({ev.op}); {hint}",
                         owner, verdict.confidence, fix, verdict.heuristics, verdict.because)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
