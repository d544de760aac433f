"""Tuning/validation halves, sample weights, tiers and the heuristic ablation for precision.py.

A heuristic earns its place on the half of the corpus it was not designed on: the split is
fixed in ``benchmarks/split.txt`` (by package, chosen before labelling). Packages labelled from
a seeded sample (``benchmarks/labels/samples/``) count each labelled site with the weight
pool size / sampled sites of the pool it was drawn from, so a package sampled at one site in
five weighs as much as it should; fully labelled packages have weight 1 everywhere.

Everything here is computed from one run of the tool at ``--min-confidence low``: a finding's
tier decides whether the default level (``medium``) reports it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

TIERS = ("high", "medium", "low")
RANK = {"low": 1, "medium": 2, "high": 3}
Site = Tuple[str, str, str, int]  # package, version, path, line


def read_split(path: Path) -> Dict[str, str]:
    """package -> 'tuning' | 'validation'."""
    side, out = "", {}
    if not path.exists():
        return out
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            side = line[1:-1]
        elif line and side:
            out[line] = side
    return out


def read_weights(samples_dir: Path) -> Dict[Site, float]:
    """(package, version, path, line) -> weight, for every site of every drawn sample."""
    weights: Dict[Site, float] = {}
    for sample in sorted(samples_dir.glob("*.jsonl")):
        pools_file = sample.with_name(sample.stem + ".pools.json")
        if not pools_file.exists():
            continue
        pools = json.loads(pools_file.read_text(encoding="utf-8"))
        rows = [json.loads(x) for x in sample.read_text(encoding="utf-8").splitlines() if x.strip()]
        drawn: Dict[str, int] = defaultdict(int)
        for r in rows:
            drawn[_pool(r["sample"])] += 1
        for r in rows:
            pool = _pool(r["sample"])
            site = (r["package"], str(r["version"]), r["path"], int(r["line"]))
            weights[site] = pools.get(pool, drawn[pool]) / drawn[pool]
    return weights


def _pool(sample: str) -> str:
    return "findings" if sample.startswith("finding") else "silent"


@dataclass
class Cell:
    """Weighted counts for one (half, rule or tier) cell."""

    tp: float = 0.0
    fp: float = 0.0
    leaks: float = 0.0
    found: float = 0.0
    n_findings: int = 0
    n_labelled: int = 0

    @property
    def precision(self) -> Optional[float]:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> Optional[float]:
        return self.found / self.leaks if self.leaks else None

    def as_dict(self) -> Dict[str, Any]:
        return {"tp": round(self.tp, 2), "fp": round(self.fp, 2), "leaks": round(self.leaks, 2),
                "found": round(self.found, 2), "findings": self.n_findings,
                "labelled": self.n_labelled, "precision": self.precision, "recall": self.recall}


def _reported(finding: Any, level: str) -> bool:
    return RANK.get(finding.confidence or "medium", 2) >= RANK[level]


def evaluate(findings: Sequence[Any], labels: Dict[Any, Any], weights: Dict[Site, float],
             split: Dict[str, str], codes: Sequence[str], level: str,
             packages: Iterable[str]) -> Dict[str, Any]:
    """Per half: per rule and overall (precision and recall at ``level``), per tier."""
    measured = set(packages)
    halves = ("tuning", "validation", "all")
    by_rule: Dict[Tuple[str, str], Cell] = defaultdict(Cell)
    by_tier: Dict[Tuple[str, str], Cell] = defaultdict(Cell)
    reported_keys = set()
    for f in findings:
        if f.code not in codes:
            continue
        lab = labels.get(f.key)
        w = weights.get(f.key[:4], 1.0)
        for half in (split.get(f.package, "tuning"), "all"):
            tier = by_tier[(half, f.confidence or "medium")]
            tier.n_findings += 1
            if lab is not None:
                tier.n_labelled += 1
                setattr(tier, "tp" if lab.label == "leak" else "fp",
                        getattr(tier, "tp" if lab.label == "leak" else "fp") + w)
            if not _reported(f, level):
                continue
            reported_keys.add(f.key)
            for rule in (f.code, "overall"):
                cell = by_rule[(half, rule)]
                cell.n_findings += 1
                if lab is not None:
                    cell.n_labelled += 1
                    if lab.label == "leak":
                        cell.tp += w
                    else:
                        cell.fp += w
    for lab in labels.values():
        if lab.package not in measured or lab.code not in codes or lab.label != "leak":
            continue
        w = weights.get(lab.key[:4], 1.0)
        found = lab.key in reported_keys
        for half in (split.get(lab.package, "tuning"), "all"):
            for rule in (lab.code, "overall"):
                cell = by_rule[(half, rule)]
                cell.leaks += w
                cell.found += w if found else 0.0
    return {half: {"rules": {r: by_rule[(half, r)].as_dict()
                             for r in list(codes) + ["overall"] if (half, r) in by_rule},
                   "tiers": {t: by_tier[(half, t)].as_dict() for t in TIERS if (half, t) in by_tier}}
            for half in halves}


def _pct(x: Optional[float]) -> str:
    return "    -" if x is None else f"{x:5.1%}"


def print_halves(rep: Dict[str, Any], level: str, out: Any) -> None:
    print(f"\nby half, at --min-confidence {level} (weighted by sample; split in benchmarks/split.txt)",
          file=out)
    hdr = f"{'half':<11} {'rule':<8} {'finds':>5} {'lab':>4} {'precision':>9} {'recall':>7}"
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    for half, data in rep.items():
        for rule, c in data["rules"].items():
            print(f"{half:<11} {rule:<8} {c['findings']:>5} {c['labelled']:>4} "
                  f"{_pct(c['precision']):>9} {_pct(c['recall']):>7}", file=out)
    print("\nprecision of each tier (every finding of that tier, weighted by sample)", file=out)
    hdr = f"{'half':<11} {'tier':<8} {'finds':>5} {'lab':>4} {'precision':>9}"
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    for half, data in rep.items():
        for tier, c in data["tiers"].items():
            print(f"{half:<11} {tier:<8} {c['findings']:>5} {c['labelled']:>4} "
                  f"{_pct(c['precision']):>9}", file=out)


def heuristic_names(findings: Iterable[Any]) -> List[str]:
    return sorted({h for f in findings for h in getattr(f, "heuristics", ())})


def ablation_row(name: str, base: Sequence[Any], off: Sequence[Any], labels: Dict[Any, Any],
                 split: Dict[str, str], level: str, base_eval: Dict[str, Any],
                 off_eval: Dict[str, Any]) -> Dict[str, Any]:
    """What heuristic ``name`` hides at ``level``: findings and labelled leaks, per half."""
    shown = {f.key for f in base if _reported(f, level)}
    revealed = [f for f in off if _reported(f, level) and f.key not in shown]
    row: Dict[str, Any] = {"heuristic": name}
    for half in ("tuning", "validation"):
        mine = [f for f in revealed if split.get(f.package, "tuning") == half]
        labs = [labels.get(f.key) for f in mine]
        b = base_eval[half]["rules"].get("overall", {})
        o = off_eval[half]["rules"].get("overall", {})
        row[half] = {"hidden": len(mine),
                     "hidden_leaks": sum(1 for x in labs if x is not None and x.label == "leak"),
                     "hidden_non_leaks": sum(1 for x in labs if x is not None and x.label != "leak"),
                     "hidden_unlabelled": sum(1 for x in labs if x is None),
                     "precision_with": b.get("precision"), "precision_without": o.get("precision"),
                     "recall_with": b.get("recall"), "recall_without": o.get("recall")}
    return row


def print_ablation(rows: List[Dict[str, Any]], level: str, out: Any) -> None:
    print(f"\nablation: each heuristic turned off alone (--disable-heuristics NAME), at {level}",
          file=out)
    hdr = (f"{'heuristic':<28} {'half':<10} {'hidden':>6} {'leaks':>5} {'other':>5} {'unlab':>5} "
           f"{'P with':>7} {'P w/o':>7} {'R with':>7} {'R w/o':>7}")
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    for r in rows:
        for half in ("tuning", "validation"):
            h = r[half]
            print(f"{r['heuristic']:<28} {half:<10} {h['hidden']:>6} {h['hidden_leaks']:>5} "
                  f"{h['hidden_non_leaks']:>5} {h['hidden_unlabelled']:>5} "
                  f"{_pct(h['precision_with']):>7} {_pct(h['precision_without']):>7} "
                  f"{_pct(h['recall_with']):>7} {_pct(h['recall_without']):>7}", file=out)
