"""Documentation stays in step with the code.

* ``docs/rules.md`` is exactly what ``scripts/gen_rule_docs.py`` generates from the rule
  registry: editing a rule's docs without regenerating fails here. Fix it with
  ``python scripts/gen_rule_docs.py``.
* Every rule section keeps its anchor (``#ubl001-unbounded-list``), and every link into
  ``rules.md#...`` from the README or docs points at an existing anchor.
* Every ``--long-flag`` of ``unbounded-lint --help`` is mentioned in README.md or docs/*.md.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from unbounded_lint.cli import build_parser
from unbounded_lint.engine import lint_source
from unbounded_lint.rules import RULES
from unbounded_lint.types import ALL_CODES, Applicability, Settings

ROOT = Path(__file__).resolve().parent.parent
RULES_MD = ROOT / "docs" / "rules.md"
SCRIPT = ROOT / "scripts" / "gen_rule_docs.py"


def _load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_rule_docs", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _doc_files() -> List[Path]:
    files = [ROOT / "README.md"] if (ROOT / "README.md").exists() else []
    return files + sorted((ROOT / "docs").glob("*.md"))


def test_rules_md_up_to_date():
    assert RULES_MD.exists(), "docs/rules.md is missing: run python scripts/gen_rule_docs.py"
    current = RULES_MD.read_text(encoding="utf-8")
    assert current == gen.render(), (
        "docs/rules.md is out of date with the rule registry: run python scripts/gen_rule_docs.py"
    )


def test_generator_check_mode():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_rules_md_has_every_rule_with_stable_anchor():
    text = RULES_MD.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == [f"{code} ({rule.name})" for code, rule in RULES.items()] + ["Heuristics"]
    for code, rule in RULES.items():
        anchor = gen.github_anchor(f"{code} ({rule.name})")
        assert anchor == rule.anchor == f"{code.lower()}-{rule.name}"
        assert f"(#{anchor})" in text, f"the rule table does not link to #{anchor}"
        # The rule's docs appear (headings demoted one level), and the summary line says on/opt-in.
        assert gen.demote_headings(rule.docs.strip()) in text
    assert "#ubl001-unbounded-list" in text


def test_rules_table_default_column():
    text = RULES_MD.read_text(encoding="utf-8")
    for code, rule in RULES.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| [{code}]"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == f"`{rule.name}`"
        assert cells[3] == ("on" if rule.default else "opt-in"), row


def test_demote_headings_leaves_code_comments():
    docs = "## Example\n```python\n# a comment\nx = 1\n```\n## Use instead\n"
    assert gen.demote_headings(docs) == "### Example\n```python\n# a comment\nx = 1\n```\n### Use instead"


@pytest.mark.parametrize("code", list(RULES))
def test_fix_column_agrees_with_engine(code):
    """'no' means no INVALID example gets a fix; 'unsafe' means every fix it gets is unsafe."""
    rule = RULES[code]
    kind = gen.fix_kind(rule)
    fixes = []
    for example in rule.invalid:
        result = lint_source(example.code.encode("utf-8"), "x.py", Settings(select=ALL_CODES))
        fixes += [f.fix for f in result.findings if f.code == code]
    if kind == gen.FIX_NONE:
        assert all(f is None for f in fixes), f"{code} docs say no fix, but the engine offers one"
    elif kind == gen.FIX_UNSAFE:
        assert all(f is None or f.applicability is Applicability.UNSAFE for f in fixes), code
    elif kind == gen.FIX_SAFE:
        assert all(f is None or f.applicability is Applicability.SAFE for f in fixes), code


def test_every_heuristic_has_a_measured_effect():
    """docs/heuristic-effect.json (scripts/heuristic_effect.py) covers every heuristic."""
    import json

    from unbounded_lint.analysis.heuristics import HEURISTICS

    data = json.loads((ROOT / "docs" / "heuristic-effect.json").read_text(encoding="utf-8"))
    assert set(data["effect"]) == set(HEURISTICS), "re-run python scripts/heuristic_effect.py"
    assert data["files"] > 50


def test_rules_md_lists_every_heuristic():
    from unbounded_lint.analysis.heuristics import HEURISTICS

    text = RULES_MD.read_text(encoding="utf-8")
    for name, heuristic in HEURISTICS.items():
        assert f"\n### {name}\n" in text, f"docs/rules.md does not document heuristic {name}"
        assert heuristic.doc in text


def test_links_to_rule_anchors_resolve():
    from unbounded_lint.analysis.heuristics import HEURISTICS

    anchors = {rule.anchor for rule in RULES.values()} | {"heuristics"} | set(HEURISTICS)
    broken = []
    for path in _doc_files():
        for target in re.findall(r"rules\.md#([\w-]+)", path.read_text(encoding="utf-8")):
            if target not in anchors:
                broken.append(f"{path.relative_to(ROOT)}: rules.md#{target}")
    assert not broken, f"links to missing anchors: {broken}"


def _cli_long_flags() -> List[str]:
    flags = set()
    for action in build_parser()._actions:
        flags.update(s for s in action.option_strings if s.startswith("--"))
    flags.discard("--help")
    return sorted(flags)


def test_help_shows_the_flags_we_check():
    help_text = build_parser().format_help()
    for flag in _cli_long_flags():
        assert flag in help_text


def test_readme_documents_every_cli_flag():
    """LEAD: if this fails, the listed flags of `unbounded-lint --help` are not mentioned in
    README.md or any docs/*.md. Document them (README.md's usage section, or docs/configuration.md)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in _doc_files())
    missing = [f for f in _cli_long_flags() if not re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text)]
    assert not missing, (
        f"CLI flags missing from README.md and docs/*.md (lead: document them): {', '.join(missing)}"
    )
