"""The benchmark's tuning/validation halves, sample weights and tiers (benchmarks/calibration.py)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import calibration  # noqa: E402


@dataclass
class F:
    package: str
    path: str
    line: int
    code: str
    confidence: Optional[str]
    version: str = "1"
    heuristics: Tuple[str, ...] = ()

    @property
    def key(self):
        return (self.package, self.version, self.path, self.line, self.code)


@dataclass
class L:
    package: str
    path: str
    line: int
    code: str
    label: str
    version: str = "1"

    @property
    def key(self):
        return (self.package, self.version, self.path, self.line, self.code)


def _labels(*labs):
    return {lab.key: lab for lab in labs}


def test_split_file_of_the_corpus_names_every_pinned_package_once():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import precision

    split = calibration.read_split(ROOT / "benchmarks" / "split.txt")
    pinned = {p.name for p in precision.read_corpus(ROOT / "benchmarks" / "precision_corpus.txt")}
    assert set(split) == pinned
    assert set(split.values()) == {"tuning", "validation"}


def test_weights_are_pool_size_over_sampled_sites(tmp_path):
    rows = [{"package": "p", "version": "1", "path": "a.py", "line": n, "code": "UBL001",
             "label": "", "reason": "", "sample": s}
            for n, s in [(1, "finding-low"), (2, "finding-medium"), (3, "silent")]]
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "p.pools.json").write_text(json.dumps({"findings": 10, "silent": 7}))
    w = calibration.read_weights(tmp_path)
    assert w[("p", "1", "a.py", 1)] == 5.0
    assert w[("p", "1", "a.py", 3)] == 7.0


def test_levels_halves_and_weights_in_precision_and_recall():
    split = {"t": "tuning", "v": "validation"}
    findings = [F("v", "a.py", 1, "UBL001", "medium"), F("v", "a.py", 2, "UBL001", "low"),
                F("v", "a.py", 3, "UBL002", "high"), F("t", "b.py", 1, "UBL001", "medium")]
    labels = _labels(L("v", "a.py", 1, "UBL001", "leak"), L("v", "a.py", 2, "UBL001", "leak"),
                     L("v", "a.py", 3, "UBL002", "bounded"), L("t", "b.py", 1, "UBL001", "transient"),
                     L("v", "c.py", 9, "UBL001", "leak"))  # a silent site the tool misses
    weights = {("v", "1", "a.py", 3): 3.0}
    rep = calibration.evaluate(findings, labels, weights, split, ["UBL001", "UBL002"], "medium",
                               ["t", "v"])
    val = rep["validation"]["rules"]["overall"]
    assert val["precision"] == 1 / (1 + 3.0)        # the bounded high finding weighs 3
    assert val["recall"] == 1 / 3                    # the low leak and the silent leak are missed
    assert rep["tuning"]["rules"]["overall"]["precision"] == 0.0
    assert rep["validation"]["tiers"]["low"]["precision"] == 1.0
    low = calibration.evaluate(findings, labels, weights, split, ["UBL001", "UBL002"], "low", ["t", "v"])
    assert low["validation"]["rules"]["overall"]["recall"] == 2 / 3


def test_ablation_counts_what_a_heuristic_hides():
    split = {"v": "validation"}
    base = [F("v", "a.py", 1, "UBL001", "low", heuristics=("result-local",)),
            F("v", "a.py", 2, "UBL001", "medium")]
    off = [F("v", "a.py", 1, "UBL001", "medium"), F("v", "a.py", 2, "UBL001", "medium")]
    labels = _labels(L("v", "a.py", 1, "UBL001", "leak"), L("v", "a.py", 2, "UBL001", "bounded"))
    assert calibration.heuristic_names(base) == ["result-local"]
    e_base = calibration.evaluate(base, labels, {}, split, ["UBL001"], "medium", ["v"])
    e_off = calibration.evaluate(off, labels, {}, split, ["UBL001"], "medium", ["v"])
    row = calibration.ablation_row("result-local", base, off, labels, split, "medium", e_base, e_off)
    assert row["validation"]["hidden"] == 1 and row["validation"]["hidden_leaks"] == 1
    assert row["validation"]["recall_with"] == 0.0 and row["validation"]["recall_without"] == 1.0
