"""Unclosed pyplot figures (UBL005).

Only functions in which the walk saw a pyplot figure being created are looked at again, so a
module without pyplot pays nothing here. Inside such a function the figure's names (and the
Axes and artists derived from them) are followed without regard to order: a figure is fine
when it is closed, stored on an owner, passed on, or returned on every path.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

from .containers import ModuleFacts
from .model import FuncInfo


@dataclass(frozen=True)
class FigureFinding:
    """An unclosed figure, with what the fix planner needs to close it (``fix.plan``)."""

    call: ast.Call
    message: str
    kind: str  # "function", "partial", "attribute"
    stmt: Optional[ast.stmt] = None  # the statement that creates the figure
    block: Optional[List[ast.stmt]] = None  # the statements around it ("function")
    fig: Optional[str] = None  # the figure's own name ("function")
    aliases: FrozenSet[str] = frozenset()  # names bound to it or derived from it
    replaced_attr: Optional[str] = None  # ``self.fig`` re-created by a method that runs again
    plt: Optional[str] = None  # the module's name for pyplot


def pyplot_name(facts: ModuleFacts) -> Optional[str]:
    for name in facts.names.local_names_for("matplotlib.pyplot"):
        return name
    return None


def _names_in(node: ast.AST) -> Set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _blocks(node: ast.AST) -> Iterator[List[ast.stmt]]:
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(node, "handlers", []) or []:
        yield handler.body
    for case in getattr(node, "cases", []) or []:
        yield case.body


def _find_block(root: ast.AST, stmt: ast.stmt) -> Optional[List[ast.stmt]]:
    stack = [root]
    while stack:
        node = stack.pop()
        for block in _blocks(node):
            for child in block:
                if child is stmt:
                    return block
                stack.append(child)
    return None


def _is_close(facts: ModuleFacts, call: ast.AST) -> bool:
    return isinstance(call, ast.Call) and facts.names.qualname(call.func) == "matplotlib.pyplot.close"


def _closes_attr(facts: ModuleFacts, call: ast.Call, attr: Optional[str]) -> bool:
    if not call.args and not call.keywords:
        return True
    arg = call.args[0] if call.args else call.keywords[0].value
    if isinstance(arg, ast.Constant) and arg.value == "all":
        return True
    return attr is not None and any(isinstance(n, ast.Attribute) and n.attr == attr for n in ast.walk(arg))


def _class_closes(facts: ModuleFacts, func: Optional[FuncInfo], attr: str) -> bool:
    family = func.cls.family if func is not None and func.cls is not None else None
    for call, where in facts.close_calls:
        owner = where.cls.family if where is not None and where.cls is not None else None
        if owner == family and _closes_attr(facts, call, attr):
            return True
    return False


def figure_findings(facts: ModuleFacts) -> Iterator[FigureFinding]:
    plt = pyplot_name(facts)
    for call, stmt, func, _loops in facts.figure_sites:
        if func is None or stmt is None or func.kind == "lambda" or reuses_figure(call):
            continue
        found = _check(facts, call, stmt, func, plt)
        if found is not None:
            yield found


def reuses_figure(call: ast.Call) -> bool:
    """``plt.figure(self.fig)``, ``plt.figure(1)``, ``plt.figure("equity")``,
    ``plt.subplots(num="equity")``: with a ``num`` pyplot makes that figure active again when
    it exists and creates it only the first time, so the call does not add a figure per run.
    (``plt.subplots`` hands ``num`` to ``figure`` as a keyword; ``gcf()`` takes none.)"""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    num = call.args[0] if name == "figure" and call.args else None
    for kw in call.keywords:
        if kw.arg == "num":
            num = kw.value
    return num is not None and not (isinstance(num, ast.Constant) and num.value is None) \
        and not isinstance(num, ast.Starred)


def _targets(stmt: ast.stmt, call: ast.Call) -> Tuple[List[str], Optional[str], Optional[str]]:
    """Names bound to the figure and its axes, the figure's own name, and ``self.attr``."""
    if isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1:
        target = stmt.targets[0]
        elts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        names = [e.id for e in elts if isinstance(e, ast.Name)]
        first = elts[0] if elts else None
        fig = first.id if isinstance(first, ast.Name) else None
        attr = None
        if isinstance(first, ast.Attribute):
            attr = _attr_text(first)
        return names, fig, attr
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = [n for t in targets for n in _names_in(t)]
        attrs = [_attr_text(t) for t in targets if isinstance(t, ast.Attribute)]
        return names, None, attrs[0] if attrs else None
    return [], None, None


def _attr_text(node: ast.Attribute) -> Optional[str]:
    return f"{node.value.id}.{node.attr}" if isinstance(node.value, ast.Name) else None


def _check(facts: ModuleFacts, call: ast.Call, stmt: ast.stmt, func: FuncInfo,
           plt: Optional[str]) -> Optional[FigureFinding]:
    names, fig, attr = _targets(stmt, call)
    root = func.node
    if attr is not None:
        return _check_attribute(facts, call, stmt, func, plt, attr)
    aliases = _aliases(root, set(names))
    uses = _figure_uses(facts, root, call, func, fig, aliases)
    if uses.stored_attr is not None and not uses.closed:
        if not _class_closes(facts, func, uses.stored_attr.split(".", 1)[1]):
            return FigureFinding(call, f"pyplot figure stored on '{uses.stored_attr}' is never closed; close it "
                                       "with plt.close() or use matplotlib.figure.Figure if it is never shown",
                                 "attribute")
        return None
    if uses.closed or uses.escaped:
        return None
    body = getattr(root, "body", [])
    falls_off = not body or not isinstance(body[-1], (ast.Return, ast.Raise))
    if uses.returns:
        if uses.other_returns or falls_off:
            return FigureFinding(call, "pyplot figure is returned on some paths but never closed on the "
                                       "others; close it with plt.close(fig) where it is not returned",
                                 "partial")
        return None
    label = f"'{fig}'" if fig else "pyplot figure"
    return FigureFinding(call, f"{label} is never closed: pyplot keeps it alive; call "
                               f"{plt or 'plt'}.close({fig or 'fig'}) after its last use", "function",
                         stmt=stmt, block=_find_block(root, stmt), fig=fig, aliases=frozenset(aliases), plt=plt)


def _aliases(root: ast.AST, names: Set[str]) -> Set[str]:
    """The figure's names and every name bound from them (axes, artists, ``with`` targets)."""
    aliases = set(names)
    assigns = [n for n in ast.walk(root) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With))]
    changed = bool(aliases)
    while changed:
        changed = False
        for value, target in _bindings(assigns):
            if value is None or isinstance(target, (ast.Attribute, ast.Subscript)) \
                    or not (_names_in(value) & aliases):
                continue
            new = _names_in(target) - aliases
            if new:
                aliases |= new
                changed = True
    return aliases


def _bindings(nodes: Sequence[ast.AST]) -> Iterator[Tuple[Optional[ast.AST], ast.AST]]:
    """(value, target) of each assignment, ``for`` and ``with ... as`` among ``nodes``."""
    for node in nodes:
        if isinstance(node, ast.For):
            yield node.iter, node.target
        elif isinstance(node, ast.With):
            for item in node.items:
                if item.optional_vars is not None:
                    yield item.context_expr, item.optional_vars
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                yield node.value, target
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            yield node.value, node.target


# Builtins that turn what they are given into a new value: ``str(line)`` hands on text, not the
# artist (issue 11: a figure whose artists are only passed to str() is not handed on).
VALUE_BUILTINS = frozenset({"builtins." + n for n in (
    "str", "repr", "format", "len", "bool", "int", "float", "hash", "id", "type", "isinstance")})


def _kept(facts: ModuleFacts, value: ast.AST, aliases: Set[str]) -> bool:
    """Whether ``value`` hands on the figure or one of its aliases itself, not only a value
    made from it (``str(line)``, an f-string)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id in aliases:
            return True
        if isinstance(node, ast.FormattedValue):
            continue
        if isinstance(node, ast.Call) and (facts.names.qualname(node.func) or "") in VALUE_BUILTINS:
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


@dataclass
class _Uses:
    """What a function does with a figure it creates."""

    closed: bool = False
    escaped: bool = False
    returns: int = 0
    other_returns: int = 0
    stored_attr: Optional[str] = None


def _figure_uses(facts: ModuleFacts, root: ast.AST, call: ast.Call, func: FuncInfo, fig: Optional[str],
                 aliases: Set[str]) -> _Uses:
    uses = _Uses()
    for node in ast.walk(root):
        if isinstance(node, ast.Call):
            _call_use(facts, node, aliases, uses)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            _store_use(node, call, func, fig, aliases, uses)
        elif isinstance(node, (ast.Yield, ast.YieldFrom)):
            if node.value is not None and _kept(facts, node.value, aliases):
                uses.escaped = True
        elif isinstance(node, ast.Return):
            if node.value is not None and (_kept(facts, node.value, aliases) or _contains(node.value, call)):
                uses.returns += 1
            else:
                uses.other_returns += 1
    return uses


def _call_use(facts: ModuleFacts, node: ast.Call, aliases: Set[str], uses: _Uses) -> None:
    if _is_close(facts, node):
        if not aliases or not (node.args or node.keywords) or _closes_attr(facts, node, None) \
                or any(_names_in(a) & aliases for a in node.args):
            uses.closed = True
        return
    callee = node.func
    base = callee
    while isinstance(base, (ast.Attribute, ast.Subscript, ast.Call)):
        base = base.value if not isinstance(base, ast.Call) else base.func
    if isinstance(base, ast.Name) and base.id in aliases:
        return
    qn = facts.names.qualname(callee) or ""
    if qn.startswith("matplotlib.pyplot.") or qn.startswith("builtins."):
        return
    values = list(node.args) + [k.value for k in node.keywords]
    if any(_kept(facts, v, aliases) for v in values):
        uses.escaped = True


def _store_use(node: ast.AST, call: ast.Call, func: FuncInfo, fig: Optional[str], aliases: Set[str],
               uses: _Uses) -> None:
    value = getattr(node, "value", None)
    if value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target")]
    if not any(isinstance(t, (ast.Attribute, ast.Subscript)) for t in targets) \
            or not (_names_in(value) & aliases or value is call):
        return
    for t in targets:
        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) \
                and t.value.id == func.self_name and fig is not None \
                and isinstance(value, ast.Name) and value.id == fig:
            uses.stored_attr = _attr_text(t)
    uses.escaped = True


def _contains(root: ast.AST, node: ast.AST) -> bool:
    return any(n is node for n in ast.walk(root))


def _check_attribute(facts: ModuleFacts, call: ast.Call, stmt: ast.stmt, func: FuncInfo,
                     plt: Optional[str], attr: str) -> Optional[FigureFinding]:
    owner, _, name = attr.partition(".")
    if owner != func.self_name:
        return None  # stored on another object: that object owns it
    if _class_closes(facts, func, name):
        return None
    # A method that runs again replaces the figure: closing the previous one first repairs it.
    repeated = not func.is_ctor and isinstance(stmt, ast.Assign)
    return FigureFinding(call, f"pyplot figure stored on '{attr}' is never closed by its class: pyplot keeps "
                               "every figure alive; close the previous one with plt.close() or use "
                               "matplotlib.figure.Figure if it is never shown", "attribute",
                         stmt=stmt, replaced_attr=attr if repeated else None, plt=plt)
