"""The two places ``watch`` touches the program's code, both at import time.

1. After each class statement of a flagged class, one call registers the class, so that its
   instances are remembered weakly as they are constructed (``probe.watch_class``).
2. A pyplot call flagged by UBL005 hands its result to ``probe.figure_made`` on the way out,
   so open figures can be counted per creation site.

Only the watched files are compiled this way, from source (their ``.pyc`` is neither read nor
written); line numbers are unchanged, so tracebacks point at the user's code as usual. The
import hook covers imported modules; ``run_main`` covers the script or ``-m`` module itself.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from .sites import Site

PROBE_MODULE = "unbounded_lint.evidence.probe"


class Plan:
    """What to instrument in each watched file (by real path)."""

    def __init__(self, sites: Sequence[Site]) -> None:
        self.classes: Dict[str, Set[str]] = {}
        self.figures: Dict[str, Dict[Tuple[int, int], str]] = {}
        for site in sites:
            if site.kind in ("attr", "method_cache", "function_cache") and site.owner:
                self.classes.setdefault(site.abspath, set()).add(site.owner)
            elif site.kind == "figure":
                self.figures.setdefault(site.abspath, {})[(site.line, site.column)] = site.id

    def watches(self, abspath: str) -> bool:
        return abspath in self.classes or abspath in self.figures


def _probe_call(function: str, args: List[ast.expr]) -> ast.Call:
    """``__import__('unbounded_lint.evidence.probe', fromlist=['_']).<function>(*args)``: no
    name is added to the module's namespace."""
    module = ast.Call(func=ast.Name(id="__import__", ctx=ast.Load()),
                      args=[ast.Constant(PROBE_MODULE)],
                      keywords=[ast.keyword(arg="fromlist", value=ast.List([ast.Constant("_")], ast.Load()))])
    return ast.Call(func=ast.Attribute(value=module, attr=function, ctx=ast.Load()), args=args, keywords=[])


class _Transformer(ast.NodeTransformer):
    def __init__(self, abspath: str, classes: Set[str], figures: Dict[Tuple[int, int], str]) -> None:
        self.abspath = abspath
        self.classes = classes
        self.figures = figures
        self.prefix: List[str] = []

    def _scoped(self, node: Any, name: str, inner: str) -> Any:
        self.prefix.append(name + inner)
        try:
            self.generic_visit(node)
        finally:
            self.prefix.pop()
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        return self._scoped(node, node.name, ".<locals>.")

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> Any:
        return self._scoped(node, node.name, ".<locals>.")

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        qualname = "".join(self.prefix) + node.name
        self._scoped(node, node.name, ".")
        if qualname not in self.classes:
            return node
        key = f"{self.abspath}::{qualname}"
        register = ast.Expr(_probe_call("watch_class", [ast.Name(id=node.name, ctx=ast.Load()), ast.Constant(key)]))
        ast.copy_location(register, node)
        ast.fix_missing_locations(register)
        return [node, register]

    def visit_Call(self, node: ast.Call) -> Any:
        self.generic_visit(node)
        site = self.figures.get((node.lineno, node.col_offset + 1))
        if site is None:
            return node
        wrapped = _probe_call("figure_made", [ast.Constant(site), node])
        return ast.fix_missing_locations(ast.copy_location(wrapped, node))


def compile_watched(source: bytes, filename: str, plan: Plan) -> Any:
    """Compile ``source`` with the probes of ``plan`` for this file (or plainly)."""
    abspath = os.path.realpath(filename)
    tree = ast.parse(source, filename)
    if plan.watches(abspath):
        tree = _Transformer(abspath, plan.classes.get(abspath, set()), plan.figures.get(abspath, {})).visit(tree)
    return compile(tree, filename, "exec", dont_inherit=True)


class _WatchedLoader(importlib.machinery.SourceFileLoader):
    plan: Optional[Plan] = None

    def get_code(self, fullname: str) -> Any:
        # Always from source: the cached bytecode has no probes, and ours must not be cached.
        source = self.get_data(self.path)
        return compile_watched(source, self.path, self.plan or Plan(()))


class WatchFinder(importlib.abc.MetaPathFinder):
    """Finds watched modules with the normal path finder and swaps in ``_WatchedLoader``."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        try:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        except Exception:  # noqa: BLE001 - let the regular machinery report it
            return None
        origin = getattr(spec, "origin", None)
        if spec is None or not origin or not origin.endswith(".py"):
            return None
        if not self.plan.watches(os.path.realpath(origin)):
            return None
        loader = _WatchedLoader(fullname, origin)
        loader.plan = self.plan
        spec.loader = loader
        return spec


def install_import_hook(plan: Plan) -> WatchFinder:
    finder = WatchFinder(plan)
    sys.meta_path.insert(0, finder)
    return finder


def remove_import_hooks() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, WatchFinder)]


def _fresh_main(filename: Optional[str], spec: Any = None) -> types.ModuleType:
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": filename, "__builtins__": __builtins__, "__spec__": spec,
                            "__loader__": getattr(spec, "loader", None), "__package__": None})
    if filename is None:
        del module.__file__
    if spec is not None and spec.parent:
        module.__package__ = spec.parent
    sys.modules["__main__"] = module
    return module


def run_script(path: str, argv: Sequence[str], plan: Plan) -> None:
    """Run ``path`` as ``python path argv...`` would, with the probes of ``plan``."""
    sys.argv = [path, *argv]
    # Like the interpreter (3.9+): the script's __file__ and code are named by absolute path.
    filename = os.path.abspath(path)
    sys.path[0] = os.path.dirname(filename)
    with open(filename, "rb") as handle:
        source = handle.read()
    code = compile_watched(source, filename, plan)
    module = _fresh_main(filename)
    exec(code, module.__dict__)


def run_module(name: str, argv: Sequence[str], plan: Plan) -> None:
    """Run ``python -m name argv...`` with the probes of ``plan``."""
    import runpy

    spec = importlib.util.find_spec(name)
    if spec is not None and spec.submodule_search_locations is not None:
        name = name + ".__main__"
        spec = importlib.util.find_spec(name)
    origin = getattr(spec, "origin", None)
    sys.argv = [origin or name, *argv]
    if spec is None or not origin or not plan.watches(os.path.realpath(origin)):
        runpy.run_module(name, run_name="__main__", alter_sys=True)
        return
    with open(origin, "rb") as handle:
        source = handle.read()
    code = compile_watched(source, origin, plan)
    module = _fresh_main(origin, spec)
    exec(code, module.__dict__)


def run_code(code: str, argv: Sequence[str]) -> None:
    """Run ``python -c code argv...``."""
    sys.argv = ["-c", *argv]
    module = _fresh_main(None)
    exec(compile(code, "<string>", "exec"), module.__dict__)
