"""Every rule's own VALID and INVALID examples, its documentation headings, and the code set.

Examples are typed in Fixit's style: ``Valid(code)`` must produce no finding of its rule's code;
``Invalid(code, confidence=..., fixed=...)`` at least one, each with that confidence (at
``--min-confidence low``), and ``--fix --unsafe-fixes`` with only that rule selected must turn
it into ``fixed`` (``fixed=None``: no fix is offered, the source stays as it is). Other rules may fire on either.
"""

from __future__ import annotations

from typing import List, Tuple, Union

import pytest

from unbounded_lint.engine import lint_source
from unbounded_lint.fixer import fix_source
from unbounded_lint.rules import RULES, TRIGGERS
from unbounded_lint.rules.base import Invalid, Valid
from unbounded_lint.types import ALL_CODES, DEFAULT_SELECT, Confidence, Settings

SETTINGS = Settings(select=ALL_CODES, min_confidence=Confidence.LOW)
EXPECTED_CODES = tuple(f"UBL00{i}" for i in range(1, 9))
OPT_IN = ("UBL007", "UBL008")
DOC_HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety")


def _examples() -> List[Tuple[str, str, Union[Valid, Invalid]]]:
    cases: List[Tuple[str, str, Union[Valid, Invalid]]] = []
    for code, rule in RULES.items():
        cases += [(code, "valid", example) for example in rule.valid]
        cases += [(code, "invalid", example) for example in rule.invalid]
    return cases


def _ids() -> List[str]:
    ids = []
    for code, rule in RULES.items():
        ids += [f"{code}-valid-{i}" for i in range(len(rule.valid))]
        ids += [f"{code}-invalid-{i}" for i in range(len(rule.invalid))]
    return ids


def _numbered(source: str) -> str:
    return "\n".join(f"{n:4}  {line}" for n, line in enumerate(source.splitlines(), 1))


@pytest.mark.parametrize("code, kind, example", _examples(), ids=_ids())
def test_rule_example(code: str, kind: str, example: Union[Valid, Invalid]) -> None:
    source = example.code
    result = lint_source(source.encode("utf-8"), f"{code}_{kind}.py", SETTINGS)
    assert result.error is None, f"example does not lint: {result.error}\n{_numbered(source)}"
    own = [f for f in result.findings if f.code == code]
    if kind == "valid":
        assert not own, (
            f"VALID example of {code} produced {code}:\n"
            + "\n".join(f"  {f.line}:{f.column} {f.message}" for f in own)
            + f"\n{_numbered(source)}"
        )
        return
    assert isinstance(example, Invalid)
    assert own, f"INVALID example of {code} produced no {code}:\n{_numbered(source)}"
    if example.confidence is not None:
        assert {f.confidence for f in own} == {example.confidence}, _numbered(source)
    fixed = fix_source(source.encode(), "example.py", Settings(select=(code,), min_confidence=Confidence.LOW),
                       unsafe=True).source.decode()
    assert fixed == (source if example.fixed is None else example.fixed), f"--fix gave:\n{fixed}"


def test_every_invalid_example_states_its_confidence() -> None:
    untyped = [f"{code}-invalid-{i}" for code, rule in RULES.items()
               for i, example in enumerate(rule.invalid) if example.confidence is None]
    assert not untyped


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_triggers(code: str) -> None:
    """The engine skips a file with none of the rules' trigger words: every INVALID example has
    one of its own rule's words, and the engine's list is the union of the rules' lists."""
    rule = RULES[code]
    assert rule.triggers and set(rule.triggers) <= set(TRIGGERS)
    for example in rule.invalid:
        assert any(word in example.code.encode() for word in rule.triggers), example.code
    assert set(TRIGGERS) == {w for r in RULES.values() for w in r.triggers}


def test_codes_are_exactly_ubl001_to_ubl008():
    assert tuple(RULES) == EXPECTED_CODES
    assert tuple(ALL_CODES) == EXPECTED_CODES
    assert tuple(DEFAULT_SELECT) == tuple(c for c in EXPECTED_CODES if c not in OPT_IN)


@pytest.mark.parametrize("code", EXPECTED_CODES)
def test_rule_metadata(code):
    rule = RULES[code]
    assert rule.code == code
    assert rule.default is (code not in OPT_IN), f"{code} default={rule.default}"
    assert rule.name and rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary.strip() and "\n" not in rule.summary
    assert rule.valid, f"{code} has no VALID example"
    assert rule.invalid, f"{code} has no INVALID example"


@pytest.mark.parametrize("code", EXPECTED_CODES)
def test_rule_docs_headings(code):
    docs = RULES[code].docs
    lines = docs.splitlines()
    missing = [h for h in DOC_HEADINGS if h not in lines]
    assert not missing, f"{code} docs lack the headings {missing}"
    positions = [lines.index(h) for h in DOC_HEADINGS]
    assert positions == sorted(positions), f"{code} docs headings out of order"


def test_rule_names_unique():
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("code", sorted(RULES))
def test_documented_example_is_flagged(code: str) -> None:
    """A user pasting a rule's '## Example' into the tool sees that rule's finding."""
    import re

    docs = RULES[code].docs
    example = re.search(r"## Example\n```python\n(.*?)```", docs, re.S)
    assert example, f"{code} has no python code block under '## Example'"
    result = lint_source(example.group(1).encode(), "example.py", Settings(select=ALL_CODES))
    assert result.error is None, result.error
    assert code in {f.code for f in result.findings}, f"{code}'s documented example is not flagged"
