"""Soak test: `unbounded-lint --fix` over a fresh copy of the pinned benchmark corpus.

Checks what a user running --fix on a whole repository relies on:
  * every file the fixer rewrote still compiles;
  * every rewritten module that imports before the fix (in a subprocess, with its package on
    sys.path) still imports after it: a fix that puts `from collections import deque` below
    its first use compiles, but fails with NameError at import;
  * the number of files that changed on disk equals the number the CLI reports as fixed;
  * no file is touched that the CLI did not report, and no traceback is printed;
  * a second --fix changes nothing.

Usage:
    python benchmarks/soak.py                       # the whole corpus (benchmarks/corpus.txt)
    python benchmarks/soak.py --packages networkx   # a subset
    python benchmarks/soak.py --all-rules           # UBL001-UBL008 at low confidence, unsafe fixes

Wheels are reused from benchmarks/.corpus/wheels/ (shared with bench.py) or downloaded from
PyPI with pip. Exit status 0 when every check holds, 1 otherwise, 3 when the corpus cannot be
downloaded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
CORPUS_FILE = HERE / "corpus.txt"
WHEEL_DIR = HERE / ".corpus" / "wheels"
FIXED_LINE = re.compile(r"Fixed (\d+) findings? in (\d+) files?")


def read_corpus(only: Optional[Sequence[str]]) -> List[Tuple[str, str]]:
    packages = []
    for raw in CORPUS_FILE.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, version = line.partition("==")
        if only is None or name in only:
            packages.append((name.strip(), version.strip()))
    return packages


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_wheel(name: str, version: str) -> Optional[Path]:
    if not WHEEL_DIR.is_dir():
        return None
    for wheel in WHEEL_DIR.glob("*.whl"):
        stem = wheel.name.split("-")
        if len(stem) > 1 and normalize(stem[0]) == normalize(name) and stem[1] == version:
            return wheel
    return None


def ensure_wheels(packages: List[Tuple[str, str]]) -> None:
    missing = [f"{n}=={v}" for n, v in packages if find_wheel(n, v) is None]
    if not missing:
        return
    WHEEL_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--python-version", "3.11", "-d", str(WHEEL_DIR), *missing],
        check=True,
    )


def unpack(packages: List[Tuple[str, str]], target: Path) -> int:
    files = 0
    for name, version in packages:
        wheel = find_wheel(name, version)
        assert wheel is not None
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.endswith(".py"):
                    continue
                out = target / f"{normalize(name)}-{version}" / info.filename
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(archive.read(info))
                files += 1
    return files


def snapshot(root: Path) -> Dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.py"))}


# Imports every module named on stdin (one per line) with sys.path[0] = argv[1]; prints one
# JSON object {module: null | "ExceptionName: message"}. BaseException: a module may call
# sys.exit() or raise KeyboardInterrupt-like errors at import time.
IMPORT_PROBE = r"""
import importlib, json, sys, warnings
sys.path.insert(0, sys.argv[1])
warnings.simplefilter("ignore")
result = {}
for name in sys.stdin.read().split():
    try:
        importlib.import_module(name)
        result[name] = None
    except BaseException as exc:
        result[name] = f"{type(exc).__name__}: {exc}"[:300]
sys.stdout.write(json.dumps(result))
"""


def module_name(rel: str) -> Optional[Tuple[str, str]]:
    """``("networkx-3.6.1", "networkx.algorithms.foo")`` for a changed file, or None when the
    path is not an importable module name."""
    parts = Path(rel).with_suffix("").parts
    if len(parts) < 2 or not all(part.isidentifier() for part in parts[1:]):
        return None
    names = list(parts[1:])
    if names[-1] == "__init__":
        names.pop()
    return (parts[0], ".".join(names)) if names else None


def import_all(root: Path, modules: Sequence[str]) -> Dict[str, Optional[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        proc = subprocess.run([sys.executable, "-c", IMPORT_PROBE, str(root)], input="\n".join(modules),
                              check=False, capture_output=True, text=True, cwd=root, env=env, timeout=600)
        return json.loads(proc.stdout or "{}")
    except (subprocess.TimeoutExpired, ValueError) as exc:
        return {name: f"probe failed: {exc}" for name in modules}


def import_check(original: Path, fixed: Path, changed: Sequence[str]) -> Tuple[int, List[str]]:
    """Import each rewritten module from the original tree and from the fixed one (separate
    subprocesses). Returns (modules importable before the fix, those that no longer import)."""
    by_root: Dict[str, List[str]] = {}
    for rel in changed:
        named = module_name(rel)
        if named is not None:
            by_root.setdefault(named[0], []).append(named[1])
    importable, broken = 0, []
    for root, modules in sorted(by_root.items()):
        before = import_all(original / root, modules)
        after = import_all(fixed / root, modules)
        for name in modules:
            if before.get(name, "missing") is None:
                importable += 1
                if after.get(name, "missing") is not None:
                    broken.append(f"{root}: {name}: {after.get(name)}")
    return importable, broken


def run_fix(root: Path, extra: Sequence[str], jobs: int) -> Tuple[subprocess.CompletedProcess, float]:
    argv = [sys.executable, "-m", "unbounded_lint", "--fix", "--no-cache", "--isolated",
            "--no-respect-gitignore", "--timeout-per-file", "300", "-q", "-j", str(jobs), *extra, "."]
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=root, capture_output=True, text=True)
    return proc, time.monotonic() - started


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", help="comma-separated subset of benchmarks/corpus.txt")
    parser.add_argument("--all-rules", action="store_true",
                        help="select UBL001-UBL008 at low confidence and apply unsafe fixes too")
    parser.add_argument("--jobs", "-j", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the fixed copy and print its path")
    args = parser.parse_args(argv)
    only = [p.strip() for p in args.packages.split(",")] if args.packages else None
    packages = read_corpus(only)
    if not packages:
        print("no such packages in benchmarks/corpus.txt", file=sys.stderr)
        return 1
    try:
        ensure_wheels(packages)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"cannot download the corpus: {exc}", file=sys.stderr)
        return 3
    extra = ["--select", "UBL", "--min-confidence", "low", "--unsafe-fixes"] if args.all_rules else []
    workdir = Path(tempfile.mkdtemp(prefix="ubl-soak-"))
    failures: List[str] = []
    try:
        n_files = unpack(packages, workdir)
        pristine = workdir.with_name(workdir.name + "-original")
        unpack(packages, pristine)
        before = snapshot(workdir)
        first, seconds = run_fix(workdir, extra, args.jobs)
        after = snapshot(workdir)
        changed = sorted(p for p in before if before[p] != after.get(p))
        match = FIXED_LINE.search(first.stderr)
        reported_files = int(match.group(2)) if match else -1
        reported_findings = int(match.group(1)) if match else -1
        if "Traceback" in first.stderr or first.returncode not in (0, 1, 2):
            failures.append(f"first --fix crashed (exit {first.returncode}):\n{first.stderr[-2000:]}")
        if reported_files != len(changed):
            failures.append(f"CLI reports {reported_files} files fixed, {len(changed)} changed on disk")
        if set(after) != set(before):
            failures.append("the set of .py files changed")
        not_compiling = []
        for rel in changed:
            path = workdir / rel
            try:
                compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                not_compiling.append(f"{rel}: {exc}")
        if not_compiling:
            failures.append("rewritten files that do not compile:\n  " + "\n  ".join(not_compiling[:20]))
        importable, broken = import_check(pristine, workdir, changed)
        if broken:
            failures.append("rewritten modules that imported before the fix and no longer do:\n  "
                            + "\n  ".join(broken[:20]))
        second, _ = run_fix(workdir, extra, args.jobs)
        again = snapshot(workdir)
        second_match = FIXED_LINE.search(second.stderr)
        if again != after or (second_match and int(second_match.group(1)) != 0):
            failures.append(f"a second --fix changed files: {second.stderr.strip()[-500:]}")
        errors = [line for line in first.stderr.splitlines() if ": " in line and not line.startswith("Fixed")]
        print(f"corpus: {', '.join(f'{n}=={v}' for n, v in packages)} ({n_files} files)")
        print(f"--fix {' '.join(extra) or '(default rules)'}: {reported_findings} findings fixed in "
              f"{reported_files} files, {len(changed)} files changed on disk, {seconds:.1f} s")
        print(f"files the fixer could not read, parse or fix: {len(errors)}")
        for line in errors[:10]:
            print(f"  {line}")
        print(f"rewritten files that compile: {len(changed) - len(not_compiling)} of {len(changed)}")
        print(f"rewritten modules that import (of those importable before the fix): "
              f"{importable - len(broken)} of {importable}")
        print(f"second --fix: {second_match.group(0) if second_match else second.stderr.strip()[:200]}")
    finally:
        if args.keep:
            print(f"fixed copy kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(workdir.with_name(workdir.name + "-original"), ignore_errors=True)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("soak: ok" if not failures else f"soak: {len(failures)} check(s) failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
