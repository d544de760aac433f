"""Per-container facts shared by the rules and the fixer.

``analyse_module(tree, source)`` walks the module once and groups the events by container:
its owner, creations, growth sites, bounds and (lazily, only when a fix needs them) every use.
The questions the rules ask — does this growth outlive its call, is the container bounded
anywhere in its owner scope, how sure are we, how can it be fixed — are answered here, once.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from . import index_seam
from ..types import Confidence
from .heuristics import (CACHE_HEURISTICS, CONTAINER_HEURISTICS, FRONT_OP_HEURISTICS,
                         FRONT_OP_OWNER_HEURISTICS, CacheContext,
                         FrontOpContext, SiteContext, Verdict, judge, merge)
from .lifecycle import method_roles
from .model import AttrKey, CacheSite, ClassInfo, Container, CType, Event, FuncInfo, Key, attr_key
from .source import SourceText
from .walker import Walker

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from ..index.view import ModuleView

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

def union_families(classes: Dict[str, ClassInfo]) -> Dict[str, str]:
    """Classes related by inheritance inside the module share their attributes' facts: each
    class's ``family`` becomes the smallest qualified name among its relatives."""
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


_EVENT_LISTS = {"create": "creations", "grow": "growths", "bound": "bounds",
                "popfront": "popfronts", "attr": "attrs", "pass": "passed", "return": "returned"}


def group_events(events: List[Event], families: Dict[str, str]
                 ) -> Tuple[Dict[Key, Container], List[Event]]:
    """Events grouped by container (attributes keyed by class family), and the front
    operations on receivers that resolve to no container."""
    containers: Dict[Key, Container] = {}
    unresolved: List[Event] = []
    for ev in events:
        key = ev.key
        if key is None:
            if ev.kind == "popfront":
                unresolved.append(ev)
            continue
        if isinstance(key, AttrKey):
            ev.owner_class = key.family
            family = families.get(key.family)
            if family is not None and family != key.family:
                key = ev.key = attr_key(family, key.name)
        container = containers.get(key)
        if container is None:
            container = containers[key] = Container(key)
        getattr(container, _EVENT_LISTS[ev.kind]).append(ev)
    for container in containers.values():
        container.ctype = container_type(container)
    return containers, unresolved


def container_type(container: Container) -> CType:
    """What the container is, from its creations (a weak container wins: it never leaks)."""
    kinds = [c.ctype for c in container.creations if c.ctype.kind not in ("other", "none")]
    for ctype in kinds:
        if ctype.kind == "weak":
            return ctype
    if not kinds:
        return CType("other")
    ctype = kinds[0]
    if ctype.kind == "dict" and not ctype.elem and not ctype.subtype:
        elem = _element_kind(container)
        if elem:
            return CType("dict", elem=elem)
    return ctype


_DISPLAYS = ((ast.List, "list"), (ast.ListComp, "list"), (ast.Dict, "dict"), (ast.Set, "set"))


def _element_kind(container: Container) -> str:
    """``self.log = {}`` then ``self.log["out"] = []``: a dict whose items are all assigned the
    same kind of display is a dict of that kind (so ``self.log[pipe].append(m)`` is list
    growth)."""
    kinds = set()
    for ev in container.growths:
        if ev.op != "setitem" or ev.depth != 0 or not isinstance(ev.stmt, ast.Assign):
            continue
        value = ev.stmt.value
        kinds.add(next((kind for display, kind in _DISPLAYS if isinstance(value, display)), ""))
    return kinds.pop() if len(kinds) == 1 else ""


class ModuleFacts:
    """Everything the rules need to know about one module."""

    def __init__(self, tree: ast.Module, lines: List[str],
                 disabled: FrozenSet[str] = frozenset(), *,
                 fixed_key_words: FrozenSet[str] = frozenset(),
                 teardown_methods: FrozenSet[str] = frozenset(),
                 index: "Optional[ModuleView]" = None) -> None:
        self.tree = tree
        # The module's view of the project index, or None (file-local); see index_seam.py.
        self.index = index
        self.disabled = disabled
        # The project's own key words (extend-fixed-key-words), read by the fixed-key heuristic;
        # its own teardown method names go to the method roles below.
        self.extra_fixed_key_words = fixed_key_words
        self.source = SourceText(lines)
        self.lines = self.source.lines
        walker = Walker(tree, index).run()
        self.walker = walker
        self.names = walker.names
        self.classes = walker.classes
        families = union_families(walker.classes)
        self._by_family: Dict[str, List[ClassInfo]] = {}
        for info in self.classes.values():
            self._by_family.setdefault(info.family, []).append(info)
        self.containers, self.unresolved_popfronts = group_events(walker.events, families)
        self.roles = method_roles(self.classes.values(), teardown_methods,
                                  index_seam.constructed_methods(index))
        # Per-container answers, computed once on demand; one ModuleFacts lives for one file.
        self._bounded: Dict[Key, Optional[str]] = {}
        self._element_bounds: Dict[Key, Set[str]] = {}
        self._loop_driven: Dict[str, FrozenSet[str]] = {}
        self.figure_sites = walker.figure_calls
        self.close_calls = walker.close_calls
        self.caches = walker.caches

    # --------------------------------------------------------------- owners
    def family_classes(self, family: str) -> List[ClassInfo]:
        return self._by_family.get(family, [])

    def in_constructor(self, ev: Event, container: Container) -> bool:
        func = ev.func
        if func is None or not container.is_attr or func.cls is None or not func.is_method:
            return False
        return func.id in self.roles.constructors and func.cls.family == container.family

    def _at_start(self, ev: Event, container: Container) -> bool:
        """A fresh container made when the owner starts (``start()``, or a private helper only
        start and the constructor call) builds it once, like the constructor: not a reset."""
        func = ev.func
        if func is None or func.cls is None or not func.is_method:
            return False
        return func.id in self.roles.starting and func.cls.family == container.family

    def _at_teardown(self, ev: Event, container: Container) -> bool:
        """A bound that runs only when the owner is closed, stopped or disconnected."""
        func = ev.func
        while func is not None and not func.is_method:
            func = func.parent
        if func is None or not container.is_attr or func.cls is None:
            return False
        return func.id in self.roles.teardown and func.cls.family == container.family

    def owner_text(self, container: Container) -> str:
        """A stable name for the container: ``Class.attr``, ``name`` or ``func.name``."""
        if container.is_attr:
            # named after the class that creates it (Base.__init__), not after the family's
            # first class in alphabetical order
            made = next((ev.owner_class for ev in container.creations if ev.owner_class), "")
            return f"{made or container.family}.{container.name}"
        if container.is_local:
            for ev in container.creations:
                if ev.func is not None:
                    return f"{ev.func.name}.{container.name}"
        return container.name

    # --------------------------------------------------------------- growth
    def growth_counts(self, ev: Event, container: Container) -> bool:
        """Whether this growth happens over the owner's life (not construction or import)."""
        func = ev.func
        if container.is_local:
            return func is not None and bool(ev.loops) and self._local_owner(container) is func.node
        name = container.name
        if name.startswith("__") and name.endswith("__"):
            return False  # __all__, __path__: the module protocol, filled at import
        if func is None:
            return bool(ev.loops) and container.is_global
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
            self._bounded[key] = self._compute_bound(container)  # noqa: UBL002 - one per container
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
        if c.is_attr and c.name in self.walker.bound_attr_names:
            return "removal through another reference in the module"
        # index seam (index-bounded-elsewhere)
        return index_seam.bounded_elsewhere(self.index, c.is_attr, c.is_global, c.name)

    def element_bounds(self, c: Container) -> Set[str]:
        """Keys of a dict of containers whose element is bounded ("*": every element).

        ``len(self.hist["loss"]) > n`` or ``self.hist["loss"].pop(0)`` bound the "loss" list
        only; ``self.hist[k] = self.hist[k][-n:]`` outside a constructor bounds every element.
        """
        cached = self._element_bounds.get(c.key)
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
        self._element_bounds[c.key] = keys
        return keys

    def element_bounded(self, c: Container, ev: Event) -> bool:
        keys = self.element_bounds(c)
        return "*" in keys or (ev.text or "*") in keys

    def _reset(self, c: Container) -> Optional[str]:
        if c.is_local:
            creations = sorted(c.creations, key=lambda e: self.source.position(e.node))
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
            if c.is_attr and (self.in_constructor(ev, c) or self._at_teardown(ev, c)
                                    or self._at_start(ev, c)):
                continue
            return f"reset in {func.name}()"
        return None

    def consumers(self, c: Container) -> List[Event]:
        return [ev for ev in c.attrs if ev.op in CONSUMERS] + list(c.passed)

    # ------------------------------------------------------------ confidence
    def base_confidence(self, container: Container, ev: Event) -> Confidence:
        """How sure the owner outlives the growth, before any heuristic doubts it."""
        if container.is_local:
            return Confidence.HIGH
        if container.is_attr:
            # Sure only of what the owner's service loop itself does: growth inside the loop,
            # or in a method the loop calls (``while self.running: self.on_tick(...)``). A
            # registration method of the same class (``add_filter()``) runs when user code
            # calls it: the default level.
            if ev.loops or (ev.func is not None
                            and ev.func.name in self.loop_driven(container.family)):
                return Confidence.HIGH
            return Confidence.MEDIUM
        return Confidence.HIGH if ev.loops else Confidence.MEDIUM

    def loop_driven(self, family: str) -> FrozenSet[str]:
        """Methods of a class family that its long-running loops call through ``self``,
        directly or through other methods (not the loop methods themselves)."""
        found = self._loop_driven.get(family)
        if found is None:
            methods: Dict[str, FuncInfo] = {}
            loops: Set[str] = set()
            for info in self.family_classes(family):
                methods.update(info.methods)
                loops |= info.loop_methods
            seen: Set[str] = set()
            todo = [name for loop in loops if loop in methods for name in methods[loop].self_calls]
            while todo:
                name = todo.pop()
                if name in seen or name in loops or name not in methods:
                    continue
                seen.add(name)
                todo.extend(methods[name].self_calls)
            found = self._loop_driven[family] = frozenset(seen)
        return found

    def verdict(self, container: Container, ev: Event) -> Verdict:
        """Confidence of one growth site, with the heuristics that set it and why."""
        return judge(CONTAINER_HEURISTICS, SiteContext(self, container, ev),
                     self.base_confidence(container, ev), self.because(container, ev),
                     self.disabled)

    def front_op_verdict(self, container: Optional[Container], ev: Event) -> Verdict:
        """Confidence of a front operation (UBL004): the default level wherever it repeats,
        lowered by the front-operation heuristics and, on an attribute or global, by those of
        its owner."""
        because = "a front operation inside a loop: it repeats, O(n) each time" if ev.in_loop \
            else "a front operation on a long-lived list: it repeats with every call"
        verdict = judge(FRONT_OP_HEURISTICS, FrontOpContext(self, container, ev), Confidence.MEDIUM,
                        because, self.disabled)
        if container is None or container.is_local or ev.in_loop:
            return verdict
        owner = judge(FRONT_OP_OWNER_HEURISTICS, SiteContext(self, container, ev),
                      Confidence.MEDIUM, because, self.disabled)
        return merge(verdict, owner)

    def cache_verdict(self, site: CacheSite) -> Verdict:
        """Confidence of a cache on a method (UBL006): ``high`` when it keeps every instance,
        the default level when bounded (contract v3: ``maxsize=1`` pins instances too)."""
        base = Confidence.HIGH if site.unbounded else Confidence.MEDIUM
        because = "the cache lives on the class and keeps every instance it saw" if site.unbounded \
            else "the bounded cache lives on the class and keeps up to maxsize instances alive"
        return judge(CACHE_HEURISTICS, CacheContext(self, site), base, because, self.disabled)

    def confidence(self, container: Container, ev: Event) -> Confidence:
        return self.verdict(container, ev).confidence

    def because(self, container: Container, ev: Event) -> str:
        """Why the owner outlives the call that grows it, in one sentence."""
        if container.is_local:
            func = ev.func.name if ev.func is not None else "?"
            line = getattr(ev.loops[0], "lineno", 0) if ev.loops else 0
            return f"local of {func}() grown inside the long-running loop at line {line}"
        if container.is_global:
            return f"module global '{container.name}', which lives as long as the process"
        infos = self.family_classes(container.family)
        owner = self.owner_text(container).rsplit(".", 1)[0]
        if any(info.long_running for info in infos):
            return f"attribute of {owner}, which runs a long-running loop"
        if ev.loops:
            return f"attribute of {owner}, grown inside a long-running loop"
        names = {info.name for info in infos}
        held = sorted(g for g, cls in self.walker.instances.items() if cls in names)
        if held:
            # state = DashboardState() at module level: the instance lives as long as the process
            return f"attribute of {owner}, whose instance '{held[0]}' is created at module level"
        return f"attribute of {owner}, grown by a method that can run for the object's whole life"

    # ------------------------------------------------------------- helpers
    def segment(self, node: ast.AST) -> Optional[str]:
        return self.source.segment(node)

    def char_col(self, line: int, byte_col: int) -> int:
        return self.source.char_col(line, byte_col)

    def position(self, node: ast.AST) -> Tuple[int, int]:
        return self.source.position(node)

    def end_position(self, node: ast.AST) -> Tuple[int, int]:
        return self.source.end_position(node)

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


def analyse_module(tree: ast.Module, lines: List[str],
                   disabled: FrozenSet[str] = frozenset(), *,
                   fixed_key_words: FrozenSet[str] = frozenset(),
                   teardown_methods: FrozenSet[str] = frozenset(),
                   index: "Optional[ModuleView]" = None) -> ModuleFacts:
    return ModuleFacts(tree, lines, disabled, fixed_key_words=fixed_key_words,
                       teardown_methods=teardown_methods, index=index)
