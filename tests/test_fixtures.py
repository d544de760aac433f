"""Fixture tests: the findings on every file under ``tests/fixtures/UBL*/`` match its markers.

A fixture marks each expected finding with a trailing comment on the line where the finding is
reported (the start of the growth or creation expression, the decorator for UBL006/UBL008)::

    self.losses.append(loss)  # error: UBL001
    self.items.insert(0, item)  # error: UBL001, UBL004

A finding the rules report only at ``low`` confidence (hidden by default: a precision heuristic
judged the owner short-lived or the key space finite) is marked ``# low: UBL001``.

Lines without a marker must produce no finding. Every fixture is linted with all codes selected
(UBL007 and UBL008 included) twice: at the default confidence, where the multiset of
``(line, code)`` must equal the ``error`` markers, and at ``--min-confidence low``, where it must
equal the ``error`` and ``low`` markers together. So a heuristic that hides a finding by default
is tested to hide it, not to drop it.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from unbounded_lint.engine import lint_source
from unbounded_lint.types import ALL_CODES, Confidence, Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SETTINGS = Settings(select=ALL_CODES)
LOW_SETTINGS = Settings(select=ALL_CODES, min_confidence=Confidence.LOW)
MIN_FIXTURES = 60

# A marker may follow another comment on the line (``# noqa: UBL002  # error: UBL001``). Any
# "# error" in a comment must be a well-formed marker (catches typos such as "# error UBL001" or
# "# error: UBL01" that would otherwise silently expect nothing).
MARKER_START = re.compile(r"#\s*(?:error|low)\b", re.IGNORECASE)
MARKER = re.compile(r"#\s*(error|low):\s*(UBL\d{3}(?:\s*,\s*UBL\d{3})*)\s*(?=#|$)")


def fixture_files() -> List[Path]:
    return sorted(p for p in FIXTURES.glob("UBL*/**/*.py") if p.is_file())


def fixture_id(path: Path) -> str:
    return path.relative_to(FIXTURES).with_suffix("").as_posix()


def expected_findings(source: bytes, level: str = "error") -> Counter:
    """The multiset of (line, code) marked in ``source`` with ``# error:`` (or, for
    ``level="low"``, with ``# error:`` or ``# low:``)."""
    expected: Counter = Counter()
    for tok in tokenize.tokenize(io.BytesIO(source).readline):
        if tok.type != tokenize.COMMENT:
            continue
        starts = MARKER_START.findall(tok.string)
        matches = MARKER.findall(tok.string)
        if len(matches) != len(starts):
            raise ValueError(f"line {tok.start[0]}: malformed marker in {tok.string!r}")
        for kind, group in matches:
            if kind == "low" and level != "low":
                continue
            for code in re.split(r"\s*,\s*", group):
                if code not in ALL_CODES:
                    raise ValueError(f"line {tok.start[0]}: unknown code {code!r} in marker")
                expected[(tok.start[0], code)] += 1
    return expected


def _describe(
    pairs: Counter, lines: List[str], messages: Dict[Tuple[int, str], List[str]]
) -> str:
    out = []
    for (line, code), count in sorted(pairs.items()):
        text = lines[line - 1].strip() if 0 < line <= len(lines) else "<no such line>"
        times = f" (x{count})" if count > 1 else ""
        out.append(f"    line {line}: {code}{times}    | {text}")
        for message in messages.get((line, code), []):
            out.append(f"        engine said: {message}")
    return "\n".join(out)


FILES = fixture_files()


@pytest.mark.parametrize("level", ["error", "low"])
@pytest.mark.parametrize("path", FILES, ids=[fixture_id(p) for p in FILES])
def test_fixture(path: Path, level: str) -> None:
    source = path.read_bytes()
    # Fixtures are Python 3.9 code: the tool supports it, so they must parse as such.
    ast.parse(source, filename=str(path), feature_version=(3, 9))
    expected = expected_findings(source, level)

    rel = path.relative_to(ROOT).as_posix()
    result = lint_source(source, rel, SETTINGS if level == "error" else LOW_SETTINGS)
    assert result.error is None, f"{rel}: engine error: {result.error}"

    actual: Counter = Counter()
    messages: Dict[Tuple[int, str], List[str]] = {}
    for finding in result.findings:
        key = (finding.line, finding.code)
        actual[key] += 1
        messages.setdefault(key, []).append(
            f"{finding.line}:{finding.column}: {finding.code} {finding.message}"
        )

    missing = expected - actual
    extra = actual - expected
    if missing or extra:
        lines = source.decode("utf-8").splitlines()
        parts = [f"{rel}: findings differ from the markers"
                 + (" at --min-confidence low" if level == "low" else "")]
        if missing:
            parts.append("  missing (marked, not reported):")
            parts.append(_describe(missing, lines, messages))
        if extra:
            parts.append("  extra (reported, not marked):")
            parts.append(_describe(extra, lines, messages))
        pytest.fail("\n".join(parts), pytrace=False)


def test_fixture_count() -> None:
    assert len(FILES) >= MIN_FIXTURES, f"only {len(FILES)} fixtures, expected >= {MIN_FIXTURES}"


def test_every_code_has_positive_and_negative_fixtures() -> None:
    """Each UBLxxx directory holds a fixture expecting that code and one expecting none of it."""
    problems = []
    for code in ALL_CODES:
        files = [p for p in FILES if p.relative_to(FIXTURES).parts[0] == code]
        positive = [p for p in files if any(c == code for _, c in expected_findings(p.read_bytes()))]
        negative = [p for p in files if all(c != code for _, c in expected_findings(p.read_bytes()))]
        if not positive:
            problems.append(f"{code}: no positive fixture (none marks '# error: {code}')")
        if not negative:
            problems.append(f"{code}: no negative fixture (every fixture marks {code})")
    assert not problems, "\n".join(problems)


EXAMPLES = ROOT / "examples"
EXPECTED_LINE = re.compile(r"^(?P<file>[^\s:]+\.py):(?P<line>\d+):\s*(?P<code>UBL\d{3})\b")


def _expected_example_findings() -> Counter:
    expected: Counter = Counter()
    for raw in (EXAMPLES / "EXPECTED.txt").read_text(encoding="utf-8").splitlines():
        match = EXPECTED_LINE.match(raw)
        if match:
            expected[(match["file"], int(match["line"]), match["code"])] += 1
    return expected


def test_examples_match_expected_txt() -> None:
    """examples/EXPECTED.txt lists exactly the default-selection findings in examples/*.py."""
    expected = _expected_example_findings()
    assert expected, "examples/EXPECTED.txt lists no findings"
    codes = {code for _, _, code in expected}
    assert set(Settings().select) <= codes, f"examples miss codes {set(Settings().select) - codes}"

    actual: Counter = Counter()
    for path in sorted(EXAMPLES.glob("*.py")):
        result = lint_source(path.read_bytes(), path.relative_to(ROOT).as_posix(), Settings())
        assert result.error is None, f"{path.name}: engine error: {result.error}"
        for finding in result.findings:
            actual[(path.name, finding.line, finding.code)] += 1
    missing, extra = expected - actual, actual - expected
    assert not missing and not extra, (
        f"examples differ from EXPECTED.txt\n  missing: {sorted(missing)}\n  extra: {sorted(extra)}"
    )


def test_example_runs_for_a_bounded_number_of_ticks() -> None:
    """The README example really runs: `python examples/trading_bot.py --ticks 50`."""
    import subprocess
    import sys

    pytest.importorskip("matplotlib")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "trading_bot.py"), "--ticks", "50"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(ROOT),
    )
    assert proc.returncode == 0, proc.stderr
    assert "50 ticks" in proc.stdout
