"""The link step: join every file's facts into a ``ProjectIndex`` and cut one view per module.

Everything here is a dictionary look-up or a walk over each fact once (plus memoised name
resolution and class lifetimes), so linking is linear in the number of facts. Names are
resolved through the project's own re-exports: ``from shop import Cart`` where ``shop/__init__``
does ``from .models import Cart`` is ``shop.models.Cart``; a chain that leaves the project
(``from shop.compat import cache`` -> ``functools.cache``) ends at the outside name.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Set, Tuple

from .facts import (ARGUMENT, ATTR, COLLECTED, ENTRY, KEPT, LOCAL, MODULE, RETURNED, ClassFact,
                    FileFacts, Instantiation)
from ..analysis.lifecycle import is_init_hook
from ..analysis.syntax import CTOR_METHODS
from .view import LONG_LIVED, TRANSIENT, Lifetime, ModuleView

# A resolved name: ("class", module, name), ("factory", kind), ("const", ""),
# ("module", dotted name), ("external", qualified name).
Resolved = Tuple[str, str, str]
MAX_HOPS = 8
# Outside modules whose names the analysis recognises (caches, queues, deques, figures...).
KNOWN_MODULES = frozenset({"functools", "collections", "queue", "asyncio", "multiprocessing",
                           "weakref", "matplotlib", "typing", "dataclasses", "builtins", "array"})
ClassKey = Tuple[str, str]


def is_test_module(module: str) -> bool:
    """Tests build everything as a local of a test function: their calls say nothing about
    how the program itself uses a class."""
    for part in module.split("."):
        if part in ("test", "tests", "testing", "conftest") or part.startswith("test_") \
                or part.endswith("_test"):
            return True
    return False


class ProjectIndex:
    """The linked facts of a whole project. ``view(module)`` is what a rule gets to see."""

    def __init__(self, files: Iterable[FileFacts]) -> None:
        self.modules: Dict[str, FileFacts] = {}
        for facts in files:
            self.modules[facts.module] = facts
        self._classes: Dict[str, Dict[str, ClassFact]] = {}
        self._factories: Dict[str, Dict[str, str]] = {}
        self._imports: Dict[str, Dict[str, str]] = {}
        for module, facts in self.modules.items():
            self._classes[module] = {c.name: c for c in facts.classes}
            self._factories[module] = dict(facts.factories)
            self._imports[module] = dict(facts.imports)
        self._resolved: Dict[str, Optional[Resolved]] = {}
        self._children: Dict[ClassKey, List[ClassKey]] = {}
        self._sites: Dict[ClassKey, List[Tuple[str, Instantiation]]] = {}
        self._lifetimes: Dict[ClassKey, Optional[Lifetime]] = {}
        self._removed_attrs: Dict[str, Set[str]] = {}
        self._removed_globals: Dict[str, Dict[str, str]] = {}
        self._neighbours: Dict[str, Set[str]] = {m: set() for m in self.modules}
        self._link()

    # -------------------------------------------------------------- resolution
    def resolve(self, qualname: str, hops: int = 0) -> Optional[Resolved]:
        """What a qualified name refers to, following the project's re-exports."""
        if qualname in self._resolved:
            return self._resolved[qualname]
        self._resolved[qualname] = None  # a cycle of re-exports resolves to nothing
        result = self._resolve(qualname, hops)
        self._resolved[qualname] = result
        return result

    def _resolve(self, qualname: str, hops: int) -> Optional[Resolved]:
        if qualname in self.modules:
            return ("module", qualname, "")
        module, _, name = qualname.rpartition(".")
        if not module:
            return ("external", qualname, "")
        if module not in self.modules:
            parent = self.resolve(module, hops) if hops < MAX_HOPS else None
            if parent is None or parent[0] == "external":
                return ("external", qualname, "") if parent is not None or not self._in_project(module) else None
            if parent[0] == "class":
                return None  # a nested attribute of a class: not tracked
            return None
        if name in self._classes[module]:
            return ("class", module, name)
        if name in self._factories[module]:
            return ("factory", self._factories[module][name], "")
        if name in self.modules[module].constants:
            return ("const", "", "")
        target = self._imports[module].get(name)
        if target is not None and hops < MAX_HOPS:
            return self.resolve(target, hops + 1)
        if f"{module}.{name}" in self.modules:
            return ("module", f"{module}.{name}", "")
        return None

    def _in_project(self, dotted: str) -> bool:
        head = dotted.split(".", 1)[0]
        return any(m == head or m.startswith(head + ".") for m in self._heads())

    def _heads(self) -> Set[str]:
        heads = getattr(self, "_head_set", None)
        if heads is None:
            heads = {m.split(".", 1)[0] for m in self.modules}
            self._head_set = heads
        return heads

    def _class_key(self, module: str, written: str) -> Optional[ClassKey]:
        """The project class a name written in ``module`` (a base, a holder) refers to."""
        if written in self._classes.get(module, {}):
            return (module, written)
        target = self._imports.get(module, {}).get(written, written)
        resolved = self.resolve(target)
        if resolved is not None and resolved[0] == "class":
            return (resolved[1], resolved[2])
        return None

    # -------------------------------------------------------------------- link
    def _link(self) -> None:
        for module, facts in self.modules.items():
            for cls in facts.classes:
                for base in cls.bases:
                    parent = self._class_key(module, base)
                    if parent is not None and parent != (module, cls.name):
                        self._children.setdefault(parent, []).append((module, cls.name))
            for target in facts.imports:
                resolved = self.resolve(target[1])
                if resolved is not None and resolved[0] in ("class", "module"):
                    other = resolved[1]
                    if other != module and other in self._neighbours:
                        self._neighbours[module].add(other)
                        self._neighbours[other].add(module)
            if not is_test_module(module):
                for inst in facts.instances:
                    resolved = self.resolve(inst.target)
                    if resolved is not None and resolved[0] == "class":
                        self._sites.setdefault((resolved[1], resolved[2]), []).append((module, inst))
            for removal in facts.removals:
                owner = self.resolve(removal.module) if removal.module else None
                if owner is not None and owner[0] == "module":
                    self._removed_globals.setdefault(owner[1], {})[removal.attr] = module
                else:
                    self._removed_attrs.setdefault(removal.attr, set()).add(module)

    # --------------------------------------------------------------- lifetimes
    def lifetime(self, module: str, class_name: str) -> Optional[Lifetime]:
        """TRANSIENT when every place the project builds the class (or a subclass) makes one
        instance per call; LONG_LIVED when one is built at import, by an entry point or stored
        on a long-lived owner; None when the project does not say (a public class its users
        build, an instance handed to unknown code)."""
        key = (module, class_name)
        if key in self._lifetimes:
            return self._lifetimes[key]
        self._lifetimes[key] = None  # a holder cycle says nothing
        result = self._lifetime(key)
        self._lifetimes[key] = result
        return result

    def _family(self, key: ClassKey) -> List[ClassKey]:
        family, todo, seen = [], [key], {key}
        while todo:
            current = todo.pop()
            family.append(current)
            for child in self._children.get(current, ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return family

    def _ancestors(self, key: ClassKey) -> List[ClassKey]:
        found, todo, seen = [], [key], {key}
        while todo:
            module, name = todo.pop()
            for base in self._classes[module][name].bases:
                parent = self._class_key(module, base)
                if parent is not None and parent not in seen:
                    seen.add(parent)
                    found.append(parent)
                    todo.append(parent)
        return found

    def constructed(self, key: ClassKey) -> Tuple[str, ...]:
        """Private methods of the class that run only while an instance is built: every
        caller, in the class, its bases and its subclasses anywhere in the project, is a
        constructor or such a method (``_create_optimizer()``, called only from subclasses'
        ``__init__``). Growth there is construction."""
        own = {m for m, _ in self._classes[key[0]][key[1]].methods}
        if not any(_private(m) for m in own):
            return ()
        callers: Dict[str, Set[str]] = {}
        later: Set[str] = set()
        ctor: Set[str] = set()
        for module, name in set(self._family(key)) | set(self._ancestors(key)):
            for method, calls in self._classes[module][name].methods:
                if method in CTOR_METHODS or is_init_hook(method):
                    ctor.add(method)
                for call in calls:
                    if call.startswith("*"):
                        later.add(call[1:])
                    else:
                        callers.setdefault(call, set()).add(method)
        built = set(ctor)
        changed = True
        while changed:
            changed = False
            for method, who in callers.items():
                if method not in built and method not in later and _private(method) \
                        and who <= built:
                    built.add(method)
                    changed = True
        return tuple(sorted(m for m in built - ctor if m in own))

    def _lifetime(self, key: ClassKey) -> Optional[Lifetime]:
        sites = [site for member in self._family(key) for site in self._sites.get(member, ())]
        if not sites:
            return None
        transient_because = ""
        for module, inst in sites:
            verdict, because = self._site_verdict(key, module, inst)
            if verdict == LONG_LIVED:
                return Lifetime(LONG_LIVED, because)
            if verdict is None:
                return None
            transient_because = transient_because or because
        return Lifetime(TRANSIENT, transient_because)

    def _site_verdict(self, key: ClassKey, module: str, inst: Instantiation) -> Tuple[Optional[str], str]:
        name = key[1]
        where = f"{module}.{inst.where}" if inst.where else module
        if inst.fate == MODULE:
            return LONG_LIVED, f"{name} is created at module level in {module}"
        if inst.fate == ENTRY:
            return LONG_LIVED, f"{name} is created and run by {where}"
        if inst.fate == ATTR:
            holder = self._class_key(module, inst.holder) if inst.holder else None
            if holder is None:
                return (LONG_LIVED, f"{name} is stored on an attribute in {where}") if not inst.holder else (None, "")
            held = self.lifetime(*holder)
            if held is None:
                return None, ""
            return held.verdict, f"{name} is held by {inst.holder}, and {held.because}"
        if inst.fate == RETURNED and not _is_operator(inst.where):
            # a factory or a public method hands the instance to its caller, who may keep it
            # for good (``bars = ticker.timebars(...)``); only operators build plain values
            return None, ""
        if inst.fate == KEPT:
            return self._kept_verdict(name, module, inst)
        if inst.fate in (LOCAL, COLLECTED, RETURNED):
            how = {LOCAL: "a local of", COLLECTED: "collected by", RETURNED: "returned by"}[inst.fate]
            return TRANSIENT, f"{name} instances are built per call ({how} {where})"
        assert inst.fate == ARGUMENT
        return None, ""

    def _kept_verdict(self, name: str, module: str, inst: Instantiation) -> Tuple[Optional[str], str]:
        """Kept in ``Holder.attr``: per entry when the holder removes entries or replaces the
        container; otherwise it stays as long as the holder, which is not known here."""
        holder_name, _, attr = inst.holder.rpartition(".")
        holder = self._class_key(module, holder_name)
        if holder is None:
            return None, ""
        if attr in self._classes[holder[0]][holder[1]].bounded:
            return TRANSIENT, f"{name} instances are kept per entry in {inst.holder}, which {holder_name} empties"
        return None, ""

    # -------------------------------------------------------------------- views
    def view(self, module: str) -> ModuleView:
        """What the analysis of ``module`` may ask; an empty view for a module not indexed."""
        facts = self.modules.get(module)
        if facts is None:
            return ModuleView(module)
        lifetimes = []
        constructed = []
        for cls in facts.classes:
            life = self.lifetime(module, cls.name)
            if life is not None:
                lifetimes.append((cls.name, life))
            built = self.constructed((module, cls.name))
            if built:
                constructed.append((cls.name, built))
        return ModuleView(
            module=module,
            lifetimes=tuple(lifetimes),
            removed_attrs=self._removed_attrs_of(module, facts),
            removed_globals=tuple(sorted(self._removed_globals.get(module, {}).items())),
            containers=self._containers_of(module, facts),
            fixed=self._fixed_of(facts),
            aliases=self._aliases_of(facts),
            constructed=tuple(constructed),
        )

    def _removed_attrs_of(self, module: str, facts: FileFacts) -> Tuple[Tuple[str, str], ...]:
        # Matched by name, so only from modules linked to this one by an import either way:
        # the back-reference (a session removing itself from ``site.sessions``) always is.
        attrs = {a for c in facts.classes for a in c.attrs}
        out = []
        for attr in sorted(attrs):
            linked = sorted(self._removed_attrs.get(attr, set()) & self._neighbours.get(module, set()))
            if linked:
                out.append((attr, linked[0]))
        return tuple(out)

    def _containers_of(self, module: str, facts: FileFacts) -> Tuple[Tuple[str, str], ...]:
        out: Dict[str, str] = dict(facts.factories)
        for local, target in facts.imports:
            resolved = self.resolve(target)
            if resolved is None:
                continue
            kind = self._container_kind(resolved)
            if kind:
                out[local] = kind
            elif resolved[0] == "module":
                other = self.modules[resolved[1]]
                for name, fkind in other.factories:
                    out[f"{local}.{name}"] = fkind
                for cls in other.classes:
                    if cls.builtin_kind:
                        out[f"{local}.{cls.name}"] = cls.builtin_kind
        used = set(facts.used)
        return tuple(sorted((name, kind) for name, kind in out.items() if name in used))

    def _container_kind(self, resolved: Resolved) -> str:
        if resolved[0] == "factory":
            return resolved[1]
        if resolved[0] == "class":
            return self._classes[resolved[1]][resolved[2]].builtin_kind
        return ""

    def _fixed_of(self, facts: FileFacts) -> Tuple[str, ...]:
        out = []
        for local, target in facts.imports:
            resolved = self.resolve(target)
            if resolved is None:
                continue
            if resolved[0] == "const" or (resolved[0] == "class" and self._classes[resolved[1]][resolved[2]].is_enum):
                out.append(local)
            elif resolved[0] == "module":
                other = self.modules[resolved[1]]
                out.extend(f"{local}.{name}" for name in other.constants)
                out.extend(f"{local}.{c.name}" for c in other.classes if c.is_enum)
        return tuple(sorted(out))

    def _aliases_of(self, facts: FileFacts) -> Tuple[Tuple[str, str], ...]:
        # Only names the analysis resolves matter; any other re-export would cost a re-lint
        # of the module for nothing.
        out = []
        for local, target in facts.imports:
            resolved = self.resolve(target)
            if resolved is not None and resolved[0] == "external" and resolved[1] != target \
                    and resolved[1].split(".", 1)[0] in KNOWN_MODULES \
                    and any(u == local or u.startswith(local + ".") for u in facts.used):
                out.append((local, resolved[1]))
        return tuple(out)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_operator(where: str) -> bool:
    """``EventsList.__or__``: a dunder method builds a value (``Events.A | Events.B``)."""
    method = where.rsplit(".", 1)[-1]
    return "." in where and method.startswith("__") and method.endswith("__") and method != "__init__"
