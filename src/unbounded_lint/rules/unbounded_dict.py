"""## What it does
Flags a dict or set that outlives the call that grows it (instance or class attribute, module
global, local in a long-running loop) and gains keys — `x[k] = v`, `setdefault`, `update`,
`|=`, `add`, `x[k] += 1` on a `Counter` or `defaultdict`, also one level down in a dict of
dicts or sets — with no eviction anywhere in its owner scope. On a `defaultdict` whose values
are not containers, a lookup inserts the key: `v = d[k]`, `d[k].attr = v` and `d[k].add(v)`
(a `defaultdict(Lock)`, a `defaultdict(WeakSet)`, a `defaultdict(Record)`) are growth too,
reported without a fix (evicting an entry the caller still holds would change behaviour).

## Why is this bad?
A cache, an index or a "seen" set keyed by request ids, timestamps or user ids never forgets a
key: it holds one entry per distinct key ever seen, for the life of the process.

Keys that are all literal constants (`x["status"] = ...`, `x[Color.RED] = ...`, `x.add("ready")`)
are a fixed key space and are not growth. Keys bound by a `for` over a fixed domain — a
literal tuple, list or set of constants, `range(...)` (the same integers on every call), an
enum class of the module, a module constant holding literals (`QUEUES = ("a", "b")`), also
through `list()`, `tuple()`, `sorted()`, `reversed()` — alone or in a tuple key
(`for c in Color: self.by_color[c] = 0`) are `low` (heuristic `fixed-key`). Eviction is any of: `pop`, `popitem`, `del x[k]`,
`clear`, a size check `len(x) >= n`, a reset to a fresh dict in a method other than the
constructor, `discard`/`remove` for sets — except when it runs only at the owner's teardown
(`close()`, `shutdown()`, `connectionClosed()`, a `reset()` called only from the constructor and
such methods; see UBL001). A removal inside a callback lambda counts, also through a
default-argument alias (`fut.add_done_callback(lambda f, w=self.waiters: w.remove(f))`).
Weak containers (`WeakValueDictionary`,
`WeakKeyDictionary`, `WeakSet`) are never flagged.

With the project index (see UBL001 and `--no-project-index`): a dict or set made by a project
`dict`/`set` subclass or by a project function that returns a fresh one is checked
(`index-project-container`); an enum class or a literal constant collection imported from
another module of the project is a fixed domain (`for k in KINDS:` with `KINDS` defined in
`consts.py`; `index-fixed-key-domain`); a removal or reset from another module through a
back-reference bounds the dict (`index-bounded-elsewhere`); and growth on an attribute of a class
the project builds only per call is `low` (`index-transient-owner`).

Confidence: as for UBL001 (short-lived owners, registration, set-up, constructor-called and
start methods are `low`), and also `low`:

- when the key is named after a domain the deployment fixes rather than traffic — a partition
  or topic (`tp`, `tp.topic`, `partition`), a thread of a pool (`thread_id`,
  `threading.get_ident()`), a status code, a datacenter (`dc_id`), a class (`type(x)`,
  `x.__class__`, `cls`), a signal, table, field, column, metric, setting, option, level, kind
  or category — or after a name the program or its configuration chose (`queue_name`,
  `bp.name`, `metric_name`; not `user_name`, `file_name`, `host_name`, `nick_name` and other
  names that come from outside): such keys take a handful of values;
- for a set or dict that remembers what was already warned about or logged — its name or the
  method that fills it says so (`self._warned`, `_global_warnings[msg] = ...`,
  `_log_error_once`, `deprecation`, `reported`): it holds one key per distinct message the
  code can emit. (A *list* of warnings keeps every occurrence and stays reported.)

## Example
```python
class PriceCache:
    def __init__(self):
        self.cache = {}

    def get(self, symbol):
        if symbol not in self.cache:
            self.cache[symbol] = fetch(symbol)
        return self.cache[symbol]
```

## Use instead
```python
    def get(self, symbol):
        if symbol not in self.cache:
            self.cache[symbol] = fetch(symbol)
            if len(self.cache) > 1000:
                self.cache.pop(next(iter(self.cache)))
        return self.cache[symbol]
```

## Fix safety
Unsafe: `if len(x) > N: x.pop(next(iter(x)))` after each insert evicts the oldest key (dicts
keep insertion order), so a wrong finding loses entries the program still reads: a table of
file modification times then sees every file as new, an in-memory user table forgets users.
Nothing changes while the dict holds fewer than N keys; after `update`/`|=` the eviction is a
`while` loop. Plain `--fix` applies an unsafe fix only to a `high` finding
(`fix-level = "high"`, the default), or to one runtime evidence saw grow (`fix-level = "evidence"`); `--fix-level all` or
`--unsafe-fixes` applies it to every finding, `--fix-level safe` to none. Sets get no fix (a
set has no order to evict by), nor do nested dicts.

## Options
`max-length` (default 1000): the `N` of the fix.
"""

from __future__ import annotations

from typing import Iterator

from ..analysis.facts import ModuleFacts
from ..analysis.model import Event
from ..fix.plan import make_fix, plan_evict
from ..types import Applicability, Confidence, Settings
from .base import Invalid, Report, Valid
from .unbounded_list import _short

CODE = "UBL002"
VERSION = 8
NAME = "unbounded-dict"
# Words one of which every finding of this rule needs in the file (the engine skips files
# that have none of any rule's words).
TRIGGERS = (b"] =", b"]=", b".setdefault", b".update", b"|=", b".add", b"+=")
SUMMARY = "A long-lived dict or set gains keys without eviction"
DICT_GROWTH = frozenset({"setitem", "setdefault", "update", "|="})
SET_GROWTH = frozenset({"add", "update", "|="})

INVALID = (
    Invalid(
        'class Cache:\n'
        '    def __init__(self):\n'
        '        self.data = {}\n'
        '\n'
        '    def put(self, k, v):\n'
        '        self.data[k] = v\n',
        confidence=Confidence.MEDIUM,
        fixed=(
            'class Cache:\n'
            '    def __init__(self):\n'
            '        self.data = {}\n'
            '\n'
            '    def put(self, k, v):\n'
            '        self.data[k] = v\n'
            '        if len(self.data) > 1000:\n'
            '            self.data.pop(next(iter(self.data)))\n'
        ),
    ),
    Invalid(
        'SEEN = set()\n'
        '\n'
        'def handle(msg):\n'
        '    SEEN.add(msg.id)\n',
        confidence=Confidence.MEDIUM,
        fixed=None,  # no fix is offered
    ),
)
VALID = (
    Valid(
        'class State:\n'
        '    def __init__(self):\n'
        '        self.status = {}\n'
        '\n'
        '    def update(self):\n'
        "        self.status['ok'] = True\n",
    ),
    Valid(
        'class Cache:\n'
        '    def __init__(self):\n'
        '        self.data = {}\n'
        '\n'
        '    def put(self, k, v):\n'
        '        self.data[k] = v\n'
        '        if len(self.data) > 100:\n'
        '            self.data.pop(next(iter(self.data)))\n',
    ),
)


ELEM_CONTAINERS = frozenset({"list", "dict", "set", "deque", "bounded"})


def _is_growth(kind: str, subtype: str, op: str, const: bool) -> bool:
    if const:
        return False
    if op == "getitem":
        return subtype == "defaultdict"
    if kind == "set":
        return op in SET_GROWTH
    if op == "augitem":
        return subtype in ("counter", "defaultdict")
    return op in DICT_GROWTH


def _const_path(ev: Event) -> bool:
    """The element path ``d["literal"].x`` names a fixed key."""
    return ev.text not in ("", "*")


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    n = settings.max_length
    for c in facts.containers.values():
        ctype = c.ctype
        if ctype.kind not in ("dict", "set"):
            continue
        sites = []
        for ev in facts.growths(c):
            if ev.depth == 0 and _is_growth(ctype.kind, ctype.subtype, ev.op, ev.const):
                if ev.op != "getitem" or ctype.elem not in ELEM_CONTAINERS:
                    sites.append(ev)
            elif ev.depth == 1 and ctype.subtype == "defaultdict" and ctype.elem not in ELEM_CONTAINERS \
                    and not _const_path(ev):
                # d[k].add(v) on a defaultdict of other objects: the lookup inserts k
                sites.append(ev)
            elif ev.depth == 1 and ctype.kind == "dict" and ctype.elem in ("dict", "set") \
                    and _is_growth(ctype.elem, "", ev.op, ev.const) and not facts.element_bounded(c, ev):
                sites.append(ev)
        if not sites or facts.bound_reason(c) is not None:
            continue
        owner = facts.owner_text(c)
        noun = "set" if ctype.kind == "set" else "dict"
        for ev in sites:
            text = facts.receiver_text(ev) or c.name
            fix = None
            if ctype.kind == "dict" and ev.depth == 0 and ev.op != "getitem":
                # Unsafe: an evicted key is gone (a cache recomputes it, an index forgets it).
                fix = make_fix(f"evict the oldest key beyond {n}", plan_evict(facts, ev, n), Applicability.UNSAFE)
            hint = fix.description if fix else "evict entries or use a bounded cache"
            op = "x[k] = v" if ev.op == "setitem" else "x[k] += ..." if ev.op == "augitem" \
                else "x[k] on a defaultdict" if ev.op == "getitem" or ev.depth else ev.op
            verdict = facts.verdict(c, ev)
            yield Report(ev.node, f"{noun} '{_short(text)}' gains keys without eviction ({op}); {hint}",
                         owner, verdict.confidence, fix, verdict.heuristics, verdict.because)
