#!/usr/bin/env python3
"""Draw a seeded random sample of sites to label, for precision *and* recall.

    python benchmarks/candidates.py --packages lumibot,nicegui --out benchmarks/labels/samples

Labelling every finding measures precision only, and only of what the tool already says.
To measure recall the sample must also hold sites the tool does not report. For each package
this script collects two pools:

* **findings**: everything the tool reports with every rule selected at ``--min-confidence
  low``, each with the confidence it had when the sample was drawn;
* **silent sites**: growth, front-removal, queue, figure and cache sites found by a plain
  syntax scan (below) that the tool does not report at any level.

and draws ``--findings N`` and ``--silent M`` sites from them with ``random.Random(seed)``,
seeded per package (``--seed`` plus the package name), so the sample is reproducible and does
not change when another package is added. The sample is written as one JSON object per line
(``benchmarks/labels/samples/<package>.jsonl``) with an empty ``label``, beside the size of
each pool (``<package>.pools.json``: ``precision.py`` weights each labelled site by
pool size / sample size, so a package sampled at 1 in 5 counts as much as it should); the labeller copies
each line into ``benchmarks/labels/<package>.jsonl`` with ``label`` and ``reason`` filled.

The scan is deliberately wider than the rules: an ``append``/``extend``/``insert``/``add``/
``update``/``setdefault``/``put`` call or a subscript assignment whose receiver is an
attribute (``self.x``, ``obj.x``) or a module global used inside a function, or any name
inside a ``while`` loop; ``pop(0)``/``insert(0, ...)``/``del x[0]``; a ``Queue``/``deque``
constructor; ``plt.figure``/``plt.subplots``; an ``lru_cache``/``cache`` decorator. Sites
inside ``__init__`` are left out (the contract calls them construction).
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import precision  # noqa: E402  (sibling benchmark module: download, unpack, run the tool)

GROWTH = {"append": "UBL001", "extend": "UBL001", "insert": "UBL001", "add": "UBL002",
          "update": "UBL002", "setdefault": "UBL002", "put": "UBL003", "put_nowait": "UBL003",
          "appendleft": "UBL003"}
QUEUES = {"Queue", "LifoQueue", "PriorityQueue", "SimpleQueue", "deque"}
FIGURES = {"figure", "subplots", "subplot_mosaic"}
CACHES = {"lru_cache", "cache"}
Site = Tuple[str, int, str]  # path, line, code


def _receiver_ok(node: ast.AST, globals_: Set[str], in_while: bool) -> bool:
    while isinstance(node, ast.Subscript):  # self.h[k].append(v)
        node = node.value
    if isinstance(node, ast.Attribute):
        return True
    return isinstance(node, ast.Name) and (node.id in globals_ or in_while)


def _is_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0 and not isinstance(node.value, bool)


def _callee_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


class _Scan(ast.NodeVisitor):
    def __init__(self, path: str, globals_: Set[str]) -> None:
        self.path, self.globals, self.sites = path, globals_, []  # type: ignore[var-annotated]
        self.func: List[str] = []
        self.loops = 0

    def _add(self, node: ast.AST, code: str) -> None:
        self.sites.append((self.path, node.lineno, code))

    def _in_function(self) -> bool:
        return bool(self.func) and self.func[-1] != "__init__"

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if _callee_name(target) in CACHES:
                self._add(dec, "UBL006" if self.func == [] else "UBL008")
        self.func.append(node.name)
        saved, self.loops = self.loops, 0
        self.generic_visit(node)
        self.func.pop()
        self.loops = saved

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_While(self, node: ast.While) -> None:
        self.loops += 1
        self.generic_visit(node)
        self.loops -= 1

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        name = _callee_name(f)
        if isinstance(f, ast.Attribute) and self._in_function():
            if name == "pop" and len(node.args) == 1 and _is_zero(node.args[0]):
                self._add(node, "UBL004")
            elif name == "insert" and node.args and _is_zero(node.args[0]):
                self._add(node, "UBL004")
            elif name in GROWTH and _receiver_ok(f.value, self.globals, self.loops > 0):
                self._add(node, GROWTH[name])
        if name in QUEUES and not any(k.arg in ("maxsize", "maxlen") for k in node.keywords):
            self._add(node, "UBL003")
        elif name in FIGURES and isinstance(f, ast.Attribute):
            self._add(node, "UBL005")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if self._in_function():
            for t in node.targets:
                if isinstance(t, ast.Subscript) and _receiver_ok(t.value, self.globals, self.loops > 0):
                    self._add(t, "UBL002")
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            if isinstance(t, ast.Subscript) and _is_zero(t.slice) and self._in_function():
                self._add(t, "UBL004")
        self.generic_visit(node)


def _module_globals(tree: ast.Module) -> Set[str]:
    names: Set[str] = set()
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def scan_tree(root: Path) -> Iterator[Site]:
    for file in sorted(root.rglob("*.py")):
        rel = precision.norm_path(str(file.relative_to(root)))
        try:
            tree = ast.parse(file.read_bytes())
        except (SyntaxError, ValueError):
            continue
        scan = _Scan(rel, _module_globals(tree))
        scan.visit(tree)
        yield from scan.sites


def draw(pin: "precision.Pin", root: Path, seed: int, n_findings: int,
         n_silent: int) -> Tuple[List[Dict[str, object]], Dict[str, int]]:
    """The sample, and the size of each pool it was drawn from (for weighting)."""
    findings = precision.run_tool(pin, root, precision.ALL_CODES, "low", [])
    reported: Dict[Tuple[str, int], "precision.Finding"] = {(f.path, f.line): f for f in findings}
    silent = sorted({s for s in scan_tree(root) if (s[0], s[1]) not in reported})
    rng = random.Random(f"{seed}:{pin.name}")
    pool = sorted(findings, key=lambda f: (f.path, f.line, f.code))
    picked = rng.sample(pool, min(n_findings, len(pool)))
    rows: List[Dict[str, object]] = [
        {"package": pin.name, "version": pin.version, "path": f.path, "line": f.line,
         "code": f.code, "label": "", "reason": "", "sample": f"finding-{f.confidence or 'medium'}"}
        for f in picked]
    rows += [{"package": pin.name, "version": pin.version, "path": p, "line": line,
              "code": code, "label": "", "reason": "", "sample": "silent"}
             for p, line, code in rng.sample(silent, min(n_silent, len(silent)))]
    rows.sort(key=lambda r: (str(r["path"]), int(str(r["line"])), str(r["code"])))
    return rows, {"findings": len(pool), "silent": len(silent)}


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--packages", required=True, help="comma-separated names from the corpus file")
    ap.add_argument("--corpus", type=Path, default=precision.DEFAULT_CORPUS_FILE)
    ap.add_argument("--corpus-dir", type=Path, default=precision.DEFAULT_CORPUS_DIR)
    ap.add_argument("--out", type=Path, default=precision.DEFAULT_LABELS_DIR / "samples")
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--findings", type=int, default=25, help="findings drawn per package")
    ap.add_argument("--silent", type=int, default=10, help="silent sites drawn per package")
    args = ap.parse_args(argv)
    wanted = {precision.norm_name(p) for p in args.packages.split(",") if p.strip()}
    pins = [p for p in precision.read_corpus(args.corpus) if p.name in wanted]
    missing = wanted - {p.name for p in pins}
    if missing:
        print(f"not in {args.corpus.name}: {', '.join(sorted(missing))}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for pin in pins:
        root = precision.ensure_tree(pin, args.corpus_dir, offline=False)
        if root is None:
            print(f"{pin.slug}: could not be downloaded", file=sys.stderr)
            return 2
        rows, pools = draw(pin, root, args.seed, args.findings, args.silent)
        target = args.out / f"{pin.name}.jsonl"
        target.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        (args.out / f"{pin.name}.pools.json").write_text(json.dumps(pools) + "\n", encoding="utf-8")
        print(f"{pin.slug}: {len(rows)} sites -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
