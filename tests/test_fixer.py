"""Golden tests for ``--fix``: every ``tests/fixtures/fix/NAME.py`` against ``NAME.fixed.py``.

Each pair is the input and the exact bytes ``fix_source`` must produce with the default max
length (1000) and every fix applied (``--fix-level all``): the pairs show what each fix looks
like; which fixes plain ``--fix`` applies is tested in ``test_fix_safety.py`` and by the
``default_*`` pairs. Name prefixes choose the settings:

* ``ubl008_*``: ``select`` = every code (UBL008 is opt-in);
* ``unsafe_*``: every code (UBL007's ``maxsize``);
* ``default_*``: the default fix level (``high``): unsafe fixes only on ``high`` findings;
* ``nofix_*``: the linter reports something it cannot fix — output must equal input;
* ``noop_*``: already bounded code — no finding at all, output must equal input.

Beyond the exact output, every fixed file must parse, a second fix must change nothing, and
linting the fixed file must not report again what the fix repaired.
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path
from typing import List, Tuple

import pytest

from unbounded_lint.engine import lint_source
from unbounded_lint.fixer import fix_source
from unbounded_lint.types import ALL_CODES, Confidence, Settings

FIXTURES = Path(__file__).parent / "fixtures" / "fix"
EXAMPLES = Path(__file__).parent.parent / "examples"
FIXED_SUFFIX = ".fixed.py"


def _pair_names() -> List[str]:
    return sorted(p.name[: -len(FIXED_SUFFIX)] for p in FIXTURES.glob("*" + FIXED_SUFFIX))


PAIRS = _pair_names()


def _settings(name: str) -> Settings:
    """``ubl008_*``/``unsafe_*`` pairs select every code; ``low_*`` pairs fix findings that are
    reported at low confidence only (what ``--min-confidence low --fix`` does)."""
    if name.startswith(("ubl008_", "unsafe_")):
        return Settings(select=ALL_CODES)
    if name.startswith("low_"):
        return Settings(min_confidence=Confidence.LOW)
    return Settings()


def _unsafe(name: str) -> bool:
    return not name.startswith("default_")


def _load(name: str) -> Tuple[bytes, bytes]:
    return (FIXTURES / (name + ".py")).read_bytes(), (FIXTURES / (name + FIXED_SUFFIX)).read_bytes()


def _visible(data: bytes) -> List[str]:
    """Lines of ``data`` with a BOM and carriage returns made visible, for readable diffs."""
    text = data.decode("utf-8", errors="surrogateescape")
    return [
        line.replace("\ufeff", "<BOM>").replace("\r", "\\r").replace("\t", "\\t") + "\n"
        for line in text.split("\n")
    ]


def _diff(expected: bytes, actual: bytes, name: str) -> str:
    return "".join(
        difflib.unified_diff(_visible(expected), _visible(actual),
                             f"{name}.fixed.py (expected)", f"{name} (fix_source output)")
    )


def _fix(name: str, source: bytes):
    return fix_source(source, f"{name}.py", _settings(name), unsafe=_unsafe(name))


# ----------------------------------------------------------------------- fixture sanity

def test_fixture_pairs_exist() -> None:
    assert len(PAIRS) >= 45
    inputs = {p.name[:-3] for p in FIXTURES.glob("*.py") if not p.name.endswith(FIXED_SUFFIX)}
    assert inputs == set(PAIRS), "every NAME.py needs a NAME.fixed.py and vice versa"


@pytest.mark.parametrize("name", PAIRS)
def test_fixture_files_are_consistent(name: str) -> None:
    source, expected = _load(name)
    ast.parse(source)
    ast.parse(expected)
    if name.startswith(("nofix_", "noop_", "ubl008_noop_")):
        assert source == expected
    else:
        assert source != expected
    if "crlf" in name:
        assert b"\n" not in source.replace(b"\r\n", b"")
        assert b"\n" not in expected.replace(b"\r\n", b"")
    if "bom" in name:
        assert source.startswith(b"\xef\xbb\xbf") and expected.startswith(b"\xef\xbb\xbf")


# ----------------------------------------------------------------------- golden output

@pytest.mark.parametrize("name", PAIRS)
def test_fix_output_matches_expected(name: str) -> None:
    source, expected = _load(name)
    result = _fix(name, source)
    assert result.error is None, result.error
    if result.source != expected:
        pytest.fail("fixed output differs from the expected file:\n" + _diff(expected, result.source, name),
                    pytrace=False)
    if expected == source:
        assert result.fixed == 0
    else:
        assert result.fixed >= 1


@pytest.mark.parametrize("name", PAIRS)
def test_fix_output_parses(name: str) -> None:
    source, _ = _load(name)
    result = _fix(name, source)
    ast.parse(result.source)


@pytest.mark.parametrize("name", PAIRS)
def test_second_fix_changes_nothing(name: str) -> None:
    source, _ = _load(name)
    first = _fix(name, source)
    second = _fix(name, first.source)
    assert second.error is None, second.error
    if second.source != first.source:
        pytest.fail("second fix changed the file:\n" + _diff(first.source, second.source, name),
                    pytrace=False)
    assert second.fixed == 0


def _describe(findings) -> str:
    return "\n".join(f"  {f.line}:{f.column} {f.code} {f.container!r} {f.message}" for f in findings)


@pytest.mark.parametrize("name", PAIRS)
def test_lint_findings_before_fix(name: str) -> None:
    """The fixtures mean what their names say: something fixable, nothing fixable, or clean."""
    source, _ = _load(name)
    findings = lint_source(source, f"{name}.py", _settings(name)).findings
    fixable = [f for f in findings if f.fixable_with(_unsafe(name))]
    if name.startswith(("noop_", "ubl008_noop_")):
        assert not findings, "already bounded code was flagged:\n" + _describe(findings)
    elif name.startswith("nofix_"):
        assert findings, "expected a finding that cannot be fixed"
        assert not fixable, "expected no fixable finding:\n" + _describe(fixable)
    else:
        assert fixable, "expected a fixable finding:\n" + _describe(findings)


@pytest.mark.parametrize("name", PAIRS)
def test_fixed_findings_are_gone(name: str) -> None:
    source, _ = _load(name)
    unsafe = _unsafe(name)
    before = lint_source(source, f"{name}.py", _settings(name)).findings
    fixed = [f for f in before if f.fixable_with(unsafe)]
    result = _fix(name, source)
    after = lint_source(result.source, f"{name}.py", _settings(name)).findings
    still_fixable = [f for f in after if f.fixable_with(unsafe)]
    assert not still_fixable, "fixable findings remain after --fix:\n" + _describe(still_fixable)
    keys = {(f.code, f.container) for f in fixed if f.container}
    prints = {(f.code, f.fingerprint) for f in fixed if f.fingerprint}
    again = [f for f in after
             if (f.container and (f.code, f.container) in keys)
             or (f.fingerprint and (f.code, f.fingerprint) in prints)]
    assert not again, "findings the fix repaired are reported again:\n" + _describe(again)


# ----------------------------------------------------------------------- examples/ properties

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.py")) if EXAMPLES.is_dir() else []
MODES = [("default", Settings(), False), ("all-unsafe", Settings(select=ALL_CODES), True)]


@pytest.mark.skipif(not EXAMPLE_FILES, reason="no examples/*.py yet")
@pytest.mark.parametrize("mode", MODES, ids=[m[0] for m in MODES])
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_examples_fix_parses_and_is_idempotent(path: Path, mode) -> None:
    _, settings, unsafe = mode
    source = path.read_bytes()
    first = fix_source(source, path.name, settings, unsafe=unsafe)
    if first.error is not None:
        assert first.source == source, "a failed fix must leave the source untouched"
        return
    ast.parse(first.source)
    second = fix_source(first.source, path.name, settings, unsafe=unsafe)
    assert second.error is None, second.error
    if second.source != first.source:
        pytest.fail("second fix changed the file:\n" + _diff(first.source, second.source, path.name),
                    pytrace=False)
