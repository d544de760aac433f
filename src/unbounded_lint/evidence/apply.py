"""``unbounded-lint --evidence watch.json``: runtime verdicts back into the linter's findings.

A finding that grew while watched is marked (``Finding.evidence`` such as ``confirmed: 48,210
items after 300 s (+160.7 items/s)``, ``Finding.evidence_verdict == "grows"``) and shown at
least at ``medium``, whatever the heuristics made of it. A ``plateau`` or ``transient`` one is
lowered to ``low`` (hidden unless ``--min-confidence low``). ``not reached`` and findings the
report does not mention are kept as they are.

Findings are matched to the report by file (real path, else file name) and line and code.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..types import Confidence, FileResult, Finding, Settings
from .verdict import GROWS, NOT_REACHED, PLATEAU, TRANSIENT, VERDICTS

Key = Tuple[str, int, str]


class EvidenceError(Exception):
    """An evidence file that cannot be read or is not a watch report."""


@dataclass(frozen=True)
class Observation:
    """What the watch report says about one site."""

    verdict: str
    evidence: str


@dataclass(frozen=True)
class Evidence:
    by_path: Mapping[Key, Observation]
    by_name: Mapping[Key, Optional[Observation]]  # None: the file name is ambiguous

    def lookup(self, finding: Finding) -> Optional[Observation]:
        key = (os.path.realpath(finding.path), finding.line, finding.code)
        found = self.by_path.get(key)
        if found is None:
            found = self.by_name.get((os.path.basename(finding.path), finding.line, finding.code))
        return found


def _summary(item: Mapping[str, Any]) -> str:
    text = str(item.get("summary") or item.get("verdict"))
    rate = float(item.get("items_per_s") or 0.0)
    if item.get("verdict") == GROWS and rate:
        text += f" (+{rate:,.1f}/s)"
    return text


def load_evidence(path: str, base: Optional[str] = None) -> Evidence:
    """Read a ``watch --format json`` report. Relative paths in it are resolved against
    ``base`` (default: the current folder, where ``watch`` usually ran)."""
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
        items = doc["findings"]
    except OSError as exc:
        raise EvidenceError(f"cannot read the evidence file {path}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError):
        raise EvidenceError(f"{path} is not a report of `unbounded-lint watch --format json`") from None
    by_path: Dict[Key, Observation] = {}
    by_name: Dict[Key, Optional[Observation]] = {}
    for item in items:
        try:
            verdict = str(item["verdict"])
            where = os.path.join(base or os.getcwd(), str(item["path"]))
            key = (os.path.realpath(where), int(item["line"]), str(item["code"]))
        except (KeyError, TypeError, ValueError):
            raise EvidenceError(f"{path}: a finding lacks path, line, code or verdict") from None
        if verdict not in VERDICTS:
            raise EvidenceError(f"{path}: unknown verdict {verdict!r}")
        observation = Observation(verdict, _summary(item))
        by_path[key] = observation
        name_key = (os.path.basename(key[0]), key[1], key[2])
        by_name[name_key] = None if name_key in by_name else observation
    return Evidence(by_path, by_name)


def apply(finding: Finding, observation: Optional[Observation]) -> Finding:
    """``finding`` as the evidence changes it."""
    if observation is None:
        return finding
    marked = replace(finding, evidence=observation.evidence, evidence_verdict=observation.verdict)
    if observation.verdict == GROWS:
        return replace(marked, confidence=max(finding.confidence, Confidence.MEDIUM))
    if observation.verdict in (PLATEAU, TRANSIENT):
        return replace(marked, confidence=Confidence.LOW)
    assert observation.verdict == NOT_REACHED
    return marked


def every_confidence(settings_for: Callable[[Any], Settings]) -> Callable[[Any], Settings]:
    """Lint at ``low`` too: evidence can raise a finding that the heuristics lowered."""
    return lambda path: replace(settings_for(path), min_confidence=Confidence.LOW)


def apply_to_results(results: Sequence[FileResult], evidence: Evidence,
                     min_confidence: Callable[[str], Confidence]) -> List[FileResult]:
    """Apply ``evidence`` to every finding, then drop those below the path's minimum confidence."""
    out = []
    for result in results:
        floor = min_confidence(result.path)
        kept = tuple(f for f in (apply(f, evidence.lookup(f)) for f in result.findings) if f.confidence >= floor)
        out.append(replace(result, findings=kept))
    return out
