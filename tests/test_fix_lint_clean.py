"""Fixes other linters accept (issue 14.3): after ``--fix`` (every fix applied) on the fix
fixtures and the bundled examples, ``ruff check --select I,E,W`` and ``flake8`` report nothing
that was not reported before. Import order (I001), line length (E501) and blank lines (E30x)
are what fixes used to break.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict

import pytest

from unbounded_lint.fix.apply import FixOptions, fix_source
from unbounded_lint.types import ALL_CODES, FixLevel, Settings

ROOT = Path(__file__).resolve().parent.parent
INPUTS = sorted(p for p in (ROOT / "tests" / "fixtures" / "fix").glob("*.py")
                if not p.name.endswith(".fixed.py") and not p.name.startswith(("noop_", "nofix_")))
INPUTS += sorted((ROOT / "examples").glob("*.py"))
LINE_LENGTH = 88  # the fixer's default, and what both linters are told


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed (pip install -e .[test])")
    return found


def _ruff_codes(folder: Path) -> Dict[str, Counter]:
    proc = subprocess.run([_ruff(), "check", "--isolated", "--no-cache", "--select", "I,E,W",
                           "--line-length", str(LINE_LENGTH), "--output-format", "json", "--exit-zero", "."],
                          cwd=folder, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out: Dict[str, Counter] = {}
    for item in json.loads(proc.stdout):
        out.setdefault(Path(item["filename"]).name, Counter())[item["code"]] += 1
    return out


def _flake8_codes(folder: Path) -> Dict[str, Counter]:
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", f"--max-line-length={LINE_LENGTH}",
                           "--select", "E,W,F", "--format", "%(path)s\t%(code)s", "--exit-zero", "."],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out: Dict[str, Counter] = {}
    for line in proc.stdout.splitlines():
        path, _, code = line.partition("\t")
        out.setdefault(Path(path).name, Counter())[code] += 1
    return out


@pytest.fixture(scope="module")
def trees(tmp_path_factory) -> Dict[str, Path]:
    before = tmp_path_factory.mktemp("before")
    after = tmp_path_factory.mktemp("after")
    settings = Settings(select=ALL_CODES)
    for path in INPUTS:
        source = path.read_bytes()
        outcome = fix_source(source, path.name, settings, options=FixOptions(FixLevel.ALL, LINE_LENGTH))
        assert outcome.error is None, (path.name, outcome.error)
        (before / path.name).write_bytes(source)
        (after / path.name).write_bytes(outcome.source)
    return {"before": before, "after": after}


def _new(before: Dict[str, Counter], after: Dict[str, Counter]) -> Dict[str, Counter]:
    new = {}
    for name, codes in after.items():
        old = before.get(name, Counter())
        extra = codes - old
        if old["W191"]:
            del extra["W191"]  # a tab-indented file: inserted lines are indented like the file
        if extra:
            new[name] = extra
    return new


def test_inputs_have_fixes() -> None:
    assert len(INPUTS) >= 60


def test_no_new_ruff_findings_after_fix(trees: Dict[str, Path]) -> None:
    new = _new(_ruff_codes(trees["before"]), _ruff_codes(trees["after"]))
    assert not new, f"ruff I,E,W findings the fixes introduced: {new}"


def test_no_new_flake8_findings_after_fix(trees: Dict[str, Path]) -> None:
    new = _new(_flake8_codes(trees["before"]), _flake8_codes(trees["after"]))
    assert not new, f"flake8 findings the fixes introduced: {new}"
