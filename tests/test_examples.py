"""examples/: the findings listed in examples/EXPECTED.txt, and the example still runs after --fix."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import List, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXPECTED = EXAMPLES / "EXPECTED.txt"

EXPECTED_LINE = re.compile(r"^(?P<file>\S+?):(?P<line>\d+):\s+(?P<code>UBL\d{3})\b")
TEXT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>UBL\d{3}) .*?(?P<fix> \[\*\])?$")
FIXED_LINE = re.compile(r"Fixed (\d+) findings? in (\d+) files?")
BOT_ARGS = ("--ticks", "50")


def expected_findings() -> List[Tuple[str, int, str]]:
    found = []
    for raw in EXPECTED.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = EXPECTED_LINE.match(line)
        assert m, f"EXPECTED.txt: cannot parse {raw!r} (expected FILE:LINE: CODE)"
        found.append((m["file"], int(m["line"]), m["code"]))
    return found


def lint(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", *argv],
                          cwd=str(cwd), capture_output=True, text=True, env=env, timeout=120)


def reported(proc: subprocess.CompletedProcess, base: str) -> List[Tuple[str, int, str, bool]]:
    """(path relative to ``base``, line, code, fixable) of every finding line."""
    out = []
    for line in proc.stdout.splitlines():
        m = TEXT_LINE.match(line)
        if m:
            path = Path(m["path"]).as_posix()
            prefix = base.rstrip("/") + "/"
            assert path.startswith(prefix), path
            out.append((path[len(prefix):], int(m["line"]), m["code"], bool(m["fix"])))
    return out


def run_bot(script: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(script), *BOT_ARGS], cwd=str(cwd), capture_output=True,
                          text=True, env=env, timeout=120)


def test_expected_file_lists_findings():
    found = expected_findings()
    assert found, "examples/EXPECTED.txt lists no finding"
    for file, _, _ in found:
        assert (EXAMPLES / file).is_file(), f"EXPECTED.txt names a missing file {file}"


@pytest.mark.parametrize("select", [[], ["--select", "ALL"]], ids=["default", "select-all"])
def test_examples_report_exactly_expected(select):
    proc = lint(*select, "examples/", cwd=ROOT)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == ""
    got = Counter((p, line, code) for p, line, code, _ in reported(proc, "examples"))
    want = Counter(expected_findings())
    assert got == want, f"unexpected: {sorted(got - want)}\nmissing: {sorted(want - got)}"


@pytest.fixture(scope="module")
def original_run(tmp_path_factory) -> subprocess.CompletedProcess:
    """``python examples/trading_bot.py --ticks 50``, run once (importing matplotlib is slow)."""
    pytest.importorskip("matplotlib")
    return run_bot(EXAMPLES / "trading_bot.py", tmp_path_factory.mktemp("bot"))


@pytest.mark.slow
def test_trading_bot_runs(original_run):
    assert original_run.returncode == 0, original_run.stderr
    assert original_run.stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize("level", ["high", "all"])
def test_fixed_examples_still_run_and_fix_is_idempotent(tmp_path, original_run, level):
    """Plain --fix (level high) and --fix-level all: what the [*] marks promise is fixed,
    the rest is still reported, the bot still runs the same, a second run changes nothing."""
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy)

    def run(*argv: str) -> subprocess.CompletedProcess:
        return lint("--fix-level", level, *argv, cwd=tmp_path)

    before = reported(run("examples"), "examples")
    fixable = Counter(code for _, _, code, fix in before if fix)
    unfixable = Counter(code for _, _, code, fix in before if not fix)
    assert fixable, "the examples should have fixable findings"

    first = run("--fix", "examples")
    m = FIXED_LINE.search(first.stderr)
    assert m, first.stderr
    assert int(m[1]) == sum(fixable.values()), first.stderr
    # Findings that --fix cannot repair remain: exit 1, and they are reported.
    assert first.returncode == (1 if unfixable else 0), first.stdout + first.stderr
    after = reported(run("examples"), "examples")
    assert Counter(code for _, _, code, _ in after) == unfixable
    for py in copy.glob("*.py"):
        compile(py.read_bytes(), str(py), "exec")

    # The fixed bot runs, and (fewer than max-length items in 50 ticks) behaves the same.
    fixed = run_bot(copy / "trading_bot.py", tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout == original_run.stdout

    snapshot = {p.name: p.read_bytes() for p in copy.iterdir()}
    second = run("--fix", "examples")
    m = FIXED_LINE.search(second.stderr)
    assert m and (int(m[1]), int(m[2])) == (0, 0), second.stderr
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == snapshot
    assert run("--diff", "examples").stdout == ""
