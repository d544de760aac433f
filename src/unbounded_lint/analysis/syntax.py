"""Names and small syntactic tests the walk shares: which methods grow or remove items,
which constructors make queues, and shapes of keys, loops and guards."""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Tuple, Type

CTOR_METHODS = frozenset({"__init__", "__post_init__", "__setstate__", "setUp", "__enter__",
                          "__aenter__", "asyncSetUp", "setUpClass", "__new__"})
DEFINITION_TIME = frozenset({"__init_subclass__", "__set_name__", "__class_getitem__"})
GROWTH_METHODS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "put",
                            "put_nowait", "appendleft", "extendleft"})
# Method names whose mere reference (called or handed on as a callback) may bound a container;
# which of them count depends on the container's kind (see containers.py).
REMOVAL_METHODS = frozenset({"pop", "popleft", "popitem", "remove", "discard", "clear", "get",
                             "get_nowait", "difference_update", "intersection_update",
                             "symmetric_difference_update", "full", "rotate"})
PLAIN_REMOVALS = frozenset({"pop", "popleft", "popitem", "remove", "discard", "clear",
                            "difference_update", "intersection_update"})
SAFE_CALLEES = frozenset({"builtins." + n for n in (
    "len", "list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max", "any", "all",
    "reversed", "enumerate", "iter", "bool", "isinstance", "zip", "print", "repr", "str",
    "id", "hash", "type", "getattr", "hasattr", "next", "map", "filter", "dict")})
FIGURE_CREATORS = frozenset({"matplotlib.pyplot.figure", "matplotlib.pyplot.subplots",
                             "matplotlib.pyplot.subplot_mosaic", "matplotlib.pyplot.gcf"})
CACHE_DECORATORS = frozenset({"functools.lru_cache", "functools.cache"})
QUEUES = frozenset({
    "queue.Queue", "queue.LifoQueue", "queue.PriorityQueue", "queue.SimpleQueue",
    "asyncio.Queue", "asyncio.LifoQueue", "asyncio.PriorityQueue", "asyncio.queues.Queue",
    "asyncio.queues.LifoQueue", "asyncio.queues.PriorityQueue", "multiprocessing.Queue",
    "multiprocessing.JoinableQueue", "multiprocessing.SimpleQueue", "multiprocessing.queues.Queue",
})
WEAK = frozenset({"weakref.WeakValueDictionary", "weakref.WeakKeyDictionary", "weakref.WeakSet"})
META_BASES = frozenset({"builtins.type", "abc.ABCMeta", "enum.EnumMeta", "enum.EnumType"})
ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})


LITERAL_KEY, LOOP_KEY, RUNTIME_KEY = 0, 1, 2


def const_key(node: ast.AST) -> bool:
    """A key from a fixed key space: a literal, or an enum-style ``Color.RED`` member."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple):
        return all(const_key(e) for e in node.elts)
    if isinstance(node, ast.Attribute) and node.attr.isupper() and isinstance(node.value, ast.Name):
        return True
    if isinstance(node, ast.Name) and node.id.isupper() and len(node.id) > 1:
        return True
    return False


SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


# Fields that never hold a node any walk here needs: expression contexts, operators, and
# identifiers, numbers and flags. With constants (never visited: nothing below them, nothing
# to record) they are about half of what ``ast.iter_child_nodes`` yields.
SKIP_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "name", "attr", "id", "arg",
                         "module", "level", "is_async", "simple", "conversion", "asname", "names",
                         "type_ignores", "kwd_attrs"})
# node type -> ``child_fields``; hot loops read it directly and fill it through the function
CHILD_FIELDS: Dict[Type[ast.AST], Tuple[str, ...]] = {}


def child_fields(kind: Type[ast.AST]) -> Tuple[str, ...]:
    """The fields of a node type that may hold a child worth a visit (``SKIP_FIELDS`` out)."""
    fields = CHILD_FIELDS.get(kind)
    if fields is None:
        fields = CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in SKIP_FIELDS)
    return fields


def child_nodes(node: ast.AST) -> List[ast.AST]:
    """``ast.iter_child_nodes`` in the same order, without contexts, operators and constants."""
    out: List[ast.AST] = []
    for field in child_fields(type(node)):
        value = getattr(node, field, None)
        if type(value) is list:
            out.extend([v for v in value if type(v) is not ast.Constant and isinstance(v, ast.AST)])
        elif value is not None and type(value) is not ast.Constant and isinstance(value, ast.AST):
            out.append(value)
    return out


def own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes below ``node`` that run with it: not those of functions, lambdas or classes
    defined inside it (they run later, or elsewhere), nor contexts, operators and constants
    (``child_nodes``)."""
    stack = child_nodes(node)
    while stack:
        child = stack.pop()
        if isinstance(child, SCOPE_NODES):
            continue
        yield child
        stack.extend(child_nodes(child))


def receiver(node: ast.AST) -> Optional[ast.AST]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value
    if isinstance(node, ast.Subscript):
        return node.value
    return None


def loop_ends(body: List[ast.stmt]) -> bool:
    """Whether a loop body has a ``break`` or ``return`` of its own (not of a nested loop or def)."""
    stack: List[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Return)):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                             ast.For, ast.AsyncFor, ast.While)):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                # a return inside an inner loop still ends the outer one
                stack.extend(n for n in ast.walk(node) if isinstance(n, ast.Return))
            continue
        # into statements, ``except`` handlers and ``case`` blocks, where a ``break`` often is
        # (``try: v = next(it) except StopIteration: break``)
        if isinstance(node, (ast.stmt, ast.excepthandler)) or type(node).__name__ == "match_case":
            stack.extend(ast.iter_child_nodes(node))
    return False


def is_none(node: Optional[ast.AST]) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def guard_key(node: ast.AST) -> Optional[Tuple[str, ...]]:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return (node.value.id, node.attr)
    return None


def lazy_guards(test: ast.AST) -> List[Tuple[str, ...]]:
    """Targets tested for absence: ``x is None``, ``not x``, ``not hasattr(self, "x")``."""
    found: List[Tuple[str, ...]] = []
    stack = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BoolOp):
            stack.extend(node.values)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.Eq)) \
                and is_none(node.comparators[0]) and not isinstance(node.comparators[0], type(None)):
            key = guard_key(node.left)
            if key:
                found.append(key)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            operand = node.operand
            key = guard_key(operand)
            if key:
                found.append(key)
            elif isinstance(operand, ast.Call) and isinstance(operand.func, ast.Name) \
                    and operand.func.id == "hasattr" and len(operand.args) == 2 \
                    and isinstance(operand.args[0], ast.Name) \
                    and isinstance(operand.args[1], ast.Constant) and isinstance(operand.args[1].value, str):
                found.append((operand.args[0].id, operand.args[1].value))
    return found
