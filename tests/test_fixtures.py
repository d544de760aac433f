"""Fixture tests: the findings on every file under ``tests/fixtures/UBL*/`` match its markers.

A fixture marks each expected finding with a trailing comment on the line where the finding is
reported (the start of the growth or creation expression, the decorator for UBL006/UBL008)::

    self.losses.append(loss)  # error: UBL001
    self.items.insert(0, item)  # error: UBL001, UBL004

A finding the rules report only at ``low`` confidence (hidden by default: a precision heuristic
judged the owner short-lived or the key space finite) is marked ``# low: UBL001``.

A marker may name, in brackets, the precision heuristics (``analysis/heuristics``) that touch
the finding: ``# low[fixed-key]: UBL002``, ``# error[loop-can-end]: UBL001``. At
``--min-confidence low`` the heuristics of the findings on that line and code must be exactly
the named ones (none when the brackets are left out), and switching a heuristic off changes
only the findings whose markers name it.

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
from typing import Dict, FrozenSet, List, Set, Tuple

import pytest

from unbounded_lint.engine import lint_source
from unbounded_lint.types import ALL_CODES, Confidence, Finding, Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SETTINGS = Settings(select=ALL_CODES)
LOW_SETTINGS = Settings(select=ALL_CODES, min_confidence=Confidence.LOW)
MIN_FIXTURES = 60

# A marker may follow another comment on the line (``# noqa: UBL002  # error: UBL001``). Any
# "# error" in a comment must be a well-formed marker (catches typos such as "# error UBL001" or
# "# error: UBL01" that would otherwise silently expect nothing).
MARKER_START = re.compile(r"#\s*(?:error|low)\b", re.IGNORECASE)
MARKER = re.compile(r"#\s*(error|low)(?:\[([a-z0-9,-]+)\])?:\s*(UBL\d{3}(?:\s*,\s*UBL\d{3})*)\s*(?=#|$)")


def fixture_files() -> List[Path]:
    return sorted(p for p in FIXTURES.glob("UBL*/**/*.py") if p.is_file())


def fixture_id(path: Path) -> str:
    return path.relative_to(FIXTURES).with_suffix("").as_posix()


Site = Tuple[int, str]


def expected_findings(source: bytes, level: str = "error") -> Counter:
    """The multiset of (line, code) marked in ``source`` with ``# error:`` (or, for
    ``level="low"``, with ``# error:`` or ``# low:``)."""
    expected: Counter = Counter()
    for line, kind, code, _ in _markers(source):
        if kind == "low" and level != "low":
            continue
        expected[(line, code)] += 1
    return expected


def expected_heuristics(source: bytes) -> Dict[Site, FrozenSet[str]]:
    """The heuristics each marked (line, code) names in brackets (empty when none)."""
    named: Dict[Site, Set[str]] = {}
    for line, _, code, names in _markers(source):
        named.setdefault((line, code), set()).update(names)
    return {site: frozenset(names) for site, names in named.items()}


def _markers(source: bytes) -> List[Tuple[int, str, str, Tuple[str, ...]]]:
    """(line, "error" or "low", code, heuristic names) for every marker in ``source``."""
    from unbounded_lint.analysis.heuristics import HEURISTICS

    found = []
    for tok in tokenize.tokenize(io.BytesIO(source).readline):
        if tok.type != tokenize.COMMENT:
            continue
        starts = MARKER_START.findall(tok.string)
        matches = MARKER.findall(tok.string)
        if len(matches) != len(starts):
            raise ValueError(f"line {tok.start[0]}: malformed marker in {tok.string!r}")
        for kind, names, group in matches:
            heuristics = tuple(n for n in names.split(",") if n)
            unknown = [n for n in heuristics if n not in HEURISTICS]
            if unknown:
                raise ValueError(f"line {tok.start[0]}: unknown heuristics {unknown} in marker")
            for code in re.split(r"\s*,\s*", group):
                if code not in ALL_CODES:
                    raise ValueError(f"line {tok.start[0]}: unknown code {code!r} in marker")
                found.append((tok.start[0], kind, code, heuristics))
    return found


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
    if level == "low":
        _check_heuristics(rel, source, result.findings)


def _heuristics_by_site(findings: Tuple[Finding, ...]) -> Dict[Site, FrozenSet[str]]:
    named: Dict[Site, Set[str]] = {}
    for finding in findings:
        named.setdefault((finding.line, finding.code), set()).update(finding.heuristics)
    return {site: frozenset(names) for site, names in named.items()}


def _check_heuristics(rel: str, source: bytes, findings: Tuple[Finding, ...]) -> None:
    expected = expected_heuristics(source)
    actual = _heuristics_by_site(findings)
    wrong = [f"    line {line}: {code} marked [{','.join(sorted(expected[(line, code)]))}], "
             f"touched by [{','.join(sorted(names))}]"
             for (line, code), names in sorted(actual.items()) if expected.get((line, code)) != names]
    if wrong:
        pytest.fail(f"{rel}: heuristics differ from the markers\n" + "\n".join(wrong), pytrace=False)


def _lint_all(settings: Settings) -> Dict[str, Dict[Site, Tuple[Tuple[int, Tuple[str, ...]], ...]]]:
    out = {}
    for path in FILES:
        result = lint_source(path.read_bytes(), path.relative_to(ROOT).as_posix(), settings)
        by_site: Dict[Site, List[Tuple[int, Tuple[str, ...]]]] = {}
        for f in result.findings:
            by_site.setdefault((f.line, f.code), []).append((int(f.confidence), f.heuristics))
        out[fixture_id(path)] = {site: tuple(sorted(v)) for site, v in by_site.items()}
    return out


def _heuristic_names() -> List[str]:
    from unbounded_lint.analysis.heuristics import HEURISTICS

    return sorted(HEURISTICS)


@pytest.fixture(scope="module")
def all_on() -> Dict[str, Dict[Site, Tuple[Tuple[int, Tuple[str, ...]], ...]]]:
    return _lint_all(LOW_SETTINGS)


@pytest.mark.parametrize("name", _heuristic_names())
def test_switching_a_heuristic_off_changes_only_its_marked_findings(name: str, all_on) -> None:
    """With ``name`` disabled, exactly the findings whose markers name it change (their
    confidence may rise, their heuristics lose the name); every other finding stays as it is."""
    off = _lint_all(Settings(select=ALL_CODES, min_confidence=Confidence.LOW,
                             disabled_heuristics=frozenset({name})))
    marked = {(fid, site) for path in FILES for fid in [fixture_id(path)]
              for site, names in expected_heuristics(path.read_bytes()).items() if name in names}
    changed = {(fid, site) for fid, sites in all_on.items()
               for site in set(sites) | set(off[fid]) if sites.get(site) != off[fid].get(site)}
    assert changed == marked, (
        f"switching off {name} changed {sorted(changed - marked)} (not marked with it) and left "
        f"{sorted(marked - changed)} (marked with it) alone")


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


@pytest.mark.slow
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


@pytest.mark.parametrize("name", [n for n in _heuristic_names() if n != "test-file" and not n.startswith("index-")])
def test_every_heuristic_is_marked_in_a_fixture(name: str) -> None:
    """Each heuristic (but ``test-file``, which needs a test file's name: see
    test_heuristics.py, and those of the project index, which need several modules: see
    tests/fixtures/project/ and test_project_index.py) has a fixture showing what it lowers."""
    assert any(name in names for path in FILES
               for names in expected_heuristics(path.read_bytes()).values()), \
        f"no fixture marks a finding with [{name}]"


def test_owner_is_named_after_the_creating_class() -> None:
    """Issue 11 (facts stay true): a base class's attribute is not named after the subclass."""
    path = FIXTURES / "UBL001" / "owner_named_after_the_creating_class.py"
    findings = lint_source(path.read_bytes(), "owners.py", SETTINGS).findings
    assert [(f.line, f.container) for f in findings] == [(17, "Worker.events"), (20, "Agent.replies")]
    assert "Worker" in findings[0].because and "Agent" in findings[1].because


def test_dataclass_factory_field_is_an_instance_attribute() -> None:
    """Facts stay true: ``x: dict = field(default_factory=dict)`` gives every instance its own
    dict, so the message does not call it a class attribute shared by every instance."""
    source = (b"from dataclasses import dataclass, field\n\n\n@dataclass\nclass Book:\n"
              b"    orders: dict = field(default_factory=dict)\n    shared = {}\n\n"
              b"    def add(self, k, v):\n        self.orders[k] = v\n        self.shared[k] = v\n")
    findings = lint_source(source, "book.py", SETTINGS).findings
    because = {f.line: f.because for f in findings}
    assert because[10].startswith("instance attribute of Book, kept as long as the instance lives")
    assert because[11].startswith("class attribute of Book, shared by every instance")
