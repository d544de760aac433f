"""The facts one file contributes to the project index: small, frozen, and JSON-encodable.

Facts name things by *dotted module path* (``shop.models.Cart``) so that the link step can
join the facts of every file without looking at any tree again. They are cached per file,
keyed by the sha256 of its content: a file that did not change is never extracted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Tuple

# What happens to an instance where it is created. Long-lived fates keep the instance for the
# life of whatever holds it; per-call fates make one instance per call of the enclosing code.
MODULE = "module"  # assigned (or used) at module level: built once, at import
ATTR = "attr"  # stored on an attribute: ``self.engine = Engine()``, ``app.state = State()``
ENTRY = "entry"  # a local of ``main()``-like entry points: lives as long as the program
LOCAL = "local"  # a local of an ordinary function or method: one per call
COLLECTED = "collected"  # appended or stored into a container: one of many
RETURNED = "returned"  # returned by a function or method: one per call
KEPT = "kept"  # stored into a container on ``self`` (holder ``Class.attr``): lives as its entry
ARGUMENT = "argument"  # handed straight to another call: whoever takes it decides
FATES = (MODULE, ATTR, ENTRY, LOCAL, COLLECTED, RETURNED, KEPT, ARGUMENT)


@dataclass(frozen=True)
class ClassFact:
    """A class defined at the top level of a module."""

    name: str
    bases: Tuple[str, ...]  # qualified where the import is known, else as written
    builtin_kind: str = ""  # list / dict / set: subclasses a builtin without overriding growth
    is_enum: bool = False
    attrs: Tuple[str, ...] = ()  # ``self.<name> = <container or call>`` anywhere in the class
    bounded: Tuple[str, ...] = ()  # ``self.<name>`` emptied or replaced outside the constructor
    # (method, names it calls through ``self``; "*name": the call runs later, in a nested
    # function or as a callback handed on)
    methods: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Instantiation:
    """``Cls(...)`` somewhere in the file, and what becomes of the new instance."""

    target: str  # qualified name of the class called (as far as the file's imports tell)
    fate: str
    holder: str = ""  # for ATTR on ``self``: the class whose instance holds it
    where: str = ""  # the enclosing function or method, for messages


@dataclass(frozen=True)
class Removal:
    """An attribute emptied, trimmed or replaced through a receiver other than ``self``.

    ``site.sessions.pop(key)``, ``obj._buffer = []``, ``trans_real._translations = {}``. When the
    receiver is an imported module, ``module`` names it and the fact concerns that module's
    global; otherwise it is matched by attribute name within linked modules.
    """

    attr: str
    op: str
    module: str = ""


@dataclass(frozen=True)
class FileFacts:
    """Everything the index knows about one file."""

    module: str  # dotted module name
    imports: Tuple[Tuple[str, str], ...] = ()  # (local name, qualified target); relative resolved
    classes: Tuple[ClassFact, ...] = ()
    factories: Tuple[Tuple[str, str], ...] = ()  # (function name, kind of container it returns)
    constants: Tuple[str, ...] = ()  # module names bound to literal tuples/lists/sets/frozensets
    instances: Tuple[Instantiation, ...] = ()
    removals: Tuple[Removal, ...] = ()
    # imported or module-level names called into an assignment or used as decorators: the
    # only places where a project container or a re-exported name can change a finding
    used: Tuple[str, ...] = ()


FORMAT = 2


def encode(facts: FileFacts) -> Dict[str, Any]:
    return {
        "m": facts.module,
        "i": [list(pair) for pair in facts.imports],
        "c": [[c.name, list(c.bases), c.builtin_kind, c.is_enum, list(c.attrs), list(c.bounded),
               [[m, list(calls)] for m, calls in c.methods]]
              for c in facts.classes],
        "f": [list(pair) for pair in facts.factories],
        "k": list(facts.constants),
        "n": [[i.target, i.fate, i.holder, i.where] for i in facts.instances],
        "r": [[r.attr, r.op, r.module] for r in facts.removals],
        "u": list(facts.used),
    }


def decode(data: Dict[str, Any]) -> FileFacts:
    """The inverse of ``encode``; raises on anything malformed (the caller re-extracts)."""
    module = data["m"]
    if not isinstance(module, str):
        raise ValueError("malformed facts")
    return FileFacts(
        module=module,
        imports=tuple((str(a), str(b)) for a, b in data["i"]),
        classes=tuple(ClassFact(str(n), tuple(str(b) for b in bases), str(kind), bool(enum),
                                tuple(str(a) for a in attrs), tuple(str(b) for b in bounded),
                                tuple((str(m), tuple(str(c) for c in calls)) for m, calls in methods))
                      for n, bases, kind, enum, attrs, bounded, methods in data["c"]),
        factories=tuple((str(a), str(b)) for a, b in data["f"]),
        constants=tuple(str(k) for k in data["k"]),
        instances=tuple(Instantiation(str(t), str(f), str(h), str(w)) for t, f, h, w in data["n"]),
        removals=tuple(Removal(str(a), str(o), str(m)) for a, o, m in data["r"]),
        used=tuple(str(u) for u in data["u"]),
    )
