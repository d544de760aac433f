"""Soak test: `unbounded-lint --fix` over a fresh copy of the pinned benchmark corpus.

Checks what a user running --fix on a whole repository relies on:
  * every file the fixer rewrote still compiles;
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
        print(f"second --fix: {second_match.group(0) if second_match else second.stderr.strip()[:200]}")
    finally:
        if args.keep:
            print(f"fixed copy kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("soak: ok" if not failures else f"soak: {len(failures)} check(s) failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
