"""The named precision heuristics: each one's own examples, the registry, and its off switch.

Every heuristic carries ``fires`` examples (some finding names it) and ``quiet`` examples (no
finding does), like a rule's INVALID/VALID lists; one parametrized test runs them all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from unbounded_lint.analysis.heuristics import CONTAINER_HEURISTICS, HEURISTICS, judge
from unbounded_lint.analysis.heuristics.base import Heuristic, Verdict, merge
from unbounded_lint.config import ConfigError, load_config
from unbounded_lint.engine import lint_source
from unbounded_lint.types import ALL_CODES, Confidence, Settings

from _support import clean_env

LOW = Settings(select=ALL_CODES, min_confidence=Confidence.LOW)


def _cases() -> List[Tuple[str, str, str]]:
    return [(name, kind, source) for name, h in HEURISTICS.items()
            for kind, sources in (("fires", h.fires), ("quiet", h.quiet)) for source in sources]


def _ids() -> List[str]:
    counts: dict = {}
    ids = []
    for name, kind, _ in _cases():
        n = counts[(name, kind)] = counts.get((name, kind), -1) + 1
        ids.append(f"{name}-{kind}-{n}")
    return ids


def _named(source: str, path: str = "mod.py", settings: Settings = LOW) -> List[Tuple[str, ...]]:
    result = lint_source(source.encode(), path, settings)
    assert result.error is None, result.error
    assert result.findings, f"the example has no finding at all:\n{source}"
    return [f.heuristics for f in result.findings]


@pytest.mark.parametrize("name, kind, source", _cases(), ids=_ids())
def test_heuristic_example(name: str, kind: str, source: str) -> None:
    named = _named(source)
    if kind == "fires":
        assert any(name in h for h in named), f"{name} did not fire: {named}\n{source}"
    else:
        assert not any(name in h for h in named), f"{name} fired: {named}\n{source}"


@pytest.mark.parametrize("name", sorted(HEURISTICS))
def test_heuristic_is_documented(name: str) -> None:
    h = HEURISTICS[name]
    assert h.name == name and name == name.lower() and " " not in name and "_" not in name
    assert len(h.doc) > 60 and h.doc.strip() == h.doc
    assert h.tier in (Confidence.LOW, Confidence.MEDIUM)


# Heuristics that read the project index need more than one module: their examples are the
# cross-module projects in tests/fixtures/project/ (tests/test_project_index.py).
PROJECT_HEURISTICS = frozenset(n for n in HEURISTICS if n.startswith("index-"))


@pytest.mark.parametrize("name", sorted(n for n, h in HEURISTICS.items()
                                        if n != "test-file" and n not in PROJECT_HEURISTICS))
def test_every_heuristic_has_examples(name: str) -> None:
    h = HEURISTICS[name]
    assert h.fires and h.quiet, f"{name} needs fires and quiet examples"


@pytest.mark.parametrize("name", sorted(n for n, h in HEURISTICS.items() if h.fires))
def test_disabling_a_heuristic_removes_only_its_name(name: str) -> None:
    """Switched off, the heuristic no longer names or lowers any finding of its own example;
    the findings themselves (sites and codes) stay the same."""
    source = HEURISTICS[name].fires[0]
    on = lint_source(source.encode(), "mod.py", LOW).findings
    off = lint_source(source.encode(), "mod.py",
                      Settings(select=ALL_CODES, min_confidence=Confidence.LOW,
                               disabled_heuristics=frozenset({name}))).findings
    assert [(f.line, f.code) for f in on] == [(f.line, f.code) for f in off]
    assert not any(name in f.heuristics for f in off)
    for a, b in zip(on, off):
        assert b.confidence >= a.confidence
        assert set(b.heuristics) == set(a.heuristics) - {name}


def test_test_file_heuristic() -> None:
    source = "H = []\n\ndef f(x):\n    H.append(x)\n"
    assert _named(source, "tests/test_bot.py") == [("test-file",)]
    off = Settings(select=ALL_CODES, disabled_heuristics=frozenset({"test-file"}))
    assert [f.confidence for f in lint_source(source.encode(), "test_bot.py", off).findings] \
        == [Confidence.MEDIUM]


def test_judge_takes_the_lowest_tier_and_names_all() -> None:
    medium = Heuristic[int]("a-medium", Confidence.MEDIUM, "doc", lambda n: "m" if n else None)
    low = Heuristic[int]("b-low", Confidence.LOW, "doc", lambda n: "l" if n > 1 else None)
    assert judge((medium, low), 0, Confidence.HIGH, "owner", frozenset()) \
        == Verdict(Confidence.HIGH, (), "owner")
    assert judge((medium, low), 1, Confidence.HIGH, "owner", frozenset()) \
        == Verdict(Confidence.MEDIUM, ("a-medium",), "m")
    assert judge((medium, low), 2, Confidence.HIGH, "owner", frozenset()) \
        == Verdict(Confidence.LOW, ("a-medium", "b-low"), "m")
    assert judge((medium, low), 2, Confidence.HIGH, "owner", frozenset({"a-medium"})) \
        == Verdict(Confidence.LOW, ("b-low",), "l")
    # a heuristic whose tier is not below the base names itself but keeps the owner's reason
    assert judge((medium,), 1, Confidence.MEDIUM, "owner", frozenset()) \
        == Verdict(Confidence.MEDIUM, ("a-medium",), "owner")


def test_merge_with_the_file_verdict() -> None:
    site = Verdict(Confidence.HIGH, ("x",), "owner")
    assert merge(site, Verdict(Confidence.HIGH)) == site
    assert merge(site, Verdict(Confidence.LOW, ("test-file",), "test")) \
        == Verdict(Confidence.LOW, ("x", "test-file"), "test")


def test_registry_order_and_names_are_unique() -> None:
    names = [h.name for h in CONTAINER_HEURISTICS]
    assert len(names) == len(set(names))
    assert set(names) <= set(HEURISTICS)


def test_because_names_the_owner() -> None:
    source = ("class TradingBot:\n    def __init__(self):\n        self.fills = []\n\n"
              "    def on_fill(self, f):\n        self.fills.append(f)\n")
    [finding] = lint_source(source.encode(), "bot.py", Settings()).findings
    assert finding.heuristics == ()
    assert "TradingBot" in finding.because


def test_because_names_a_module_level_instance() -> None:
    source = ("class TradingBot:\n    def __init__(self):\n        self.fills = []\n\n"
              "    def on_fill(self, f):\n        self.fills.append(f)\n\n\nBOT = TradingBot()\n")
    [finding] = lint_source(source.encode(), "bot.py", Settings()).findings
    assert "TradingBot, whose instance 'BOT' is created at module level" in finding.because


def test_because_of_a_lowered_finding_is_the_heuristics_reason() -> None:
    source = HEURISTICS["short-lived-owner"].fires[0]
    [finding] = lint_source(source.encode(), "q.py", LOW).findings
    assert finding.heuristics == ("short-lived-owner",)
    assert "; lowered to low: a short-lived owner: " in finding.because


def test_config_key_is_validated_with_a_suggestion(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.unbounded-lint]\ndisable-heuristics = ["fixed-key", "test-file"]\n')
    assert load_config(pyproject).settings.disabled_heuristics == {"fixed-key", "test-file"}
    pyproject.write_text('[tool.unbounded-lint]\ndisable-heuristics = ["fixed-keys"]\n')
    with pytest.raises(ConfigError, match="did you mean 'fixed-key'"):
        load_config(pyproject)
    pyproject.write_text('[tool.unbounded-lint]\ndisable-heuristics = "fixed-key"\n')
    with pytest.raises(ConfigError, match="list of heuristic names"):
        load_config(pyproject)


def test_cli_flag(tmp_path: Path) -> None:
    (tmp_path / "test_bot.py").write_text("H = []\n\ndef f(x):\n    H.append(x)\n")
    base = [sys.executable, "-m", "unbounded_lint", "--isolated", "--no-cache", "test_bot.py"]
    quiet = subprocess.run(base, cwd=tmp_path, capture_output=True, text=True, env=clean_env())
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    loud = subprocess.run(base + ["--disable-heuristics", "test-file,registry-name"], cwd=tmp_path,
                          capture_output=True, text=True, env=clean_env())
    assert loud.returncode == 1 and "UBL001" in loud.stdout, loud.stdout + loud.stderr
    wrong = subprocess.run(base + ["--disable-heuristics", "test-files"], cwd=tmp_path,
                           capture_output=True, text=True, env=clean_env())
    assert wrong.returncode == 2 and "did you mean 'test-file'" in wrong.stderr, wrong.stderr
