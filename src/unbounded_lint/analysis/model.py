"""The facts one walk of a module produces: scopes, containers and the events on them."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Set, Tuple, Union

ATTR, GLOBAL, LOCAL = "c", "g", "l"


class AttrKey(NamedTuple):
    """An attribute of the instances or of the class of a class family."""

    kind: str  # ATTR
    family: str  # the qualified name of the family's first class
    name: str


class GlobalKey(NamedTuple):
    """A module global."""

    kind: str  # GLOBAL
    name: str


class LocalKey(NamedTuple):
    """A local of one function (``func_id`` is ``FuncInfo.id``)."""

    kind: str  # LOCAL
    func_id: int
    name: str


# A container is keyed by where it lives. The keys are tuples whose first item is the kind, so
# that code reading ``key[0]`` keeps working; new code reads the named fields.
Key = Union[AttrKey, GlobalKey, LocalKey]


# Built with tuple.__new__: the walk makes one key per event, and NamedTuple's own __new__ is a
# Python function call.
_new = tuple.__new__


def attr_key(family: str, name: str) -> AttrKey:
    return _new(AttrKey, (ATTR, family, name))


def global_key(name: str) -> GlobalKey:
    return _new(GlobalKey, (GLOBAL, name))


def local_key(func_id: int, name: str) -> LocalKey:
    return _new(LocalKey, (LOCAL, func_id, name))


@dataclass(frozen=True)
class CType:
    """What a creation expression builds."""

    kind: str  # list, dict, set, deque, queue, weak, none, other
    subtype: str = ""  # defaultdict, counter, ordered, or the queue's qualified name
    bounded: bool = False  # deque(maxlen=n), Queue(maxsize=n)
    elem: str = ""  # element kind for dict-of-containers: list, dict, set, deque, bounded


OTHER = CType("other")
NONE = CType("none")


class FuncInfo:
    """A function, method or lambda: the context every event happens in."""

    __slots__ = (
        "node", "name", "cls", "self_name", "kind", "parent", "locals", "globals", "nonlocals",
        "params", "pending", "is_ctor", "definition_time",
        "self_calls", "id", "is_method", "decorators", "returned_params", "rebound",
        "self_refs", "returned_defs", "aliases", "alias_depth", "stores",
    )

    def __init__(self, node: ast.AST, name: str, parent: Optional["FuncInfo"]) -> None:
        self.node = node
        self.name = name
        self.parent = parent
        self.cls: Optional["ClassInfo"] = None
        self.self_name: Optional[str] = None
        self.kind = "function"
        self.locals: Set[str] = set()
        self.globals: Set[str] = set()
        self.nonlocals: Set[str] = set()
        self.params: Set[str] = set()
        self.pending: List["Event"] = []
        self.is_ctor = False
        self.definition_time = False
        self.self_calls: List[str] = []  # self.<name> referenced (called or not)
        self.self_refs: Set[str] = set()  # self.<name> referenced without being called
        self.id = id(node)
        self.is_method = False
        self.decorators: Tuple[str, ...] = ()
        self.returned_params: Set[str] = set()
        self.rebound: Set[str] = set()
        self.returned_defs: Set[str] = set()  # functions defined in its own body that it returns
        # q = self.q: a local name for a container of another owner (used only if bound once)
        self.aliases: Dict[str, "Key"] = {}
        # q = self.queues[k] / self.queues.get(k) / self._queue_for(k): an element, this deep
        self.alias_depth: Dict[str, int] = {}
        self.stores: Dict[str, int] = {}  # how many times each local name is bound


class ClassInfo:
    """A class: its methods, bases and what its names suggest about its lifetime."""

    __slots__ = ("node", "name", "qualname", "bases", "methods", "family", "is_meta",
                 "base_qualnames", "long_running", "loop_methods")

    def __init__(self, node: ast.ClassDef, qualname: str) -> None:
        self.node = node
        self.name = node.name
        self.qualname = qualname
        self.bases: List[str] = []
        self.base_qualnames: List[str] = []
        self.methods: Dict[str, FuncInfo] = {}
        self.family = qualname
        self.is_meta = False
        self.long_running = False
        self.loop_methods: Set[str] = set()  # methods holding a long-running loop that never ends


class Event:
    """Something that happens to a container: created, grown, bounded, popped at the front."""

    __slots__ = ("kind", "op", "key", "name", "depth", "node", "stmt", "func", "loops",
                 "nested", "ctype", "lazy", "const", "text", "front", "value", "ann",
                 "multi", "scope", "in_loop", "loop_key", "owner_class")

    def __init__(self, kind: str, op: str, node: ast.AST, stmt: Optional[ast.stmt],
                 func: Optional[FuncInfo], loops: Tuple[ast.AST, ...], nested: bool) -> None:
        self.kind = kind  # create | grow | bound | popfront | pass | return | attr
        self.op = op
        self.key: Optional[Key] = None
        self.name: Optional[str] = None  # a bare name still to be resolved against scopes
        self.depth = 0
        self.node = node
        self.stmt = stmt
        self.func = func
        self.loops = loops
        self.nested = nested  # inside a lambda or comprehension
        self.ctype: CType = OTHER
        self.lazy = False
        self.const = False  # every key inserted is a literal: a fixed key space, not growth
        self.loop_key = False  # keys bound by a for over a fixed domain (heuristic fixed-key)
        self.owner_class = ""  # for an attribute: the class it was resolved in (before families)
        self.text = ""
        self.front = False
        self.value: Optional[ast.AST] = None
        self.ann: Optional[ast.AST] = None
        self.multi = False
        self.scope: Optional[ast.AST] = None
        self.in_loop = False  # inside any for/while loop of its function


@dataclass
class Container:
    """Everything known about one container across its owner scope."""

    key: Key
    creations: List[Event] = field(default_factory=list)
    growths: List[Event] = field(default_factory=list)
    bounds: List[Event] = field(default_factory=list)
    popfronts: List[Event] = field(default_factory=list)
    attrs: List[Event] = field(default_factory=list)  # removal/consumer method references
    passed: List[Event] = field(default_factory=list)
    returned: List[Event] = field(default_factory=list)
    ctype: CType = OTHER

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def is_attr(self) -> bool:
        return self.key.kind == ATTR

    @property
    def is_global(self) -> bool:
        return self.key.kind == GLOBAL

    @property
    def is_local(self) -> bool:
        return self.key.kind == LOCAL

    @property
    def family(self) -> str:
        """The class family of an attribute ("" for globals and locals)."""
        return self.key.family if isinstance(self.key, AttrKey) else ""


@dataclass
class CacheSite:
    """A functools cache decorator (UBL006/UBL008)."""

    decorator: ast.expr
    func: ast.AST
    qualname: str  # functools.cache or functools.lru_cache
    unbounded: bool
    on_instance_method: bool
    in_function: bool = False  # a closure's cache dies with the closure
    owner: Optional["ClassInfo"] = None  # the class whose body defines the method
