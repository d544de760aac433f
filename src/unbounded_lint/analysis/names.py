"""Import-aware name resolution on the stdlib ``ast``.

``Names.qualname(expr)`` turns ``plt.figure``, ``q.Queue``, ``dq`` into the qualified names
``matplotlib.pyplot.figure``, ``queue.Queue``, ``collections.deque``. A name the module defines
itself (``class Queue: ...``, ``def deque(): ...``) or a function parameter of that name shadows
the import and resolves to nothing, so a local look-alike is never mistaken for the real thing.
"""

from __future__ import annotations

import ast
import builtins
from typing import AbstractSet, Callable, Dict, Iterable, Iterator, Optional, Set, Tuple

BUILTIN_NAMES = frozenset(dir(builtins))
# Modules that re-export another's names: ``matplotlib.pylab`` (and the old top-level
# ``pylab``) re-export pyplot's ``figure``, ``subplots`` and ``close``, so ``import
# matplotlib.pylab as plt`` makes ``plt.figure()`` pyplot's.
REEXPORTS = (("matplotlib.pylab", "matplotlib.pyplot"), ("pylab", "matplotlib.pyplot"))


def canonical(qualname: str) -> str:
    """``matplotlib.pylab.figure`` -> ``matplotlib.pyplot.figure`` (see ``REEXPORTS``)."""
    for module, target in REEXPORTS:
        if qualname == module or qualname.startswith(module + "."):
            return target + qualname[len(module):]
    return qualname


def import_bindings(node: ast.stmt, relative: Optional[Callable[[int, Optional[str]], str]] = None
                    ) -> Iterator[Tuple[str, str]]:
    """The (local name, qualified name) pairs an import statement binds. ``relative`` resolves
    a relative ``from . import x`` (its level and module) to an absolute module; without it
    relative imports bind nothing here."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                head = alias.name.split(".", 1)[0]
                yield head, head
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            source = relative(node.level, node.module) if relative is not None else ""
        else:
            source = node.module or ""
        if not source:
            return
        for alias in node.names:
            if alias.name != "*":
                yield alias.asname or alias.name, f"{source}.{alias.name}"


class Names:
    """The module's import aliases and the top-level names that shadow them."""

    def __init__(self) -> None:
        self.aliases: Dict[str, str] = {}
        self.shadowed: Set[str] = set()

    def add_import(self, node: ast.stmt) -> None:
        for local, qualified in import_bindings(node):
            self.aliases[local] = canonical(qualified)
            self.shadowed.discard(local)

    def shadow(self, name: str) -> None:
        """Record a module-level binding that is not an import (def, class, assignment)."""
        self.aliases.pop(name, None)
        self.shadowed.add(name)

    def qualname(self, expr: ast.expr, local: AbstractSet[str] = frozenset()) -> Optional[str]:
        """The qualified name ``expr`` refers to, or None when it is not an imported/builtin name."""
        parts = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        name = expr.id
        if name in local:
            return None
        base = self.aliases.get(name)
        if base is None:
            if name in self.shadowed or name not in BUILTIN_NAMES:
                return None
            base = "builtins." + name
        if parts:
            parts.reverse()
            full = base + "." + ".".join(parts)
            # ``import matplotlib.pylab`` binds ``matplotlib``: the re-export shows only here
            return canonical(full) if base in ("matplotlib", "pylab") else full
        return base

    def local_names_for(self, qualname: str) -> Iterable[str]:
        """Names under which ``qualname`` (a module such as matplotlib.pyplot) is reachable."""
        for local, target in self.aliases.items():
            if target == qualname:
                yield local
        for local, target in self.aliases.items():
            if qualname.startswith(target + ".") and target == local:
                yield local + qualname[len(target):]
