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

from .analysis.containers import ModuleFacts
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
# long-lived-classes overrides exactly these. Matched on the analysis' own reason text until
# the analysis names its heuristics (Finding.heuristics).
OWNER_LIFETIME_REASONS = ("a short-lived owner", "the owner hands the collection back", "a fluent builder")

TEST_FILE_REASON = "in a test file (a test process is short-lived)"


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

    def describe(self, node: ast.AST, code: str, confidence: Confidence, in_tests: bool) -> Owner:
        found = None if code in RULE_BECAUSE else self._index().get(id(node))
        if found is None:
            because = self._site_because(node, code) or RULE_BECAUSE.get(code, "")
            if in_tests and because:
                because += f"; lowered to low: {TEST_FILE_REASON}"
            return Owner(because=because)
        container, ev = found
        owner = self._owner(container, ev)
        lowered = ""
        reason = None
        if confidence is Confidence.LOW:
            reason = self.facts.low_confidence_reason(container, ev)
            lowered = reason or self._rule_tier(code, container, ev)
        if in_tests:
            lowered = TEST_FILE_REASON
        because = owner.because + (f"; lowered to low: {lowered}" if lowered else "")
        short_lived = reason is not None and reason.startswith(OWNER_LIFETIME_REASONS)
        return Owner(owner.kind, owner.classes, owner.names, because, short_lived, bool(ev.loops))

    @staticmethod
    def _rule_tier(code: str, c: Container, ev: Event) -> str:
        """Why a rule's own tiers made a finding ``low`` when no shared heuristic did."""
        if code == "UBL004" and c.key[0] == "l" and not ev.loops:
            return "a local list of one call: the O(n) cost ends with the call"
        return f"the rule's own tiers (unbounded-lint --explain {code})"

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
                    text = (f"method {name}() is cached on its class: the cache holds every instance it was "
                            "called on, for the life of the class")
                    if not cache.unbounded:
                        text += "; lowered to low: the cache has a maxsize, so it holds at most that many"
                    return text
                return (f"{name}() keeps one entry per distinct argument for the life of the process, and "
                        f"nothing calls {name}.cache_clear()")
        return ""

    # ------------------------------------------------------------------ owner kinds
    def _owner(self, c: Container, ev: Event) -> Owner:
        kind = c.key[0]
        if kind == "c":
            return self._attribute_owner(c, ev)
        if kind == "g":
            text = f"module global '{c.name}', alive for the whole process{self._grown_in(ev)}"
            return Owner("global", (), (c.name,), text)
        func = ev.func.name if ev.func is not None else "?"
        loop = self._loop_text(ev)
        verb = "used as a queue" if ev.kind == "popfront" else "grown"
        text = f"local of {func}() {verb} inside {loop}, which may never end" if loop \
            else f"local of {func}()"
        return Owner("local", (), (f"{func}.{c.name}",), text)

    def _attribute_owner(self, c: Container, ev: Event) -> Owner:
        infos = self.facts.family_classes(c.key[1])
        classes = tuple(info.qualname for info in infos) or (c.key[1],)
        grower = ev.func.cls if ev.func is not None and ev.func.cls is not None else None
        name = grower.qualname if grower is not None else classes[0]
        in_body = any(e.func is None for e in c.creations)
        kind = "class attribute" if in_body else "instance attribute"
        calls = self.facts.walker.import_calls
        if any(info.long_running for info in infos):
            life = ", which runs a long-running loop"
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
