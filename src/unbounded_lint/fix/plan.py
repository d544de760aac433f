"""Fix planning: which typed edits repair a finding, and which fix class they are in.

Every rule asks this module for its fix; nothing else builds edits. A plan is a tuple of the
typed edits of ``types`` (``Replace``, ``RenameCall``, ``InsertAfter``, ``InsertBefore``,
``AddImport``, ``RemoveImportIfUnused``), addressed by source position, and ``make_fix`` wraps
it with its ``Applicability`` (defined once, in ``types.Applicability``).

The deque-or-trim decision needs every use of the container in its owner scope. Uses come
from one index of the module built on first need (so planning is linear in the number of
containers), with a conservative matcher: any ``<name>.attr`` (for attributes) or any
``name`` (for globals and locals) counts as a use, so an unrelated look-alike can only push
the decision towards the slice-trim, which keeps the container's type.
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Set, Tuple

from ..analysis.containers import ModuleFacts
from ..analysis.model import Container, Event
from ..analysis.syntax import CHILD_FIELDS, child_fields, child_nodes
from ..types import (
    AddImport,
    Applicability,
    Edit,
    Fix,
    InsertAfter,
    InsertBefore,
    RemoveImportIfUnused,
    RenameCall,
    Replace,
)

DEQUE_METHODS = frozenset({"append", "appendleft", "extend", "extendleft", "clear", "count",
                           "remove", "popleft", "reverse", "index"})
DEQUE_SAFE_CALLS = frozenset({"len", "list", "sum", "min", "max", "sorted", "any", "all",
                              "reversed", "tuple", "set", "frozenset", "enumerate", "iter",
                              "bool", "zip"})
SIMPLE_STATEMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)
Edits = Tuple[Edit, ...]


@dataclass(frozen=True)
class DequePlan:
    """The edits that turn a list into a deque; ``public`` when its type is visible to other
    modules (so the change is unsafe whatever the bound)."""

    edits: Edits
    deque_name: str
    public: bool


def make_fix(description: str, edits: Optional[Edits], applicability: Applicability) -> Optional[Fix]:
    """A ``Fix`` for ``edits``, or None when there is nothing to apply."""
    if not edits:
        return None
    return Fix(description, tuple(edits), applicability)


def is_public(c: Container) -> bool:
    """Whether code outside the owner can see the container: an attribute or module global
    whose name has no leading underscore. A local never is."""
    return c.key[0] != "l" and not c.key[-1].startswith("_")


# ------------------------------------------------------------------------ the use index


class _UseIndex:
    """One walk of the module, shared by every container's fix decision.

    Name nodes by identifier; ``<name>.attr`` nodes by (attribute, innermost class); bare
    names in class-body statements by (class, name), which reach a class attribute (``x = []``)
    there; and the parent of every name and attribute (a use's parent and grandparent decide
    whether a deque serves it). One walk keeps planning linear: 40,000 attributes in one class
    used to mean 40,000 rescans of its body. The walk skips the fields that never hold a node
    (contexts, operators, identifiers) and never pushes constants.
    """

    def __init__(self, tree: ast.AST) -> None:
        self.parents: Dict[int, ast.AST] = {}
        self.names: Dict[str, List[ast.AST]] = {}
        self.attrs: Dict[Tuple[str, int], List[ast.AST]] = {}
        self.class_body_names: Dict[Tuple[int, str], List[ast.AST]] = {}
        parents, names, attrs, body_names = self.parents, self.names, self.attrs, self.class_body_names
        name_kind, attribute_kind = ast.Name, ast.Attribute
        fields_of, constants = CHILD_FIELDS, _CONSTANTS
        # (node, id of the innermost enclosing class or 0, id of the class whose body
        # statement holds the node or 0)
        stack: List[Tuple[ast.AST, int, int]] = [(tree, 0, 0)]
        pop, push = stack.pop, stack.append
        while stack:
            node, owner, body_of = pop()
            kind = type(node)
            if kind is name_kind:
                assert isinstance(node, ast.Name)
                names.setdefault(node.id, []).append(node)
                if body_of:
                    body_names.setdefault((body_of, node.id), []).append(node)
                continue
            if kind is attribute_kind:
                assert isinstance(node, ast.Attribute)
                if type(node.value) is name_kind:
                    attrs.setdefault((node.attr, owner), []).append(node)
            elif kind is ast.ClassDef:
                assert isinstance(node, ast.ClassDef)
                _push_class(node, push, parents)
                continue
            inner = 0 if kind in _DEFINITIONS else body_of
            # the children worth a visit, inlined: this loop runs once per node of the module
            fields = fields_of.get(kind)
            if fields is None:
                fields = child_fields(kind)
            for field in fields:
                value = getattr(node, field, None)
                if value is None:
                    continue
                for child in (value if type(value) is list else (value,)):
                    child_kind = type(child)
                    if child_kind is name_kind or child_kind is attribute_kind:
                        parents[id(child)] = node
                    elif child_kind in constants or not isinstance(child, ast.AST):
                        continue
                    push((child, owner, inner))

    def within(self, nodes: List[ast.AST], root: ast.AST) -> List[ast.AST]:
        start, end = getattr(root, "lineno", 0), getattr(root, "end_lineno", None)
        if end is None:
            return nodes
        nodes = [n for n in nodes if start <= getattr(n, "lineno", 0) <= end]
        if not nodes:
            return nodes
        inside = {id(n) for n in ast.walk(root) if type(n) is ast.Name}
        return [n for n in nodes if id(n) in inside]


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Nodes with nothing below them that the index records: never visited.
_CONSTANTS = frozenset({ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.alias, ast.Global,
                        ast.Nonlocal})


def _push_class(node: ast.ClassDef, push: "Callable[[Tuple[ast.AST, int, int]], None]",
                parents: Dict[int, ast.AST]) -> None:
    """A class's children: the class is their innermost class, and its body statements
    (not its methods or nested classes) are where bare names reach class attributes."""
    body_ids = {id(stmt) for stmt in node.body
                if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    mine = id(node)
    for child in child_nodes(node):
        if type(child) is ast.Name or type(child) is ast.Attribute:
            parents[id(child)] = node
        push((child, mine, mine if id(child) in body_ids else 0))


# One index per analysed module, dropped with it; the facts object carries no fix state.
_INDEXES: "weakref.WeakKeyDictionary[ModuleFacts, _UseIndex]" = weakref.WeakKeyDictionary()


def _use_index(facts: ModuleFacts) -> _UseIndex:
    index = _INDEXES.get(facts)
    if index is None:
        index = _INDEXES[facts] = _UseIndex(facts.tree)
    return index


def deque_name(facts: ModuleFacts) -> Tuple[Optional[str], Edits]:
    """The name to call deque by, and the import to add if none is bound yet."""
    names = list(facts.names.local_names_for("collections.deque"))
    if names:
        return names[0], ()
    if "deque" in facts.names.shadowed or "deque" in facts.names.aliases:
        return None, ()
    if "deque" in _use_index(facts).names:
        return None, ()
    return "deque", (AddImport("collections", "deque"),)


def _occurrences(facts: ModuleFacts, c: Container) -> List[ast.AST]:
    index = _use_index(facts)
    kind, name = c.key[0], c.key[-1]
    if kind == "l":
        root = next((ev.scope for ev in c.creations if ev.scope is not None), facts.tree)
        return index.within(index.names.get(name, []), root)
    if kind == "g":
        return list(index.names.get(name, []))
    family = facts.family_classes(c.family)
    # Uses inside the family's classes, and outside any class (``state.x``, ``Klass.x``).
    found: List[ast.AST] = list(index.attrs.get((name, 0), []))
    for info in family:
        found.extend(index.attrs.get((name, id(info.node)), []))
        found.extend(index.class_body_names.get((id(info.node), name), []))
    return found


# ------------------------------------------------------------------------ deque or trim


def _is_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0 and not isinstance(node.value, bool)


def _method_use(facts: ModuleFacts, attr: ast.Attribute, call: Optional[ast.Call]) -> Tuple[bool, Optional[RenameCall]]:
    """A ``x.method`` use: whether a deque has it, and the rename a front operation needs."""
    if call is None:
        return attr.attr in ("append", "appendleft", "clear"), None
    if attr.attr == "pop":
        if not call.args and not call.keywords:
            return True, None
        if len(call.args) == 1 and not call.keywords and _is_zero(call.args[0]):
            return True, _rename(facts, call, "popleft", None)
        return False, None
    if attr.attr == "insert":
        if len(call.args) == 2 and not call.keywords and _is_zero(call.args[0]):
            return True, _rename(facts, call, "appendleft", call.args[1])
        return False, None
    return attr.attr in DEQUE_METHODS, None


def _rename(facts: ModuleFacts, call: ast.Call, method: str, keep: Optional[ast.AST]) -> RenameCall:
    """Rename from the method name on, leaving the receiver's text (which may run over a
    backslash or brackets, with the file's own newlines) exactly as written."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    line = func.end_lineno or func.lineno
    name = (line, facts.char_col(line, (func.end_col_offset or 0) - len(func.attr.encode("utf-8"))))
    return RenameCall((facts.position(call), facts.end_position(call)), name,
                      facts.position(keep) if keep is not None else None, method)


def _use_ok(facts: ModuleFacts, node: ast.AST, parents: Dict[int, ast.AST],
            creation: ast.AST) -> Tuple[bool, Optional[RenameCall]]:
    """Whether this occurrence works on a deque, and a method rename it needs."""
    parent = parents.get(id(node))
    if node is creation:
        return True, None
    if parent is None:
        return False, None
    if isinstance(parent, ast.Attribute) and parent.value is node:
        grand = parents.get(id(parent))
        called = grand if isinstance(grand, ast.Call) and grand.func is parent else None
        return _method_use(facts, parent, called)
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
    if isinstance(parent, ast.UnaryOp):
        return isinstance(parent.op, ast.Not), None
    if isinstance(parent, (ast.BoolOp, ast.Starred)):
        return True, None
    return False, None


def plan_deque(facts: ModuleFacts, c: Container, maxlen: Optional[int]) -> Optional[DequePlan]:
    """Edits that turn the list into a deque, or None when some use needs a list (or the
    creation carries the user's annotation)."""
    if c.ctype.kind != "list" or len(c.creations) != 1:
        return None
    creation = c.creations[0]
    if creation.multi or creation.value is None or creation.lazy:
        return None
    if creation.ann is not None:
        return None  # rewriting the user's annotation would break every place that reads it
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
    edits: List[Edit] = [Replace(facts.position(creation.value), facts.end_position(creation.value), replacement)]
    parents = _use_index(facts).parents
    for node in _occurrences(facts, c):
        ok, rename = _use_ok(facts, node, parents, creation.node)
        if not ok:
            return None
        if rename is not None:
            edits.append(rename)
    edits.extend(imports)
    return DequePlan(tuple(edits), name, is_public(c))


def _deque_expression(facts: ModuleFacts, value: ast.AST, name: str, maxlen: Optional[int]) -> Optional[str]:
    suffix = f"maxlen={maxlen}" if maxlen is not None else ""
    if isinstance(value, ast.List) and not value.elts:
        return f"{name}({suffix})"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return _deque_from_call(facts, value, name, suffix)
    if isinstance(value, (ast.List, ast.ListComp)):
        text = facts.segment(value)
        return None if text is None else f"{name}({text}{', ' + suffix if suffix else ''})"
    return None


def _deque_from_call(facts: ModuleFacts, value: ast.Call, name: str, suffix: str) -> Optional[str]:
    assert isinstance(value.func, ast.Name)
    if value.func.id == "list" and not value.keywords and len(value.args) <= 1:
        if not value.args:
            return f"{name}({suffix})"
        inner = facts.segment(value.args[0])
        return None if inner is None else f"{name}({inner}{', ' + suffix if suffix else ''})"
    if value.func.id == "field" or facts.names.qualname(value.func) == "dataclasses.field":
        for kw in value.keywords:
            if kw.arg == "default_factory" and isinstance(kw.value, ast.Name) and kw.value.id == "list":
                others = [f"{k.arg}={facts.segment(k.value)}" for k in value.keywords if k is not kw]
                parts = [f"default_factory=lambda: {name}({suffix})"] + others
                return f"{facts.segment(value.func)}({', '.join(parts)})"
    return None


def container_maxlen(facts: ModuleFacts, c: Container, maxlen: int) -> Optional[int]:
    """``maxlen`` for a list that grows without bound, None for one only popped at the front.

    UBL001 and UBL004 both convert a list to a deque; they must agree on the one creation edit.
    """
    if facts.bound_reason(c) is None and any(True for _ in facts.growths(c)):
        return maxlen
    return None


def _statement_ok(ev: Event) -> bool:
    return not ev.nested and isinstance(ev.stmt, SIMPLE_STATEMENTS)


def plan_trim(facts: ModuleFacts, ev: Event, maxlen: int) -> Optional[Edits]:
    """``if len(x) > N: del x[:-N]`` after the growth statement."""
    if not _statement_ok(ev):
        return None
    text = facts.receiver_text(ev)
    if text is None:
        return None
    keep = f"del {text}[{maxlen}:]" if ev.front else f"del {text}[:-{maxlen}]"
    assert ev.stmt is not None
    return (InsertAfter(facts.position(ev.stmt), f"if len({text}) > {maxlen}:\n    {keep}\n"),)


def plan_evict(facts: ModuleFacts, ev: Event, maxlen: int) -> Optional[Edits]:
    """``if len(d) > N: d.pop(next(iter(d)))`` after the insert (oldest first)."""
    if not _statement_ok(ev) or ev.depth:
        return None
    text = facts.receiver_text(ev)
    if text is None:
        return None
    loop = "while" if ev.op in ("update", "|=") else "if"
    assert ev.stmt is not None
    code = f"{loop} len({text}) > {maxlen}:\n    {text}.pop(next(iter({text})))\n"
    return (InsertAfter(facts.position(ev.stmt), code),)


def plan_keyword(facts: ModuleFacts, call: ast.Call, keyword: str, value: int) -> Optional[Edits]:
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


# ------------------------------------------------------------------------ figures (UBL005)


def plan_close_after(facts: ModuleFacts, block: Optional[List[ast.stmt]], stmt: ast.stmt, fig: Optional[str],
                     aliases: Set[str], plt: Optional[str]) -> Optional[Edits]:
    """``plt.close(fig)`` after the last statement of the creating block that uses the figure
    or anything derived from it."""
    if plt is None or fig is None or block is None:
        return None
    last = stmt
    for candidate in block[block.index(stmt) + 1:]:
        if any(isinstance(n, ast.Name) and n.id in aliases for n in ast.walk(candidate)):
            last = candidate
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return None
    return (InsertAfter(facts.position(last), f"{plt}.close({fig})\n"),)


def plan_close_before(facts: ModuleFacts, stmt: ast.stmt, plt: str, attr_text: str) -> Edits:
    """Close the figure held in ``self.attr`` before the statement replaces it."""
    base, _, attr = attr_text.rpartition(".")
    return (InsertBefore(facts.position(stmt),
                         f'if getattr({base}, "{attr}", None) is not None:\n    {plt}.close({attr_text})\n'),)


# ------------------------------------------------------------------------ caches (UBL008)


def plan_lru_cache(facts: ModuleFacts, dec: ast.expr, n: int) -> Optional[Edits]:
    """The decorator as ``lru_cache(maxsize=n)``, spelled with the module's own names."""
    if isinstance(dec, ast.Call):
        for kw in dec.keywords:
            if kw.arg == "maxsize":
                return (Replace(facts.position(kw.value), facts.end_position(kw.value), str(n)),)
        if dec.args:
            return (Replace(facts.position(dec.args[0]), facts.end_position(dec.args[0]), str(n)),)
        return None
    if isinstance(dec, ast.Attribute):
        base = facts.segment(dec.value)
        return None if base is None else (Replace(facts.position(dec), facts.end_position(dec),
                                                  f"{base}.lru_cache(maxsize={n})"),)
    # ``@cache`` (or an alias of it): the import may become unused once replaced.
    cleanup: Edits = ()
    if isinstance(dec, ast.Name) and facts.names.aliases.get(dec.id) == "functools.cache" and dec.id == "cache":
        cleanup = (RemoveImportIfUnused("functools", "cache"),)
    start, end = facts.position(dec), facts.end_position(dec)
    names = list(facts.names.local_names_for("functools.lru_cache"))
    if names:
        return (Replace(start, end, f"{names[0]}(maxsize={n})"),) + cleanup
    modules = list(facts.names.local_names_for("functools"))
    if modules:
        return (Replace(start, end, f"{modules[0]}.lru_cache(maxsize={n})"),) + cleanup
    if "lru_cache" in facts.names.shadowed:
        return None
    return (Replace(start, end, f"lru_cache(maxsize={n})"), AddImport("functools", "lru_cache")) + cleanup
