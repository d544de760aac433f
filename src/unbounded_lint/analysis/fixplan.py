"""How a container can be repaired: the deque-or-trim decision and the edits for each site.

The decision needs every use of the container in its owner scope. Uses are collected lazily,
only for containers that have a finding, with a conservative matcher: any ``<name>.attr`` (for
attributes) or any ``name`` (for globals and locals) counts as a use, so an unrelated
look-alike can only push the decision towards the always-safe slice-trim.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ..types import AddImport, Fix, InsertAfter, InsertBefore, Replace
from .containers import ModuleFacts
from .model import Container, Event

DEQUE_METHODS = frozenset({"append", "appendleft", "extend", "extendleft", "clear", "count",
                           "remove", "popleft", "reverse", "index"})
DEQUE_SAFE_CALLS = frozenset({"len", "list", "sum", "min", "max", "sorted", "any", "all",
                              "reversed", "tuple", "set", "frozenset", "enumerate", "iter",
                              "bool", "zip"})
SIMPLE_STATEMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)


@dataclass(frozen=True)
class DequePlan:
    edits: Tuple[object, ...]
    deque_name: str


class _UseIndex:
    """One walk of the module, shared by every container's fix decision: parents, and the
    Name / Attribute nodes by identifier (so a big module is not re-walked per container)."""

    def __init__(self, tree: ast.AST) -> None:
        self.parents: Dict[int, ast.AST] = {}
        self.names: Dict[str, List[ast.AST]] = {}
        # (attribute name, id of the innermost enclosing class or 0) -> nodes
        self.attrs: Dict[Tuple[str, int], List[ast.AST]] = {}
        stack: List[Tuple[ast.AST, Optional[ast.AST]]] = [(tree, None)]
        while stack:
            node, owner = stack.pop()
            if isinstance(node, ast.Name):
                self.names.setdefault(node.id, []).append(node)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                self.attrs.setdefault((node.attr, id(owner) if owner is not None else 0), []).append(node)
            inner = node if isinstance(node, ast.ClassDef) else owner
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
                stack.append((child, inner))

    def within(self, nodes: List[ast.AST], root: ast.AST) -> List[ast.AST]:
        start, end = getattr(root, "lineno", 0), getattr(root, "end_lineno", None)
        if end is None:
            return nodes
        return [n for n in nodes if start <= getattr(n, "lineno", 0) <= end and self._inside(n, root)]

    def _inside(self, node: ast.AST, root: ast.AST) -> bool:
        current: Optional[ast.AST] = node
        while current is not None:
            if current is root:
                return True
            current = self.parents.get(id(current))
        return False


def _use_index(facts: ModuleFacts) -> _UseIndex:
    index = getattr(facts, "_use_index", None)
    if index is None:
        index = _UseIndex(facts.tree)
        setattr(facts, "_use_index", index)
    return index


def deque_name(facts: ModuleFacts) -> Tuple[Optional[str], Tuple[object, ...]]:
    """The name to call deque by, and the import to add if none is bound yet."""
    names = list(facts.names.local_names_for("collections.deque"))
    if names:
        return names[0], ()
    if "deque" in facts.names.shadowed or "deque" in facts.names.aliases:
        return None, ()
    if "deque" in _use_index(facts).names:
        return None, ()
    return "deque", (AddImport("collections", "deque"),)


def _occurrences(facts: ModuleFacts, c: Container) -> Tuple[Dict[int, ast.AST], List[ast.AST]]:
    index = _use_index(facts)
    kind, name = c.key[0], c.key[-1]
    if kind == "l":
        root = next((ev.scope for ev in c.creations if ev.scope is not None), facts.tree)
        return index.parents, index.within(index.names.get(name, []), root)
    if kind == "g":
        return index.parents, list(index.names.get(name, []))
    family = facts.family_classes(c.family)
    owners = {id(info.node) for info in family}
    # Uses inside the family's classes, and outside any class (``state.x``, ``Klass.x``).
    found: List[ast.AST] = list(index.attrs.get((name, 0), []))
    for owner in owners:
        found.extend(index.attrs.get((name, owner), []))
    # Bare names reach a class attribute only in the class body itself (``x = []``).
    for info in family:
        for stmt in info.node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.extend(n for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id == name)
    return index.parents, found


def _use_ok(node: ast.AST, parents: Dict[int, ast.AST], creation: ast.AST) -> Tuple[bool, Optional[Tuple[str, ast.Call]]]:
    """Whether this occurrence works on a deque, and a method rename it needs."""
    parent = parents.get(id(node))
    if node is creation:
        return True, None
    if parent is None:
        return False, None
    if isinstance(parent, ast.Attribute) and parent.value is node:
        grand = parents.get(id(parent))
        called = isinstance(grand, ast.Call) and grand.func is parent
        attr = parent.attr
        if not called:
            return attr in ("append", "appendleft", "clear"), None
        assert isinstance(grand, ast.Call)
        if attr == "pop":
            if not grand.args and not grand.keywords:
                return True, None
            if len(grand.args) == 1 and isinstance(grand.args[0], ast.Constant) and grand.args[0].value == 0:
                return True, ("popleft", grand)
            return False, None
        if attr == "insert":
            if len(grand.args) == 2 and isinstance(grand.args[0], ast.Constant) and grand.args[0].value == 0:
                return True, ("appendleft", grand)
            return False, None
        return attr in DEQUE_METHODS, None
    if isinstance(parent, ast.Call) and node in parent.args:
        func = parent.func
        return isinstance(func, ast.Name) and func.id in DEQUE_SAFE_CALLS, None
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node:
        return True, None
    if isinstance(parent, ast.Compare) and isinstance(node, ast.expr) and node in parent.comparators:
        index = parent.comparators.index(node)
        return isinstance(parent.ops[index], (ast.In, ast.NotIn)), None
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return not isinstance(parent.slice, ast.Slice), None
    if isinstance(parent, (ast.If, ast.While, ast.IfExp)) and parent.test is node:
        return True, None
    if isinstance(parent, (ast.UnaryOp, ast.BoolOp)):
        return isinstance(parent, ast.BoolOp) or isinstance(parent.op, ast.Not), None
    if isinstance(parent, ast.Starred):
        return True, None
    return False, None


def plan_deque(facts: ModuleFacts, c: Container, maxlen: Optional[int]) -> Optional[DequePlan]:
    """Edits that turn the list into a deque, or None when some use needs a list."""
    cache_key = ("deque", maxlen)
    cached = getattr(c, "_plans", None)
    if cached is None:
        cached = {}
        setattr(c, "_plans", cached)
    if cache_key in cached:
        return cached[cache_key]
    plan = _plan_deque(facts, c, maxlen)
    cached[cache_key] = plan
    return plan


def _plan_deque(facts: ModuleFacts, c: Container, maxlen: Optional[int]) -> Optional[DequePlan]:
    if c.ctype.kind != "list" or len(c.creations) != 1:
        return None
    creation = c.creations[0]
    if creation.multi or creation.value is None or creation.lazy:
        return None
    if any(g.op in ("insert", "+=", "x = x + ...") and not g.front for g in c.growths):
        return None
    if any(g.depth for g in c.growths) or any(ev.depth for ev in c.bounds + c.attrs):
        return None
    name, imports = deque_name(facts)
    if name is None:
        return None
    replacement = _deque_expression(facts, creation.value, name, maxlen)
    if replacement is None:
        return None
    edits: List[object] = [Replace(facts.position(creation.value), facts.end_position(creation.value), replacement)]
    if creation.ann is not None:
        ann = creation.ann
        base = ann.value if isinstance(ann, ast.Subscript) else ann
        if not (isinstance(base, ast.Name) and base.id == "list"):
            return None
        edits.append(Replace(facts.position(base), facts.end_position(base), name))
    parents, occurrences = _occurrences(facts, c)
    creation_target = creation.node
    for node in occurrences:
        ok, rename = _use_ok(node, parents, creation_target)
        if not ok:
            return None
        if rename is not None:
            method, call = rename
            # Rewrite from the method name on and leave the receiver's text (which may run over
            # a backslash or brackets, with the file's own newlines) as it is:
            # ``insert(0, `` -> ``appendleft(``, ``pop(0)`` -> ``popleft()``.
            func = call.func
            assert isinstance(func, ast.Attribute)
            line = func.end_lineno or func.lineno
            name_start = (line, facts.char_col(line, (func.end_col_offset or 0) - len(func.attr.encode("utf-8"))))
            if method == "appendleft":
                edits.append(Replace(name_start, facts.position(call.args[1]), "appendleft("))
            else:
                edits.append(Replace(name_start, facts.end_position(call), "popleft()"))
    edits.extend(imports)
    return DequePlan(tuple(edits), name)


def _deque_expression(facts: ModuleFacts, value: ast.AST, name: str, maxlen: Optional[int]) -> Optional[str]:
    suffix = f"maxlen={maxlen}" if maxlen is not None else ""
    if isinstance(value, ast.List) and not value.elts:
        return f"{name}({suffix})"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        func = value.func.id
        if func == "list" and not value.keywords and len(value.args) <= 1:
            if not value.args:
                return f"{name}({suffix})"
            inner = facts.segment(value.args[0])
            return None if inner is None else f"{name}({inner}{', ' + suffix if suffix else ''})"
        if func == "field" or (isinstance(value.func, ast.Name) and facts.names.qualname(value.func) == "dataclasses.field"):
            for kw in value.keywords:
                if kw.arg == "default_factory" and isinstance(kw.value, ast.Name) and kw.value.id == "list":
                    others = [f"{k.arg}={facts.segment(k.value)}" for k in value.keywords if k is not kw]
                    parts = [f"default_factory=lambda: {name}({suffix})"] + others
                    return f"{facts.segment(value.func)}({', '.join(parts)})"
            return None
        return None
    if isinstance(value, (ast.List, ast.ListComp)):
        text = facts.segment(value)
        return None if text is None else f"{name}({text}{', ' + suffix if suffix else ''})"
    return None


def _statement_ok(ev: Event) -> bool:
    return not ev.nested and isinstance(ev.stmt, SIMPLE_STATEMENTS)


def plan_trim(facts: ModuleFacts, ev: Event, maxlen: int) -> Optional[Tuple[object, ...]]:
    """``if len(x) > N: del x[:-N]`` after the growth statement."""
    if not _statement_ok(ev):
        return None
    text = facts.receiver_text(ev)
    if text is None:
        return None
    keep = f"del {text}[{maxlen}:]" if ev.front else f"del {text}[:-{maxlen}]"
    assert ev.stmt is not None
    return (InsertAfter(facts.position(ev.stmt), f"if len({text}) > {maxlen}:\n    {keep}\n"),)


def plan_evict(facts: ModuleFacts, ev: Event, maxlen: int) -> Optional[Tuple[object, ...]]:
    """``if len(d) > N: d.pop(next(iter(d)))`` after the insert (oldest first)."""
    if not _statement_ok(ev) or ev.depth:
        return None
    text = facts.receiver_text(ev)
    if text is None:
        return None
    loop = "while" if ev.op in ("update", "|=") else "if"
    assert ev.stmt is not None
    return (InsertAfter(facts.position(ev.stmt), f"{loop} len({text}) > {maxlen}:\n    {text}.pop(next(iter({text})))\n"),)


def plan_keyword(facts: ModuleFacts, call: ast.Call, keyword: str, value: int) -> Optional[Tuple[object, ...]]:
    """Set ``keyword=value`` on a constructor call (``maxlen`` for deque, ``maxsize`` for queues)."""
    text = facts.segment(call)
    func = facts.segment(call.func)
    if text is None or func is None:
        return None
    args = [facts.segment(a) for a in call.args]
    kws = []
    for kw in call.keywords:
        if kw.arg == keyword:
            continue
        kws.append(f"{kw.arg}={facts.segment(kw.value)}" if kw.arg else f"**{facts.segment(kw.value)}")
    if keyword == "maxlen" and len(call.args) >= 2:
        args = args[:1]
    if keyword == "maxsize" and call.args:
        args = args[1:]
    if any(a is None for a in args) or any("None" == k for k in kws):
        return None
    parts = [a for a in args if a] + kws + [f"{keyword}={value}"]
    return (Replace(facts.position(call), facts.end_position(call), f"{func}({', '.join(parts)})"),)


def make_fix(description: str, edits: Optional[Tuple[object, ...]], unsafe: bool = False) -> Optional[Fix]:
    from ..types import Applicability

    if not edits:
        return None
    return Fix(description, tuple(edits), Applicability.UNSAFE if unsafe else Applicability.SAFE)


def close_before(facts: ModuleFacts, stmt: ast.stmt, plt: str, attr_text: str) -> Tuple[object, ...]:
    base, _, attr = attr_text.rpartition(".")
    return (InsertBefore(facts.position(stmt),
                         f'if getattr({base}, "{attr}", None) is not None:\n    {plt}.close({attr_text})\n'),)


def container_maxlen(facts: ModuleFacts, c: Container, maxlen: int) -> Optional[int]:
    """``maxlen`` for a list that grows without bound, None for one only popped at the front.

    UBL001 and UBL004 both convert a list to a deque; they must agree on the one creation edit.
    """
    if facts.bound_reason(c) is None and any(True for _ in facts.growths(c)):
        return maxlen
    return None
