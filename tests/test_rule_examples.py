"""Every rule's own VALID and INVALID examples, its documentation headings, and the code set.

A VALID example must produce no finding of its rule's code; an INVALID example at least one
(other rules may fire on either). Everything is linted with all codes selected.
"""

from __future__ import annotations

from typing import List, Tuple

import pytest

from unbounded_lint.engine import lint_source
from unbounded_lint.rules import RULES
from unbounded_lint.types import ALL_CODES, DEFAULT_SELECT, Settings

SETTINGS = Settings(select=ALL_CODES)
EXPECTED_CODES = tuple(f"UBL00{i}" for i in range(1, 9))
OPT_IN = ("UBL007", "UBL008")
DOC_HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety")


def _examples() -> List[Tuple[str, str, str]]:
    cases = []
    for code, rule in RULES.items():
        for kind, sources in (("valid", rule.valid), ("invalid", rule.invalid)):
            for i, source in enumerate(sources):
                cases.append((code, kind, source))
    return cases


def _ids() -> List[str]:
    ids = []
    for code, rule in RULES.items():
        ids += [f"{code}-valid-{i}" for i in range(len(rule.valid))]
        ids += [f"{code}-invalid-{i}" for i in range(len(rule.invalid))]
    return ids


def _numbered(source: str) -> str:
    return "\n".join(f"{n:4}  {line}" for n, line in enumerate(source.splitlines(), 1))


@pytest.mark.parametrize("code, kind, source", _examples(), ids=_ids())
def test_rule_example(code, kind, source):
    result = lint_source(source.encode("utf-8"), f"{code}_{kind}.py", SETTINGS)
    assert result.error is None, f"example does not lint: {result.error}\n{_numbered(source)}"
    own = [f for f in result.findings if f.code == code]
    if kind == "valid":
        assert not own, (
            f"VALID example of {code} produced {code}:\n"
            + "\n".join(f"  {f.line}:{f.column} {f.message}" for f in own)
            + f"\n{_numbered(source)}"
        )
    else:
        assert own, f"INVALID example of {code} produced no {code}:\n{_numbered(source)}"


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
