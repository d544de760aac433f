"""Golden output: every finding on a fixed body of code, compared with a checked-in file.

The restructurings of the analysis (named heuristics, a walker that only records, one source of
rule metadata) must not change a single finding. This test lints, with every code selected and
``--min-confidence low``, the fixtures, the examples and a slice of the running interpreter's
standard library (real long-running code: asyncio, logging, multiprocessing, http...), and
compares path, position, code, confidence and message with ``tests/golden/``.

The body is linted as a CLI run lints it, with the project index: each fixture project under
``tests/fixtures/project/<case>/`` is indexed on its own (two of them have a package of the
same name), the other fixtures and the examples together, the standard-library slice together.

A deliberate behaviour change regenerates the files in its own commit::

    UPDATE_GOLDEN=1 python -m pytest -q tests/test_golden.py

and the diff of ``tests/golden/`` shows exactly which findings changed.
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

import pytest

from unbounded_lint.runner import lint_files
from unbounded_lint.types import ALL_CODES, Confidence, Settings

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SETTINGS = Settings(select=ALL_CODES, min_confidence=Confidence.LOW)
# Standard-library packages of long-running code; the stdlib differs between Python versions,
# so its golden file is kept per minor version and the check runs where one exists.
STDLIB_PACKAGES = ("asyncio", "concurrent", "email", "http", "json", "logging",
                   "multiprocessing", "xmlrpc")
STDLIB_MODULES = ("threading.py", "sched.py", "queue.py", "selectors.py", "socketserver.py",
                  "functools.py", "weakref.py", "tracemalloc.py", "pstats.py", "imaplib.py",
                  "smtplib.py", "ftplib.py", "argparse.py", "configparser.py", "inspect.py",
                  "pydoc.py", "difflib.py", "typing.py", "dataclasses.py", "enum.py")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
PROJECTS = ROOT / "tests" / "fixtures" / "project"

Row = List[object]


def _projects(paths: Iterable[Path]) -> List[List[Path]]:
    """The runs of one body of code: each fixture project alone, the rest together."""
    projects: Dict[Path, List[Path]] = {}
    rest: List[Path] = []
    for path in paths:
        if PROJECTS in path.parents:
            case = PROJECTS / path.relative_to(PROJECTS).parts[0]
            projects.setdefault(case, []).append(path)
        else:
            rest.append(path)
    return [rest, *projects.values()]


def _rows(paths: Iterable[Path], base: Path) -> List[Row]:
    results = {}
    for group in _projects(paths):
        for result in lint_files([str(p) for p in group], lambda _: SETTINGS, jobs=1):
            results[Path(result.path)] = result
    rows: List[Row] = []
    for path in sorted(results):
        rel = path.relative_to(base).as_posix()
        result = results[path]
        if result.error is not None:
            rows.append([rel, 0, 0, "ERROR", "", result.error])
        for f in result.findings:
            rows.append([rel, f.line, f.column, f.code, str(f.confidence), f.message])
    return rows


def _project_files() -> List[Path]:
    fixtures = ROOT / "tests" / "fixtures"
    files = [p for p in fixtures.rglob("*.py") if not p.name.endswith(".fixed.py")]
    files += list((ROOT / "examples").glob("*.py"))
    return sorted(files)


def _stdlib_files() -> Tuple[Path, List[Path]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files: List[Path] = []
    for package in STDLIB_PACKAGES:
        files += [p for p in (stdlib / package).rglob("*.py") if "test" not in p.parts]
    files += [stdlib / name for name in STDLIB_MODULES if (stdlib / name).is_file()]
    return stdlib, sorted(files)


def _compare(name: str, rows: List[Row]) -> None:
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"
        golden.write_text(text, encoding="utf-8")
        return
    if not golden.is_file():
        pytest.skip(f"no golden file {name} (make one with UPDATE_GOLDEN=1)")
    expected = [list(r) for r in json.loads(golden.read_text(encoding="utf-8"))]
    if rows == expected:
        return
    want = {json.dumps(r) for r in expected}
    got = {json.dumps(r) for r in rows}
    lost = sorted(want - got)
    new = sorted(got - want)
    lines = [f"findings differ from tests/golden/{name}:"]
    lines += [f"  - {r}" for r in lost[:40]] + [f"  + {r}" for r in new[:40]]
    pytest.fail("\n".join(lines), pytrace=False)


def test_project_files_match_golden() -> None:
    rows = _rows(_project_files(), ROOT)
    assert len(rows) > 200, "the golden body of code lost its findings"
    _compare("project.json", rows)


@pytest.mark.slow
def test_stdlib_matches_golden() -> None:
    base, files = _stdlib_files()
    if not files:
        pytest.skip("no standard library sources next to this interpreter")
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    _compare(f"stdlib-{version}.json", _rows(files, base))


def test_golden_rows_are_distinct_sites() -> None:
    """The golden files stay readable: one row per (path, line, column, code)."""
    seen: Dict[Tuple[object, ...], int] = {}
    for golden in GOLDEN.glob("*.json"):
        for row in json.loads(golden.read_text(encoding="utf-8")):
            key = (golden.name, *row[:4])
            seen[key] = seen.get(key, 0) + 1
    assert seen, "no golden files"
    assert max(seen.values()) == 1
