#!/usr/bin/env python3
"""Generate a large synthetic project whose modules reference each other, and time
unbounded-lint on it: cold (empty cache), warm (nothing changed), and after one file changed,
with and without the project index.

    python benchmarks/synthetic_project.py                   # 10,000 files in a temp folder
    python benchmarks/synthetic_project.py --files 2000 --jobs 2
    python benchmarks/synthetic_project.py --keep /path/to/folder

Every module defines a service class (a bounded history, a dict filled over an imported
constant tuple, a list subclass imported from another module), a `list` subclass, a container
factory, a constant tuple and a module-level singleton, and imports those of another module:
the project index has cross-module facts to extract and link for every file. In a share of
the modules (``--cross-share``, default 5%) the service's dict is built by the other module's
factory, so the index changes that module's findings and it is linted a second time with its
view; on the real packages of ``bench.py`` 2.5% of the modules are (105 of 4,218).
``--cross-share 1`` is the worst case: every module linted twice. The peak memory
is the largest resident set of any one process of the run (the parent or a worker), from
``getrusage(RUSAGE_CHILDREN)`` of a wrapper process. Not a test: numbers go to
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Tuple

PER_PACKAGE = 100
TEMPLATE = '''"""Synthetic module {i}."""

from pkg{pj}.mod{j} import KINDS{j}, Model{j}, make_table{j}


class Model{i}(list):
    """A list subclass other modules build."""


def make_table{i}():
    return {{}}


KINDS{i} = ("trade", "quote", "bar")


class Service{i}:
    def __init__(self):
        self.history = []
        self.table = {table}
        self.models = Model{j}()

    def on_event(self, event):
        self.history.append(event)
        if len(self.history) > 100:
            self.history.pop(0)
        for kind in KINDS{j}:
            self.table[kind] = event

    def handle(self, request):
        info = Model{j}()
        info.append(request)
        return len(info)

{filler}

service = Service{i}()
'''
FILLER = '''
def helper_{i}_{n}(values, scale={n}):
    total = 0
    for value in values:
        if value > scale:
            total += value * scale
        else:
            total -= value
    return total
'''


def generate(root: Path, files: int, cross_share: float = 0.05) -> None:
    """Write ``files`` modules in packages of PER_PACKAGE, each importing another package;
    in ``cross_share`` of them a container is built by the other module's factory."""
    for i in range(files):
        package = root / f"pkg{i // PER_PACKAGE}"
        if i % PER_PACKAGE == 0:
            package.mkdir(parents=True, exist_ok=True)
            (package / "__init__.py").write_text("")
        j = (i * 7919 + 13) % files  # another module, spread over the packages
        filler = "".join(FILLER.format(i=i, n=n) for n in range(6))
        cross = (i * 37) % 1000 < cross_share * 1000  # spread over the packages
        table = f"make_table{j}()" if cross else "{}"
        text = TEMPLATE.format(i=i, j=j, pj=j // PER_PACKAGE, filler=filler, table=table)
        (package / f"mod{i}.py").write_text(text)
    (root / "pyproject.toml").write_text("[tool.unbounded-lint]\n")


def run(root: Path, cache: Path, jobs: int, extra: List[str]) -> Tuple[float, int]:
    """(seconds, peak KB of the largest process) for one run of the CLI over ``root``."""
    wrapper = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    cmd = [sys.executable, "-c", wrapper, sys.executable, "-m", "unbounded_lint", "--exit-zero",
           "--cache-dir", str(cache), "-j", str(jobs), *extra, str(root)]
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, int(out.strip().splitlines()[-1])


def measure(root: Path, jobs: int, label: str, extra: List[str], runs: int) -> float:
    """Print cold (median of ``runs``, each with an empty cache), warm and one-file-changed
    figures; return the cold median."""
    colds = []
    for _ in range(runs):
        empty = Path(tempfile.mkdtemp(prefix="ubl-cache-"))
        try:
            colds.append(run(root, empty, jobs, extra))
        finally:
            shutil.rmtree(empty, ignore_errors=True)
    colds.sort()
    cache = Path(tempfile.mkdtemp(prefix="ubl-cache-"))
    try:
        cold = colds[len(colds) // 2]
        run(root, cache, jobs, extra)  # fills the cache
        warm = run(root, cache, jobs, extra)
        changed = root / "pkg0" / "mod0.py"
        original = changed.read_text()
        changed.write_text(original + "\n# touched\n")
        try:
            one = run(root, cache, jobs, extra)
        finally:
            changed.write_text(original)
        for name, (seconds, peak) in (("cold", cold), ("warm", warm), ("one file changed", one)):
            print(f"{label:<18} {name:<18} {seconds:8.2f} s   peak {peak / 1024:7.1f} MB")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return cold[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="modules to generate (default 10000)")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (default: usable CPUs)")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    parser.add_argument("--cross-share", type=float, default=0.05,
                        help="share of modules whose findings the index changes (default 0.05)")
    parser.add_argument("--runs", type=int, default=3, help="cold runs per setting, median (default 3)")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ubl-synthetic-"))
    try:
        if not (root / "pkg0").exists():
            print(f"generating {args.files} modules in {root} ...", file=sys.stderr)
            generate(root, args.files, args.cross_share)
        jobs = args.jobs or len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        print(f"{args.files} files, {jobs} jobs, cross-module share {args.cross_share:g}")
        with_index = measure(root, jobs, "project index", [], args.runs)
        alone = measure(root, jobs, "file-local", ["--no-project-index"], args.runs)
        print(f"cold, project index / file-local: {with_index / alone:.2f}x")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
