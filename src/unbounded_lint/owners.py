"""Who owns a reported container, and the one sentence that says why it lives long.

This reads the analysis' facts after the rules have run and never changes a verdict: it names
the owner (for ``Finding.because`` and for the configuration step in ``knowledge``) from what
the analysis already knows — the owner kind, the class and how it is made long-lived, the loop
that never ends, and the heuristic that lowered the finding, if any.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from .analysis.facts import ModuleFacts
from .analysis.heuristics import Verdict
from .analysis.model import Container, Event
from .types import Confidence

# Findings that are not about one container: the sentence depends on the rule alone.
RULE_BECAUSE: Dict[str, str] = {
    "UBL005": "pyplot keeps every figure it creates alive until plt.close() is called",
    "UBL006": "a cache on a method is shared by the class and holds every instance it was called on",
    "UBL008": "a module-level function's cache lives as long as the process",
}

# The analysis' heuristics that lower a finding because the *owner* looks short-lived (rather
# than because the growth follows set-up or the keys are a fixed domain). A class declared in
# long-lived-classes overrides exactly these.
OWNER_LIFETIME_HEURISTICS = frozenset({"short-lived-owner", "returned-collection", "index-transient-owner"})


@dataclass(frozen=True)
class Owner:
    """The owner of a reported container, as the configuration step matches it.

    ``kind`` is "instance attribute", "class attribute", "global", "local" or "" (a finding
    that is not about a container). ``classes`` are the qualnames of the owning class and the
    classes of the module it shares attributes with (bases, subclasses); ``names`` are the
    spellings a ``bounded-containers`` entry may use ("Class.attr", "GLOBAL", "function.local").
    """

    kind: str = ""
    classes: Tuple[str, ...] = ()
    names: Tuple[str, ...] = ()
    because: str = ""
    lowered_as_short_lived: bool = False
    in_loop: bool = False


class OwnerIndex:
    """Finds the container behind a report's node, once per module."""

    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self._by_node: Optional[Dict[int, Tuple[Container, Event]]] = None

    def _index(self) -> Dict[int, Tuple[Container, Event]]:
        if self._by_node is None:
            index: Dict[int, Tuple[Container, Event]] = {}
            for container in self.facts.containers.values():
                events: List[Event] = [*container.growths, *container.popfronts, *container.creations]
                for ev in events:
                    index.setdefault(id(ev.node), (container, ev))
                # Queue rules report the constructor call; the sentence names where it is filled.
                growth = next(self.facts.growths(container), None)
                for ev in container.creations:
                    if ev.value is not None:
                        index.setdefault(id(ev.value), (container, growth or ev))
            self._by_node = index
        return self._by_node

    def describe(self, node: ast.AST, code: str, verdict: Verdict) -> Owner:
        """The owner of the reported ``node`` and the sentence that says why it lives long,
        followed by the reason of the heuristic that lowered the finding (``verdict``)."""
        lowered = ""
        if verdict.confidence is Confidence.LOW:
            lowered = verdict.because if verdict.heuristics else \
                f"the rule's own tiers (unbounded-lint --explain {code})"
        found = None if code in RULE_BECAUSE else self._index().get(id(node))
        if found is None:
            because = self._site_because(node, code) or RULE_BECAUSE.get(code, "") or verdict.because
            if lowered and lowered != because:
                because += f"; lowered to low: {lowered}"
            return Owner(because=because)
        container, ev = found
        owner = self._owner(container, ev)
        because = owner.because + (f"; lowered to low: {lowered}" if lowered else "")
        short_lived = bool(OWNER_LIFETIME_HEURISTICS.intersection(verdict.heuristics))
        return Owner(owner.kind, owner.classes, owner.names, because, short_lived, bool(ev.loops))

    def _site_because(self, node: ast.AST, code: str) -> str:
        """Figures and caches: the sentence names the function or method."""
        if code == "UBL005":
            for call, stmt, func, _loops in self.facts.figure_sites:
                if call is node and func is not None:
                    attr = _stored_attribute(stmt)
                    if attr:
                        return (f"figure stored on {attr} in {func.name}() and closed nowhere in the class; "
                                "pyplot keeps every figure alive until plt.close() is called")
                    return (f"figure made in {func.name}(); pyplot keeps every figure alive until "
                            "plt.close() is called")
            return ""
        for cache in self.facts.caches:
            if cache.decorator is node:
                name = getattr(cache.func, "name", "?")
                if code == "UBL006":
                    if cache.unbounded:
                        return (f"method {name}() is cached on its class: the cache holds every instance "
                                "it was called on, for the life of the class")
                    return (f"method {name}() is cached on its class: even with a maxsize the cache keeps "
                            "up to that many instances alive, for the life of the class")
                return (f"{name}() keeps one entry per distinct argument for the life of the process, and "
                        f"nothing calls {name}.cache_clear()")
        return ""

    # ------------------------------------------------------------------ owner kinds
    def _owner(self, c: Container, ev: Event) -> Owner:
        if c.is_attr:
            return self._attribute_owner(c, ev)
        if c.is_global:
            text = f"module global '{c.name}', alive for the whole process{self._grown_in(ev)}"
            return Owner("global", (), (c.name,), text)
        func = ev.func.name if ev.func is not None else "?"
        loop = self._loop_text(ev)
        verb = "used as a queue" if ev.kind == "popfront" else "grown"
        text = f"local of {func}() {verb} inside {loop}, which may never end" if loop \
            else f"local of {func}()"
        return Owner("local", (), (f"{func}.{c.name}",), text)

    def _attribute_owner(self, c: Container, ev: Event) -> Owner:
        infos = self.facts.family_classes(c.family)
        classes = tuple(info.qualname for info in infos) or (c.family,)
        # named after the class that creates the attribute (a base class's __init__), as the
        # analysis names the container
        name = self.facts.owner_text(c).rsplit(".", 1)[0]
        in_body = any(e.func is None and not _per_instance_default(e.stmt) for e in c.creations)
        kind = "class attribute" if in_body else "instance attribute"
        family = {info.name for info in infos}
        held = sorted(g for g, cls in self.facts.walker.instances.items() if cls in family)
        calls = self.facts.walker.import_calls
        if any(info.long_running for info in infos):
            life = ", which runs a long-running loop"
        elif held:
            # state = DashboardState() at module level: the instance lives as long as the process
            life = f", whose instance '{held[0]}' is created at module level"
        elif any(info.name in calls for info in infos):
            life = ", which is created at module level"
        elif in_body:
            life = ", shared by every instance for the life of the class"
        else:
            life = ", kept as long as the instance lives"
        text = f"{kind} of {name}{life}{self._grown_in(ev)}"
        names = tuple(f"{cls}.{c.name}" for cls in classes)
        return Owner(kind, classes, names, text)

    def _grown_in(self, ev: Event) -> str:
        if ev.func is None:
            return ""
        loop = self._loop_text(ev)
        verb = {"popfront": "used as a queue", "create": "created"}.get(ev.kind, "grown")
        where = f"; {verb} in {ev.func.name}()"
        return where + (f" inside {loop}" if loop else "")

    def _loop_text(self, ev: Event) -> str:
        """``the `while True:` loop at line 12`` for the innermost long-running loop."""
        if not ev.loops:
            return ""
        loop = ev.loops[-1]
        line = getattr(loop, "lineno", 0)
        lines = self.facts.lines
        header = " ".join(lines[line - 1].split()) if 0 < line <= len(lines) else ""
        if not header or len(header) > 40:
            return f"the loop at line {line}"
        return f"the `{header}` loop at line {line}"


def _stored_attribute(stmt: Optional[ast.AST]) -> str:
    """``self.fig`` for ``self.fig = plt.figure()`` (also ``self.fig, self.ax = ...``)."""
    if not isinstance(stmt, ast.Assign):
        return ""
    for target in stmt.targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                return f"{node.value.id}.{node.attr}"
    return ""


def _per_instance_default(node: object) -> bool:
    """A class-body ``x: dict = field(default_factory=dict)`` (dataclasses, attrs' ``factory=``):
    each instance gets its own container, so the attribute is an instance attribute."""
    if isinstance(node, (ast.AnnAssign, ast.Assign)):
        node = node.value
    if not isinstance(node, ast.Call):
        return False
    return any(k.arg in ("default_factory", "factory") for k in node.keywords)
