"""Where to look at run time: one ``Site`` per finding, resolved from the module's syntax tree.

A finding names its container the way the rules do (``Class.attr``, ``function.local``,
``GLOBAL``, a method or function name for caches, nothing for figures). The sampler needs to
know how to *reach* that container in a running program, so each finding becomes a ``Site``
of one kind:

``attr``     an attribute of the live instances of ``owner`` (a class, by qualified name);
``global``   a module global (``name``);
``local``    a local ``name`` of the running frames of function ``owner``;
``method_cache``  the ``functools`` cache of method ``name`` on class ``owner``;
``function_cache`` the cache of module-level function ``name`` (``owner`` is a class for a
             static or class method);
``figure``   the pyplot figures created by the call at ``line``/``column``.

Sites travel to the child process as JSON, so they are plain frozen data.
"""

from __future__ import annotations

import ast
import os
from dataclasses import asdict, dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..types import Finding

KINDS = ("attr", "global", "local", "method_cache", "function_cache", "figure")


@dataclass(frozen=True)
class Site:
    """One finding, and how the sampler reaches its container."""

    id: str  # "path:line:column:code", unique per finding
    kind: str  # one of KINDS
    path: str  # the file as the linter reported it
    abspath: str  # the real path, which the child matches against module files and frames
    line: int
    column: int
    code: str
    container: str
    message: str
    confidence: str
    owner: str = ""  # class or function qualified name ("" for module scope)
    name: str = ""  # attribute, variable or function name

    def to_json(self) -> Dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Dict[str, object]) -> Site:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Scope:
    kind: str  # "class" or "function"
    qualname: str
    start: int
    end: int


def site_id(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column}:{finding.code}"


def _scopes(tree: ast.Module) -> List[_Scope]:
    """Every class and function with its qualified name (``A.f.<locals>.B``) and line span."""
    found: List[_Scope] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + child.name
                kind = "class" if isinstance(child, ast.ClassDef) else "function"
                start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                found.append(_Scope(kind, qualname, start, child.end_lineno or child.lineno))
                inner = qualname + "." + ("" if kind == "class" else "<locals>.")
                visit(child, inner)
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def _enclosing(scopes: Sequence[_Scope], line: int) -> List[_Scope]:
    """The scopes around ``line``, outermost first."""
    return sorted((s for s in scopes if s.start <= line <= s.end), key=lambda s: s.start)


def _innermost(chain: Sequence[_Scope], kind: str) -> Optional[_Scope]:
    for scope in reversed(chain):
        if scope.kind == kind:
            return scope
    return None


def _resolve(finding: Finding, scopes: Sequence[_Scope]) -> Tuple[str, str, str]:
    """(kind, owner, name) for one finding."""
    chain = _enclosing(scopes, finding.line)
    klass = _innermost(chain, "class")
    if finding.code == "UBL005":
        return "figure", "", ""
    if finding.code == "UBL006":
        return "method_cache", klass.qualname if klass else "", finding.container
    if finding.code == "UBL008":
        return "function_cache", klass.qualname if klass else "", finding.container
    head, _, tail = finding.container.rpartition(".")
    if not head:
        return "global", "", tail
    by_short = {s.qualname.rsplit(".", 1)[-1]: s for s in chain}
    scope = by_short.get(head) or next((s for s in scopes if s.qualname.endswith(head)), None)
    if scope is not None and scope.kind == "function":
        return "local", scope.qualname, tail
    owner = scope.qualname if scope is not None else head
    return "attr", owner, tail


def sites_for_module(source: str, findings: Iterable[Finding]) -> List[Site]:
    """The sites of ``findings``, all reported in the module whose text is ``source``."""
    findings = list(findings)
    if not findings:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    scopes = _scopes(tree)
    sites = []
    for finding in findings:
        kind, owner, name = _resolve(finding, scopes)
        sites.append(Site(
            id=site_id(finding), kind=kind, path=finding.path, abspath=os.path.realpath(finding.path),
            line=finding.line, column=finding.column, code=finding.code, container=finding.container,
            message=finding.message, confidence=str(finding.confidence), owner=owner, name=name,
        ))
    return sites
