"""The code-quality gate, run as part of the test suite (so CI's one test command runs it):
ruff with the checked-in configuration, mypy at the declared Python floor, vulture for dead
code, and the size limits of ``analysis/`` (no module over 500 lines, no function over 60).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANALYSIS = ROOT / "src" / "unbounded_lint" / "analysis"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff() -> None:
    pytest.importorskip("ruff", reason="ruff is in the test extra: pip install -e '.[test]'")
    proc = _run("ruff", "check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy() -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    proc = _run("mypy", "--no-incremental")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_vulture() -> None:
    pytest.importorskip("vulture", reason="vulture is in the test extra: pip install -e '.[test]'")
    proc = _run("vulture", "src/unbounded_lint", "scripts/vulture_whitelist.py", "--min-confidence", "60")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _analysis_modules() -> List[Path]:
    return sorted(ANALYSIS.rglob("*.py"))


@pytest.mark.parametrize("path", _analysis_modules(), ids=lambda p: p.relative_to(ANALYSIS).as_posix())
def test_analysis_module_size(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name} has over {MAX_MODULE_LINES} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines in {path.name}: {long}"
