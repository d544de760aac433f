"""Per-container facts shared by the rules and the fixer.

``analyse_module(tree, source)`` walks the module once and groups the events by container:
its owner, creations, growth sites, bounds and (lazily, only when a fix needs them) every use.
The questions the rules ask — does this growth outlive its call, is the container bounded
anywhere in its owner scope, how sure are we, how can it be fixed — are answered here, once.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from ..types import Confidence, Settings
from .model import ClassInfo, Container, CType, Event, FuncInfo
from .walker import Walker

# Which method references bound a container of each kind (called, or handed on as a callback).
REMOVALS_BY_KIND = {
    "list": frozenset({"pop", "remove", "clear"}),
    "dict": frozenset({"pop", "popitem", "clear"}),
    "set": frozenset({"pop", "remove", "discard", "clear", "difference_update",
                      "intersection_update", "symmetric_difference_update"}),
    # For deques and queues, taking items out (get, popleft, pop) is consumption, which decides
    # between UBL003 and UBL007; only clearing or an explicit size check bounds them.
    "deque": frozenset({"clear", "remove"}),
    "queue": frozenset({"clear"}),
}
CONSUMERS = frozenset({"get", "get_nowait", "pop", "popleft"})

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
# Methods that run while a program sets itself up, not once per event.
SETUP_PREFIXES = ("register", "unregister", "setup", "set_up", "configure", "install", "include",
                  "mount", "attach", "declare", "init", "initialize", "load", "build", "compile",
                  "bind", "use", "add_route", "add_handler", "add_listener", "add_middleware",
                  "add_hook", "add_plugin", "add_command", "add_view", "add_signal", "add_exception")
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
# Methods that start the owner (and take no argument of their own): what they add is set up
# once per start, not once per event.
START_METHODS = frozenset({"start", "startup", "start_up", "on_startup", "astart", "async_start"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


@lru_cache(maxsize=8192)
def name_words(name: str) -> List[str]:
    """``_eventHandlers`` -> ["event", "handlers"] (cached: do not mutate the result)."""
    return [w.lower() for w in _WORD.findall(name)]


def is_registry_name(name: str) -> bool:
    for word in name_words(name):
        if word in REGISTRY_WORDS or (word.endswith("s") and word[:-1] in REGISTRY_WORDS) \
                or (word.endswith("ies") and word[:-3] + "y" in REGISTRY_WORDS):
            return True
    return False


def _key_node(ev: Event) -> Optional[ast.AST]:
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


def fixed_key_domain(ev: Event, extra_words: FrozenSet[str] = frozenset()) -> bool:
    """A key named like a partition, topic, thread, status code, datacenter or class (or one
    of ``extra_words``, the project's own from ``extend-fixed-key-words``)."""
    key = _key_node(ev)
    if key is None:
        return False
    if isinstance(key, ast.Call):
        func = key.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "type" or name.endswith("get_ident"):
            return True
        return False
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


TEARDOWN_WORDS = frozenset({"close", "closed", "shutdown", "stop", "stopped", "disconnect",
                            "disconnected", "teardown", "terminate", "dispose", "destroy"})


def is_teardown_method(name: str, extra_names: FrozenSet[str] = frozenset()) -> bool:
    """Methods that run when the owner is finished with: emptying a container there does not
    bound it while the owner works. ``extra_names``: the project's own (``extend-teardown-methods``)."""
    if name in ("__exit__", "__aexit__", "__del__") or name in extra_names:
        return True
    words = name_words(name)
    # close(), on_close(), connectionClosed(), _handle_disconnect(); not _close_stream(),
    # which closes one item rather than the owner
    return bool(words) and (words[-1] in TEARDOWN_WORDS or words[-2:] == ["tear", "down"])


def _no_required_args(func: FuncInfo) -> bool:
    args = getattr(func.node, "args", None)
    if args is None:
        return False
    positional = args.posonlyargs + args.args
    required = len(positional) - len(args.defaults)
    return required <= 1 and all(d is not None for d in args.kw_defaults)


def is_init_hook(name: str) -> bool:
    """``plugin_init``, ``_init_state``, ``setup``: a hook that builds the owner's state once."""
    words = name_words(name)
    return "init" in words or "initialize" in words or words[:1] == ["setup"] \
        or words[:2] == ["set", "up"]


def is_setup_method(name: str) -> bool:
    if name.startswith("__"):
        return False
    return name.lstrip("_").lower().startswith(SETUP_PREFIXES) or name in ("on",)


def _callers(methods: Dict[str, FuncInfo]) -> Dict[str, Set[str]]:
    """For each method of a class, the other methods that call it through ``self``."""
    by: Dict[str, Set[str]] = {name: set() for name in methods}
    for caller, func in methods.items():
        for name in func.self_calls:
            if name in by and name != caller:
                by[name].add(caller)
    return by


class ModuleFacts:
    """Everything the rules need to know about one module."""

    def __init__(self, tree: ast.Module, lines: List[str], settings: Optional[Settings] = None) -> None:
        # The one spot that reads the project's extra words from the settings.
        self.extra_fixed_key_words = settings.fixed_key_words if settings else frozenset()
        self.extra_teardown_methods = settings.teardown_methods if settings else frozenset()
        self.tree = tree
        self.lines = lines
        walker = Walker(tree).run()
        self.walker = walker
        self.names = walker.names
        self.classes = walker.classes
        self._families = self._union_families(walker.classes)
        self.containers: Dict[tuple, Container] = {}
        self.unresolved_popfronts: List[Event] = []
        for ev in walker.events:
            key = ev.key
            if key is None:
                if ev.kind == "popfront":
                    self.unresolved_popfronts.append(ev)
                continue
            if key[0] == "c":
                key = ("c", self._families.get(key[1], key[1]), key[2])
                ev.key = key
            container = self.containers.get(key)
            if container is None:
                container = self.containers[key] = Container(key)
            getattr(container, {"create": "creations", "grow": "growths", "bound": "bounds",
                                "popfront": "popfronts", "attr": "attrs", "pass": "passed",
                                "return": "returned"}[ev.kind]).append(ev)
        for container in self.containers.values():
            container.ctype = self._ctype(container)
        self._ctor_like = self._ctor_like_methods()
        self._bounded: Dict[tuple, Optional[str]] = {}
        self.figure_sites = walker.figure_calls
        self.close_calls = walker.close_calls
        self.caches = walker.caches

    # --------------------------------------------------------------- owners
    @staticmethod
    def _union_families(classes: Dict[str, ClassInfo]) -> Dict[str, str]:
        """Classes related by inheritance inside the module share their attributes' facts."""
        parent: Dict[str, str] = {q: q for q in classes}
        by_name: Dict[str, str] = {}
        for qual, info in classes.items():
            by_name.setdefault(info.name, qual)

        def find(q: str) -> str:
            while parent[q] != q:
                parent[q] = parent[parent[q]]
                q = parent[q]
            return q

        for qual, info in classes.items():
            for base in info.bases:
                other = by_name.get(base)
                if other is not None and other != qual:
                    a, b = find(qual), find(other)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
        families = {q: find(q) for q in classes}
        for qual, info in classes.items():
            info.family = families[qual]
        return families

    def family_classes(self, family: str) -> List[ClassInfo]:
        by_family = getattr(self, "_by_family", None)
        if by_family is None:
            by_family = {}
            for info in self.classes.values():
                by_family.setdefault(info.family, []).append(info)
            self._by_family = by_family
        return by_family.get(family, [])

    def _ctor_like_methods(self) -> Set[int]:
        """Constructors, init hooks (``plugin_init``, ``_init_state``), private helpers that only
        constructors call; and (in ``self._teardown``) teardown methods, plus helpers called only
        from constructors and teardown methods (``reset()`` from ``__init__`` and ``close()``).

        Also (in ``self._starting``) argument-free start methods and private helpers only they
        and constructors call, whose fresh containers are built once, not resets; and (in
        ``self._configuring``) the methods the owner calls to set itself up: those its
        constructor calls (``allow_ip()`` from ``__init__``), its argument-free start methods
        (``start()``), and methods only these call. Growth there follows the configuration, not
        the traffic."""
        result: Set[int] = set()
        teardown_ids: Set[int] = set()
        configuring_ids: Set[int] = set()
        starting_ids: Set[int] = set()
        for info in self.classes.values():
            methods = info.methods
            callers = _callers(methods)
            # a method handed on as a callback (self.timer.connect(self._on_tick)) runs later,
            # once per event, whoever hands it on
            handed_on: Set[str] = set().union(*(f.self_refs for f in methods.values()))
            ctor = {name for name, f in methods.items() if f.is_ctor or is_init_hook(name)}
            # the owner's own close(), not disconnect(sid), which ends one item of many
            teardown = {name for name, f in methods.items()
                        if is_teardown_method(name, self.extra_teardown_methods) and _no_required_args(f)} - ctor
            changed = True
            while changed:
                changed = False
                for name in methods:
                    if name in ctor or name in teardown or name.startswith("__"):
                        continue
                    by = callers[name]
                    if not by or name in handed_on:
                        continue
                    if by <= ctor and name.startswith("_"):
                        ctor.add(name)
                        changed = True
                    elif by <= ctor | teardown and by & teardown \
                            and (name.startswith("_") or by & ctor):
                        # construction when the constructor calls it, teardown otherwise. A
                        # public method that only teardown calls (remove_handler()) is API:
                        # code outside the class calls it while the owner works.
                        ctor.add(name)
                        teardown.add(name)
                        changed = True
            start = {name for name, f in methods.items()
                     if name.lstrip("_").lower() in START_METHODS and _no_required_args(f)}
            starting = set(start)
            changed = True
            while changed:
                changed = False
                for name in methods:
                    by = callers[name]
                    if name not in starting and name.startswith("_") and not name.startswith("__") \
                            and by and by <= starting | ctor and name not in handed_on:
                        starting.add(name)
                        changed = True
            starting_ids.update(methods[name].id for name in starting - ctor)
            setup = set(start)
            for name in ctor:
                setup.update(n for n in methods[name].self_calls if n in methods and n not in handed_on)
            changed = True
            while changed:
                changed = False
                for name in methods:
                    by = callers[name]
                    if name not in setup and not name.startswith("__") and by \
                            and by <= setup | ctor and name not in handed_on:
                        setup.add(name)
                        changed = True
            result.update(methods[name].id for name in ctor)
            teardown_ids.update(methods[name].id for name in teardown)
            configuring_ids.update(methods[name].id for name in setup - ctor)
        self._teardown = teardown_ids
        self._configuring = configuring_ids
        self._starting = starting_ids
        return result

    def in_constructor(self, ev: Event, container: Container) -> bool:
        func = ev.func
        if func is None or container.key[0] != "c" or func.cls is None or not func.is_method:
            return False
        return func.id in self._ctor_like and func.cls.family == container.key[1]

    def _at_start(self, ev: Event, container: Container) -> bool:
        """A fresh container made when the owner starts (``start()``, or a private helper only
        start and the constructor call) builds it once, like the constructor: not a reset."""
        func = ev.func
        if func is None or func.cls is None or not func.is_method:
            return False
        return func.id in self._starting and func.cls.family == container.key[1]

    def _at_teardown(self, ev: Event, container: Container) -> bool:
        """A bound that runs only when the owner is closed, stopped or disconnected."""
        func = ev.func
        while func is not None and not func.is_method:
            func = func.parent
        if func is None or container.key[0] != "c" or func.cls is None:
            return False
        return func.id in self._teardown and func.cls.family == container.key[1]

    @staticmethod
    def _ctype(container: Container) -> CType:
        kinds = [c.ctype for c in container.creations if c.ctype.kind not in ("other", "none")]
        for ctype in kinds:
            if ctype.kind == "weak":
                return ctype
        return kinds[0] if kinds else CType("other")

    def owner_text(self, container: Container) -> str:
        """A stable name for the container: ``Class.attr``, ``name`` or ``func.name``."""
        kind = container.key[0]
        if kind == "c":
            return f"{container.key[1]}.{container.key[2]}"
        if kind == "l":
            for ev in container.creations:
                if ev.func is not None:
                    return f"{ev.func.name}.{container.key[2]}"
        return container.key[-1]

    # --------------------------------------------------------------- growth
    def growth_counts(self, ev: Event, container: Container) -> bool:
        """Whether this growth happens over the owner's life (not construction or import)."""
        func = ev.func
        kind = container.key[0]
        if kind == "l":
            return func is not None and bool(ev.loops) and self._local_owner(container) is func.node
        name = container.key[-1]
        if name.startswith("__") and name.endswith("__"):
            return False  # __all__, __path__: the module protocol, filled at import
        if func is None:
            return bool(ev.loops) and kind == "g"
        if func.definition_time or self._is_registration(func, ev):
            return False
        if self.in_constructor(ev, container):
            return False
        return True

    @staticmethod
    def _is_registration(func: FuncInfo, ev: Event) -> bool:
        """A decorator that records the function it was given and returns it unchanged."""
        given = func.returned_params - func.rebound
        if not given:
            return False
        node = ev.node
        if isinstance(node, ast.Call):
            values = list(node.args) + [k.value for k in node.keywords]
        elif isinstance(ev.stmt, ast.Assign):
            values = [ev.stmt.value]
        else:
            return False
        return any(n.id in given for v in values for n in ast.walk(v) if isinstance(n, ast.Name))

    @staticmethod
    def _local_owner(container: Container) -> Optional[ast.AST]:
        for ev in container.creations:
            return ev.scope
        return None

    def growths(self, container: Container) -> Iterator[Event]:
        for ev in container.growths:
            if self.growth_counts(ev, container):
                yield ev

    # --------------------------------------------------------------- bounds
    def bound_reason(self, container: Container) -> Optional[str]:
        """Why the container is bounded, or None. Cached per container."""
        key = container.key
        if key not in self._bounded:
            # One ModuleFacts per file, keyed by that file's containers: it dies with the file.
            self._bounded[key] = self._compute_bound(container)  # noqa: UBL002
        return self._bounded[key]

    def _compute_bound(self, c: Container) -> Optional[str]:
        if any(ev.ctype.bounded for ev in c.creations):
            return "created with a maximum size"
        # Only operations on the container itself bound it; those on one of its elements
        # (self.hist["loss"].pop(0)) bound that element: see element_bounds().
        for ev in c.bounds:
            if ev.depth == 0 and not self._at_teardown(ev, c):
                return ev.op
        kind = c.ctype.kind
        removals = REMOVALS_BY_KIND.get(kind, REMOVALS_BY_KIND["list"])
        for ev in c.attrs:
            if ev.op in removals and ev.depth == 0 and not self._at_teardown(ev, c):
                return ev.op
        if kind == "queue" or kind == "deque":
            for ev in c.attrs:
                if ev.op == "full":
                    return "full()"
        reset = self._reset(c)
        if reset is not None:
            return reset
        if c.key[0] == "c" and c.key[2] in self.walker.bound_attr_names:
            return "removal through another reference in the module"
        return None

    def element_bounds(self, c: Container) -> Set[str]:
        """Keys of a dict of containers whose element is bounded ("*": every element).

        ``len(self.hist["loss"]) > n`` or ``self.hist["loss"].pop(0)`` bound the "loss" list
        only; ``self.hist[k] = self.hist[k][-n:]`` outside a constructor bounds every element.
        """
        cached = getattr(c, "_element_bounds", None)
        if cached is not None:
            return cached
        removals = REMOVALS_BY_KIND.get(c.ctype.elem, REMOVALS_BY_KIND["list"])
        keys: Set[str] = set()
        for ev in c.bounds:
            if ev.depth == 1:
                keys.add(ev.text or "*")
        for ev in c.attrs:
            if ev.depth == 1 and ev.op in removals:
                keys.add(ev.text or "*")
        for ev in c.popfronts:
            if ev.depth == 1:
                keys.add(ev.text or "*")
        for ev in c.growths:
            if ev.depth == 0 and ev.op == "setitem" and ev.func is not None and not self.in_constructor(ev, c) \
                    and not ev.lazy:
                keys.add(ev.text or "*")
        setattr(c, "_element_bounds", keys)
        return keys

    def element_bounded(self, c: Container, ev: Event) -> bool:
        keys = self.element_bounds(c)
        return "*" in keys or (ev.text or "*") in keys

    def _reset(self, c: Container) -> Optional[str]:
        if c.key[0] == "l":
            creations = sorted(c.creations, key=lambda e: (e.node.lineno, e.node.col_offset))
            loops = {id(loop) for ev in c.growths for loop in ev.loops}
            for ev in creations:
                if any(id(loop) in loops for loop in ev.loops):
                    return "reset inside the loop"
            return None
        for ev in c.creations:
            func = ev.func
            if func is None or ev.lazy:
                continue
            if func.definition_time:
                continue
            if c.key[0] == "c" and (self.in_constructor(ev, c) or self._at_teardown(ev, c)
                                    or self._at_start(ev, c)):
                continue
            return f"reset in {func.name}()"
        return None

    def consumers(self, c: Container) -> List[Event]:
        return [ev for ev in c.attrs if ev.op in CONSUMERS] + list(c.passed)

    # ------------------------------------------------------------ confidence
    def low_confidence_reason(self, container: Container, ev: Event) -> Optional[str]:
        """Why the owner (or the key space) is probably short-lived or finite, if it is."""
        kind = container.key[0]
        func = ev.func
        if kind == "l":
            if container.returned or any(r for r in container.passed if not r.in_loop):
                return "a local collected and handed back to the caller"
            if self._result_of_ending_loop(container, ev):
                return "a result collected until the loop ends, then used"
            return None
        if is_registry_name(container.key[-1]):
            return "a registry of the program's own handlers, routes or plugins"
        if container.ctype.kind in ("set", "dict") and self._remembers_once(container, ev):
            return "remembers what was warned about: one key per distinct message the code emits"
        if container.ctype.kind in ("dict", "set") and ev.depth == 0 \
                and fixed_key_domain(ev, self.extra_fixed_key_words):
            return "keyed by a fixed domain (partition, topic, thread, status, class...)"
        if func is not None:
            if func.is_method and is_setup_method(func.name):
                return f"filled while setting up ({func.name})"
            if kind == "c" and not ev.loops and func.id in self._configuring:
                return f"filled by {func.name}(), which the owner calls while it is built or started"
            outer = func
            while outer is not None:
                if outer.parent is not None and outer.kind == "function" \
                        and (outer.returned_params - outer.rebound or outer.returned_defs):
                    return "a decorator recording what it decorates (registration)"
                outer = outer.parent
            if func.returned_defs and self._records(ev, func.returned_defs):
                return "records the wrapper it returns (registration)"
            top = func
            while top.parent is not None:
                top = top.parent
            if kind == "g" and not top.is_method and top.name in self.walker.import_calls:
                return f"filled by {top.name}(), which the module calls at import time"
            if kind == "g" and top.is_method and top.cls is not None and top.id in self._ctor_like \
                    and top.cls.name in self.walker.import_calls \
                    and top.cls.name not in self.walker.function_calls:
                # exp = _UnaryOperation(umath.exp) at module level, and in no function: every
                # instance is made once, at import
                return f"filled as the module builds its {top.cls.name} instances at import time"
            if func.returns_self:
                return "a fluent builder (the method returns self)"
        if kind == "c":
            infos = self.family_classes(container.key[1])
            if any(info.transient for info in infos):
                return "a short-lived owner (visitor, builder, parser, test double...)"
            if container.returned and any(r.func is not None and not r.func.is_ctor for r in container.returned):
                return "the owner hands the collection back to its caller"
        return None

    def _result_of_ending_loop(self, container: Container, ev: Event) -> bool:
        """A local grown in loops that all end (``break``/``return``) and read after the
        outermost of them: reading lines until EOF, encoding until no flags are left."""
        if not ev.loops or ev.func is None \
                or not all(id(loop) in self.walker.ending_loops for loop in ev.loops):
            return False
        end = max(getattr(loop, "end_lineno", 0) or 0 for loop in ev.loops)
        name = container.key[-1]
        for node in ast.walk(ev.func.node):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) \
                    and node.lineno > end:
                return True
        return False

    @staticmethod
    def _records(ev: Event, names: Set[str]) -> bool:
        """The growth stores one of ``names`` (``self.tasks.append(_wrapped)``)."""
        node = ev.node
        if isinstance(node, ast.Call):
            values = list(node.args) + [k.value for k in node.keywords]
        elif isinstance(ev.stmt, (ast.Assign, ast.AugAssign)):
            values = [ev.stmt.value]
        else:
            return False
        return any(isinstance(n, ast.Name) and n.id in names for v in values for n in ast.walk(v))

    @staticmethod
    def _remembers_once(container: Container, ev: Event) -> bool:
        words = set(name_words(container.key[-1]))
        if ev.func is not None:
            words.update(name_words(ev.func.name))
        return bool(words & ONCE_WORDS)

    def confidence(self, container: Container, ev: Event) -> Confidence:
        if self.low_confidence_reason(container, ev) is not None:
            return Confidence.LOW
        kind = container.key[0]
        if kind == "l":
            if all(id(loop) in self.walker.ending_loops for loop in ev.loops):
                return Confidence.MEDIUM  # the loop can end: the local may be a result
            return Confidence.HIGH
        if kind == "c":
            infos = self.family_classes(container.key[1])
            if any(info.long_running for info in infos) or ev.loops:
                return Confidence.HIGH
            return Confidence.MEDIUM
        return Confidence.HIGH if ev.loops else Confidence.MEDIUM

    # ------------------------------------------------------------- helpers
    def segment(self, node: ast.AST) -> Optional[str]:
        """The exact source text of ``node`` (one or several lines)."""
        try:
            start, end = node.lineno, node.end_lineno  # type: ignore[attr-defined]
            col, end_col = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return None
        if end is None or end_col is None:
            return None
        lines = self.lines[start - 1:end]
        if not lines:
            return None
        encoded = [line.encode("utf-8") for line in lines]
        if len(encoded) == 1:
            return encoded[0][col:end_col].decode("utf-8", "replace")
        encoded[0] = encoded[0][col:]
        encoded[-1] = encoded[-1][:end_col]
        return b"\n".join(encoded).decode("utf-8", "replace")

    def char_col(self, line: int, byte_col: int) -> int:
        """Convert an ``ast`` byte offset into a character offset (0-based)."""
        if line - 1 >= len(self.lines) or line < 1:
            return byte_col
        text = self.lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def position(self, node: ast.AST) -> Tuple[int, int]:
        line = node.lineno  # type: ignore[attr-defined]
        return (line, self.char_col(line, node.col_offset))  # type: ignore[attr-defined]

    def end_position(self, node: ast.AST) -> Tuple[int, int]:
        line = node.end_lineno or node.lineno  # type: ignore[attr-defined]
        col = node.end_col_offset if node.end_col_offset is not None else node.col_offset  # type: ignore[attr-defined]
        return (line, self.char_col(line, col))

    def receiver_text(self, ev: Event) -> Optional[str]:
        """Source text of the expression that grows, when it is safe to evaluate twice."""
        node = ev.node
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target: ast.AST = node.func.value
        elif isinstance(node, ast.Subscript):
            target = node.value
        else:
            target = node
        if not _pure(target):
            return None
        text = self.segment(target)
        if text is None or any(ch in text for ch in "\n\r\\#") or text != text.strip():
            # Split over lines, or with a comment inside: the normalised form reads better and
            # is what the trim must evaluate.
            return ast.unparse(target) if hasattr(ast, "unparse") else None
        return text


def _pure(node: ast.AST) -> bool:
    """Names, attributes and subscripts by names or constants: safe to evaluate again."""
    while True:
        if isinstance(node, ast.Name):
            return True
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Subscript):
            if not isinstance(node.slice, (ast.Constant, ast.Name)) and not (
                    isinstance(node.slice, ast.Attribute) and _pure(node.slice)):
                return False
            node = node.value
        else:
            return False


def analyse_module(tree: ast.Module, lines: List[str], settings: Optional[Settings] = None) -> ModuleFacts:
    return ModuleFacts(tree, lines, settings)
