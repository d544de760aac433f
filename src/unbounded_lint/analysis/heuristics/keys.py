"""Heuristics on what a dict or set is keyed by: the program's own parts, not its traffic."""

from __future__ import annotations

import ast
from typing import FrozenSet, Optional

from ...types import Confidence
from ..model import Event
from ..words import has_word, name_words
from .base import Heuristic, SiteContext

# ("receiver" and "registered" are left out: a dict of stream receivers or of registered
# connections is keyed by traffic as often as by code.)
# Collections a program fills with its own code objects — handlers, routes, plugins — hold as
# many entries as the program registers, which is finite by construction. Matched against the
# words of the container's name (``_event_handlers`` -> event, handlers), singular or plural.
REGISTRY_WORDS = frozenset({
    "handler", "listener", "middleware", "route", "hook", "plugin", "subscriber",
    "observer", "converter", "extension", "blueprint", "actor", "codec", "serializer",
    "provider", "provisioner", "registry", "namespace", "callback", "factory", "factories",
    "validator", "scene", "processor", "interceptor", "backend", "adapter",
})
# Keys named after a domain the deployment fixes — partitions and topics, threads of a pool,
# status codes, datacenters, classes, and the names the program or its configuration gives to
# its own parts (signals, tables, fields, metrics, settings, levels) — range over a handful of
# values, not over traffic.
FIXED_KEY_WORDS = frozenset({"tp", "tps", "topic", "topics", "partition", "partitions", "thread",
                             "ident", "status", "dc", "cls", "klass", "class", "type",
                             "signal", "table", "field", "column", "metric", "setting",
                             "option", "level", "kind", "category"})
# ``queue_name``, ``bp.name``, ``metric_name``: a name the code or its configuration chose. Not
# names that come from outside: ``user_name``, ``file_name``, ``host_name``, ``nick_name``.
OUTSIDE_NAME_WORDS = frozenset({"user", "file", "host", "nick", "display", "full", "path",
                                "domain", "remote", "peer", "client", "sender", "author"})
# A set that remembers what was already warned about or logged (``self._warned``,
# ``_log_error_once``) holds one entry per distinct message the code can emit.
ONCE_WORDS = frozenset({"once", "warn", "warned", "warning", "warnings", "deprecated",
                        "deprecation", "logged", "reported", "notified"})


# Words of keys that come from runtime data — ids, message or request keys, hashes, URLs,
# timestamps, tokens, addresses: a set or dict keyed by them grows with the traffic whatever it
# is called (the dedup set of message ids is the classic leak, contract v3).
RUNTIME_KEY_WORDS = frozenset({"id", "ids", "uid", "uuid", "guid", "hash", "digest",
                               "sha", "url", "uri", "href", "timestamp", "ts", "time", "token",
                               "nonce", "seq", "offset", "ip", "addr", "address", "session",
                               "sid", "request", "req", "msgid"})


def runtime_key(ev: Event) -> bool:
    """The inserted key is named like runtime data (``msg.id``, ``request_key``, ``url``)."""
    key = key_node(ev)
    if key is None:
        return False
    for node in ast.walk(key):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
        if RUNTIME_KEY_WORDS.intersection(name_words(name)):
            return True
    return False


def key_node(ev: Event) -> Optional[ast.AST]:
    """The key (or set member) a growth event inserts, when it is one expression."""
    node = ev.node
    if ev.op in ("setitem", "augitem", "getitem") and isinstance(node, ast.Subscript):
        return node.slice
    if isinstance(node, ast.Call) and ev.op in ("setdefault", "add") and node.args:
        return node.args[0]
    if isinstance(node, ast.Call) and ev.op == "update" and len(node.args) == 1 \
            and isinstance(node.args[0], ast.DictComp):
        return node.args[0].key
    return None


def named_fixed_domain(key: ast.AST, extra_words: FrozenSet[str] = frozenset()) -> bool:
    """A key named like a partition, topic, thread, status code, datacenter or class (or one
    of ``extra_words``, the project's own from ``extend-fixed-key-words``)."""
    if isinstance(key, ast.Call):
        func = key.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name == "type" or name.endswith("get_ident")
    if isinstance(key, ast.Attribute):
        if key.attr == "__class__":
            return True
        name = key.attr
    elif isinstance(key, ast.Name):
        name = key.id
    else:
        return False
    words = name_words(name)
    if words and words[-1] == "name" and not OUTSIDE_NAME_WORDS.intersection(words[:-1]):
        return True
    return any(w in FIXED_KEY_WORDS or w in extra_words for w in words)


def _registry(ctx: SiteContext) -> Optional[str]:
    if ctx.container.is_local or not has_word(ctx.container.name, REGISTRY_WORDS) \
            or runtime_key(ctx.event):
        return None
    return "a registry of the program's own handlers, routes or plugins"


def _warn_once(ctx: SiteContext) -> Optional[str]:
    c, ev = ctx.container, ctx.event
    if c.is_local or c.ctype.kind not in ("set", "dict"):
        return None
    words = set(name_words(c.name))
    if ev.func is not None:
        words.update(name_words(ev.func.name))
    if not words & ONCE_WORDS or runtime_key(ev):
        return None
    return "remembers what was warned about: one key per distinct message the code emits"


def _fixed_key(ctx: SiteContext) -> Optional[str]:
    c, ev = ctx.container, ctx.event
    if ev.loop_key:
        return "keyed by a loop over a fixed domain (a literal tuple, range(), an enum)"
    if c.is_local or c.ctype.kind not in ("dict", "set") or ev.depth != 0:
        return None
    key = key_node(ev)
    if key is None or not named_fixed_domain(key, ctx.facts.extra_fixed_key_words):
        return None
    return "keyed by a fixed domain (partition, topic, thread, status, class...)"


REGISTRY_NAME = Heuristic[SiteContext](
    name="registry-name",
    tier=Confidence.LOW,
    doc="The container is named for the program's own code objects (`handlers`, `routes`, "
        "`plugins`, `listeners`, `middleware`, `hooks`, `callbacks`, `factories`...): it holds "
        "as many entries as the program registers, which is finite by construction. Not when "
        "the key is runtime data (`self.callbacks[request_id] = cb`): that is per-request "
        "state.",
    predicate=_registry,
    fires=("class Bus:\n    def __init__(self):\n        self.handlers = []\n\n"
           "    def on(self, h):\n        self.handlers.append(h)\n",),
    quiet=("class Bus:\n    def __init__(self):\n        self.messages = []\n\n"
           "    def send(self, m):\n        self.messages.append(m)\n",),
)

WARN_ONCE = Heuristic[SiteContext](
    name="warn-once",
    tier=Confidence.LOW,
    doc="A set or dict that remembers what was already warned about or logged, by its name or "
        "the method that fills it (`self._warned`, `_log_error_once`, `deprecation`, "
        "`reported`): one key per distinct message the code can emit. A *list* of warnings "
        "keeps every occurrence and stays reported, and so does a set keyed by runtime data "
        "(`msg.id`, a request key, a hash, a URL, a timestamp): a \"seen before?\" set of "
        "message ids is growth whatever it is called (contract v3).",
    predicate=_warn_once,
    fires=("class Log:\n    def __init__(self):\n        self._warned = set()\n\n"
           "    def warn(self, msg):\n        self._warned.add(msg)\n",),
    quiet=("class Log:\n    def __init__(self):\n        self._seen = set()\n\n"
           "    def handle(self, msg):\n        self._seen.add(msg.id)\n",),
)

FIXED_KEY = Heuristic[SiteContext](
    name="fixed-key",
    tier=Confidence.LOW,
    doc="The key takes a handful of values fixed by the code or the deployment, not by traffic. "
        "Either it is bound by a `for` over a fixed domain (a literal tuple, list or set of "
        "constants, `range(...)`, an enum class of the module, a module constant of literals, "
        "also through `list()`, `sorted()`...: `for c in Color: self.by_color[c] = 0`), or it "
        "is named after a domain the deployment fixes: a partition "
        "or topic (`tp`, `partition`), a thread (`thread_id`, `threading.get_ident()`), a status "
        "code, a datacenter, a class (`type(x)`, `x.__class__`, `cls`), a signal, table, field, "
        "column, metric, setting, option, level, kind or category, or a name the program or "
        "its configuration chose (`queue_name`, `metric_name`; not `user_name`, `file_name`, "
        "`host_name` and other names from outside).",
    predicate=_fixed_key,
    fires=("class Stats:\n    def __init__(self):\n        self.by_topic = {}\n\n"
           "    def on(self, topic, n):\n        self.by_topic[topic] = n\n",),
    quiet=("class Stats:\n    def __init__(self):\n        self.by_user = {}\n\n"
           "    def on(self, user_id, n):\n        self.by_user[user_id] = n\n",),
)
