"""The one seam between the file-local analysis and the project index.

``analyse_module`` takes an optional ``ModuleView`` (see ``index/view.py``): the module's view
of the project index. It is None when the run has no index (``--no-project-index``, the flake8
plugin or ``--stdin-filename`` without a cached index), and then every function below answers
as if it were not there. The functions here change the analysis' *facts*, each at one place
marked "index seam":

- ``project_container`` (``index-project-container``, in ``Classifier``): a call to a
  ``list``/``dict``/``set`` subclass or to a factory returning a fresh container, defined in
  another module of the project, creates a container that is checked like a literal;
- ``fixed_key_domain`` (``index-fixed-key-domain``, in ``Recorder._fixed_domain``): an enum or a
  literal constant collection imported from another module of the project is a fixed key space;
- ``reexports`` (``index-reexport``, in ``Walker.run``): a name the project re-exports
  (``from myproj.compat import cache``) is the outside name it stands for (``functools.cache``);
- ``constructed_methods`` (``index-constructed``, in ``lifecycle.method_roles``): a private
  method that only constructors call anywhere in its class hierarchy, subclasses in other
  modules included, builds the owner, like a helper only the class's own constructor calls;
- ``bounded_elsewhere`` (``index-bounded-elsewhere``, in ``ModuleFacts._compute_bound``):
  another module of the project empties, trims or resets the attribute (through a
  back-reference) or the module global, so the container is bounded.

The index's one *confidence* heuristic, ``index-transient-owner``, is a registry entry like the
others (``heuristics/index.py``) and can be switched off with ``--disable-heuristics``.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, FrozenSet, Iterable, Optional, Set, Tuple

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from ..index.view import ModuleView
    from ..types import Finding
    from .facts import ModuleFacts

# The one name a fact change shows to users: in the bound reason of a container it bounded.
BOUNDED_ELSEWHERE = "index-bounded-elsewhere"


def bounded_elsewhere(view: "Optional[ModuleView]", is_attr: bool, is_global: bool, name: str) -> Optional[str]:
    """The bound reason when another module empties this attribute or resets this global."""
    if view is None:
        return None
    if is_attr:
        where = view.attribute_removed_elsewhere(name)
    elif is_global:
        where = view.global_reset_elsewhere(name)
    else:
        return None
    return f"emptied or reset from {where} ({BOUNDED_ELSEWHERE})" if where else None


def constructed_methods(view: "Optional[ModuleView]") -> "Callable[[str], FrozenSet[str]]":
    """index seam (``index-constructed``, in ``lifecycle.method_roles``): for a class of the
    module, its private methods that only constructors call anywhere in the class hierarchy
    (``_create_optimizer()`` called from the subclasses' ``__init__`` in other modules). They
    build the owner: growth there is construction."""
    if view is None:
        return lambda _name: frozenset()
    return view.constructed_methods


def project_container(view: "Optional[ModuleView]", func: ast.AST) -> str:
    """``BarList()`` / ``models.make_registry()``: the container kind, or ""."""
    if view is None:
        return ""
    written = dotted(func)
    return view.container_kind(written) if written else ""


def fixed_key_domain(view: "Optional[ModuleView]", node: ast.AST) -> bool:
    """``for kind in KINDS`` / ``for c in Color`` with the name imported from the project."""
    if view is None:
        return False
    written = dotted(node)
    return bool(written) and view.is_fixed_domain(written)


def reexports(view: "Optional[ModuleView]") -> Tuple[Tuple[str, str], ...]:
    """(local name, outside name) for names the project re-exports."""
    return view.aliases if view is not None else ()


def with_owner_because(finding: "Finding", view: "Optional[ModuleView]") -> "Finding":
    """The finding, saying why its owner is long-lived when the index knows (and no heuristic
    explains the finding instead). A function of the finding alone, so a finding linted
    without its view can be given it afterwards (``runner``)."""
    if view is None or finding.heuristics or "." not in finding.container:
        return finding
    owner = finding.container.split(".", 1)[0]
    life = view.owner_lifetime(owner)
    if life is None or life.verdict != "long-lived":
        return finding
    return replace(finding, because=f"instance attribute of {owner}: {life.because}")


def may_change(view: "Optional[ModuleView]", code: str, container: str) -> bool:
    """Whether the view could lower or bound a finding made without it (``container`` is
    ``Class.attr``, ``function.name`` or a global's name)."""
    if view is None:
        return False
    parts = container.split(".")
    life = view.owner_lifetime(parts[0])
    return (life is not None and life.verdict == "transient") \
        or bool(view.constructed_methods(parts[0])) \
        or view.attribute_removed_elsewhere(parts[-1]) is not None \
        or view.global_reset_elsewhere(parts[-1]) is not None \
        or (bool(view.fixed) and code == "UBL002")


def open_questions(facts: "ModuleFacts") -> FrozenSet[str]:
    """What a project container could change in a module linted alone: the names (as written,
    ``BarList``, ``models.make_registry``) called in the creations of containers of unknown
    kind that grow where growth can be a finding (an owner that outlives the call, a local in
    a long-running loop) or are used as a queue. Only these can become project containers that make
    new findings; a factory whose result never grows cannot."""
    names: Set[str] = set()
    for c in facts.containers.values():
        if c.ctype.kind != "other":
            continue
        # a local's growth is a finding only inside a long-running loop (a front operation is
        # one anywhere)
        grows = any(not c.is_local or ev.loops for ev in c.growths)
        if not (grows or c.popfronts):
            continue
        for ev in c.creations:
            value = getattr(ev.stmt, "value", None)
            if value is None:
                continue
            for node in ast.walk(value):
                if isinstance(node, (ast.Name, ast.Attribute)):
                    written = dotted(node)
                    if written:
                        names.add(written)
    return frozenset(names)


def needs_view(findings: "Iterable[Finding]", view: "Optional[ModuleView]",
               questions: Optional[FrozenSet[str]] = None) -> bool:
    """Whether linting with the view can differ from linting alone: project containers the
    module grows (``questions``, see ``open_questions``; every container the module uses when
    unknown) and re-exported names it uses can make new findings; otherwise the index only
    lowers or bounds what was found, and only where a finding's owner is in the view."""
    if view is None:
        return False
    if view.aliases:
        return True
    if view.containers and (questions is None
                            or any(name in questions for name, _ in view.containers)):
        return True
    return any(may_change(view, f.code, f.container) for f in findings)


def dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))
