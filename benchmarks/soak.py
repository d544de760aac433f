"""Soak test: `unbounded-lint --fix` over a fresh copy of the pinned benchmark corpus.

Checks what a user running --fix on a whole repository relies on:
  * every file the fixer rewrote still compiles, and still imports (in a subprocess where its
    package is importable) whenever the original imported; the package itself still imports;
  * with the default fix level, no fix that can drop data (an unsafe fix) is applied to a
    finding that is not ``high``;
  * the number of files that changed on disk equals the number the CLI reports as fixed;
  * no file is touched that the CLI did not report, and no traceback is printed;
  * a second --fix changes nothing.

Usage:
    python benchmarks/soak.py                       # the whole corpus (benchmarks/corpus.txt)
    python benchmarks/soak.py --packages networkx   # a subset
    python benchmarks/soak.py --all-rules           # UBL001-UBL008 at low confidence, unsafe fixes
    python benchmarks/soak.py --table               # also print the fixes by class and rule (Markdown)

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
# --show-fixes: "path: N fixes, lines ..." then "  LINE: CODE [class, confidence] description"
SHOWN_FILE = re.compile(r"^(?P<path>\S.*): \d+ fix(?:es)?, lines ")
SHOWN_FIX = re.compile(r"^  (?P<line>\d+): (?P<code>UBL\d{3}) \[(?P<cls>safe|unsafe), (?P<conf>low|medium|high)\] ")
IMPORTER = """
import importlib, json, sys, warnings
warnings.simplefilter("ignore")
out = {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
        out[name] = "ok"
    except BaseException as exc:  # a module may exit or raise anything while importing
        out[name] = type(exc).__name__
sys.stdout.write(json.dumps(out))
"""


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


def applied_fixes(stdout: str) -> List[Tuple[str, str, str, str]]:
    """(path, code, class, confidence) of every fix ``--show-fixes`` lists."""
    fixes = []
    path = ""
    for line in stdout.splitlines():
        head = SHOWN_FILE.match(line)
        if head:
            path = head["path"]
            continue
        fix = SHOWN_FIX.match(line)
        if fix and path:
            fixes.append((path, fix["code"], fix["cls"], fix["conf"]))
    return fixes


def module_name(rel: str) -> Optional[Tuple[str, str]]:
    """(package folder, dotted module) of a corpus file ``<name-version>/a/b.py``."""
    parts = Path(rel).parts
    if len(parts) < 2 or not all(p.isidentifier() for p in parts[1:-1]):
        return None
    stem = parts[-1][:-3]
    names = list(parts[1:-1]) + ([] if stem == "__init__" else [stem])
    if not names or not all(n.isidentifier() for n in names):
        return None
    return parts[0], ".".join(names)


def import_all(root: Path, package_dir: str, modules: Sequence[str]) -> Dict[str, str]:
    """Import each module in a subprocess with only ``root/package_dir`` on the path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(root / package_dir), PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    try:
        proc = subprocess.run([sys.executable, "-c", IMPORTER, json.dumps(list(modules))], cwd=tempfile.gettempdir(),
                              env=env, capture_output=True, text=True, timeout=600)
        return json.loads(proc.stdout or "{}")
    except (subprocess.TimeoutExpired, ValueError):
        return {m: "timeout or crash" for m in modules}


def import_check(original: Path, fixed: Path, changed: Sequence[str]) -> Tuple[int, int, List[str]]:
    """Modules that imported before the fix and checked after: (imported, both fine, broken)."""
    by_package: Dict[str, List[str]] = {}
    for rel in changed:
        found = module_name(rel)
        if found is not None:
            by_package.setdefault(found[0], []).append(found[1])
    imported = same = 0
    broken: List[str] = []
    for package_dir, modules in sorted(by_package.items()):
        top = sorted({m.split(".")[0] for m in modules})
        names = top + sorted(set(modules) - set(top))  # the package itself first: its smoke test
        before = import_all(original, package_dir, names)
        after = import_all(fixed, package_dir, names)
        for name in names:
            if before.get(name) != "ok":
                continue  # a missing dependency or a module that cannot be imported alone
            imported += 1
            if after.get(name) == "ok":
                same += 1
            else:
                broken.append(f"{package_dir}: import {name} -> {after.get(name)}")
    return imported, same, broken


def lint_codes(root: Path, files: Sequence[str], tool: str) -> Dict[str, Dict[str, int]]:
    """Codes per file that ``ruff check --select I,E,W`` or ``flake8`` reports (line length 88,
    the fixer's default; the corpus wheels carry no configuration of their own)."""
    if not files:
        return {}
    if tool == "ruff":
        argv = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "I,E,W",
                "--line-length", "88", "--output-format", "json", "--exit-zero", *files]
    else:
        argv = [sys.executable, "-m", "flake8", "--isolated", "--max-line-length", "88", "--select", "E,W,F",
                "--format", "%(path)s\t%(code)s", "--exit-zero", *files]
    proc = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=1800)
    out: Dict[str, Dict[str, int]] = {}
    if tool == "ruff":
        pairs = [(str(Path(item["filename"]).resolve().relative_to(root.resolve())), item["code"] or "E999")
                 for item in json.loads(proc.stdout or "[]")]
    else:
        pairs = [tuple(line.split("\t", 1)) for line in proc.stdout.splitlines() if "\t" in line]
    for path, code in pairs:
        counts = out.setdefault(os.path.normpath(path), {})
        counts[code] = counts.get(code, 0) + 1
    return out


def new_lint_findings(original: Path, fixed: Path, changed: Sequence[str], tool: str) -> List[str]:
    """``file: CODE +n`` for every code the fixes added to a rewritten file."""
    before = lint_codes(original, changed, tool)
    after = lint_codes(fixed, changed, tool)
    added = []
    for path, codes in sorted(after.items()):
        for code, n in sorted(codes.items()):
            extra = n - before.get(path, {}).get(code, 0)
            if extra > 0 and not (code == "W191" and before.get(path, {}).get("W191")):
                added.append(f"{path}: {code} +{extra}")
    return added


def fix_table(fixes: Sequence[Tuple[str, str, str, str]]) -> str:
    counts: Dict[Tuple[str, str], int] = {}
    for _, code, cls, conf in fixes:
        counts[(code, f"{cls} ({conf})")] = counts.get((code, f"{cls} ({conf})"), 0) + 1
    columns = sorted({col for _, col in counts})
    lines = ["| rule | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for code in sorted({code for code, _ in counts}):
        lines.append(f"| {code} | " + " | ".join(str(counts.get((code, col), 0)) for col in columns) + " |")
    return "\n".join(lines)


def run_fix(root: Path, extra: Sequence[str], jobs: int) -> Tuple[subprocess.CompletedProcess, float]:
    argv = [sys.executable, "-m", "unbounded_lint", "--fix", "--show-fixes", "--no-cache", "--isolated",
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
    parser.add_argument("--table", action="store_true", help="print the applied fixes by rule and class (Markdown)")
    parser.add_argument("--no-import-check", action="store_true", help="skip importing the rewritten modules")
    parser.add_argument("--lint-check", action="store_true",
                        help="also run ruff (I,E,W) and flake8 on the rewritten files before and after: "
                             "the fixes must add no finding")
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
    default_level = not args.all_rules
    workdir = Path(tempfile.mkdtemp(prefix="ubl-soak-"))
    failures: List[str] = []
    try:
        n_files = unpack(packages, workdir / "tree")
        original = workdir / "original"
        shutil.copytree(workdir / "tree", original)
        workdir = workdir / "tree"
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
        fixes = applied_fixes(first.stdout)
        if sum(1 for _ in fixes) != reported_findings:
            failures.append(f"--show-fixes lists {len(fixes)} fixes, the summary {reported_findings}")
        risky = [f"{p} {code} ({conf})" for p, code, cls, conf in fixes if cls == "unsafe" and conf != "high"]
        if default_level and risky:
            failures.append("unsafe fixes of findings below high at the default level:\n  " + "\n  ".join(risky[:20]))
        imported = same = 0
        lint_added: Dict[str, List[str]] = {}
        if args.lint_check:
            for tool in ("ruff", "flake8"):
                lint_added[tool] = new_lint_findings(original, workdir, changed, tool)
                if lint_added[tool]:
                    failures.append(f"{tool} findings the fixes added:\n  " + "\n  ".join(lint_added[tool][:20]))
        if not args.no_import_check:
            imported, same, broken = import_check(original, workdir, changed)
            if broken:
                failures.append("rewritten modules that no longer import:\n  " + "\n  ".join(broken[:20]))
        second, _ = run_fix(workdir, extra, args.jobs)
        again = snapshot(workdir)
        second_match = FIXED_LINE.search(second.stderr)
        if again != after or (second_match and int(second_match.group(1)) != 0):
            failures.append(f"a second --fix changed files: {second.stderr.strip()[-500:]}")
        errors = [line for line in first.stderr.splitlines()
                  if ": " in line and not line.startswith(("Fixed ", "Found ")) and " held back: " not in line]
        print(f"corpus: {', '.join(f'{n}=={v}' for n, v in packages)} ({n_files} files)")
        print(f"--fix {' '.join(extra) or '(default rules)'}: {reported_findings} findings fixed in "
              f"{reported_files} files, {len(changed)} files changed on disk, {seconds:.1f} s")
        print(f"files the fixer could not read, parse or fix: {len(errors)}")
        for line in errors[:10]:
            print(f"  {line}")
        print(f"rewritten files that compile: {len(changed) - len(not_compiling)} of {len(changed)}")
        if not args.no_import_check:
            print(f"rewritten modules that imported before and still import: {same} of {imported} "
                  f"(the others need dependencies or context the soak does not provide)")
        for tool, added in lint_added.items():
            print(f"{tool} findings added by the fixes in the {len(changed)} rewritten files: {len(added)}")
        by_class = {cls: sum(1 for f in fixes if f[2] == cls) for cls in ("safe", "unsafe")}
        print(f"applied fixes: {by_class['safe']} safe, {by_class['unsafe']} unsafe "
              f"({sum(1 for f in fixes if f[2] == 'unsafe' and f[3] != 'high')} unsafe on findings below high)")
        if args.table and fixes:
            print(fix_table(fixes))
        print(f"second --fix: {second_match.group(0) if second_match else second.stderr.strip()[:200]}")
    finally:
        if args.keep:
            print(f"fixed copy kept in {workdir}")
        else:
            shutil.rmtree(workdir.parent if workdir.name == "tree" else workdir, ignore_errors=True)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("soak: ok" if not failures else f"soak: {len(failures)} check(s) failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
