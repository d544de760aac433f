"""The ``json`` format: a JSON array with one object per finding.

Each object has exactly the keys ``path``, ``line``, ``column``, ``end_line``,
``end_column``, ``code``, ``message``, ``fixable`` (``--fix`` at the run's fix level applies
the fix), ``confidence`` (``"low"``, ``"medium"`` or ``"high"``), ``fix_safety`` (``"safe"``,
``"unsafe"`` or null when there is no fix), ``because`` (why: the owner and what makes it
long-lived) and ``heuristics`` (names of the named heuristics that touched it), plus
``evidence`` and ``evidence_verdict`` when ``--evidence`` gave the finding a runtime verdict;
``docs/schema/findings.schema.json`` is the schema. An empty run renders ``[]``.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from ..types import DEFAULT_FIX_LEVEL, FileResult, Finding, FixLevel
from ._escape import escape_surrogates
from ._meta import all_findings


def finding_to_dict(finding: Finding, unsafe_fixes: "bool | FixLevel" = False) -> Dict[str, Any]:
    data = _base_dict(finding, unsafe_fixes)
    if finding.evidence_verdict:
        # Only with --evidence: runtime evidence from `unbounded-lint watch`.
        data["evidence"] = finding.evidence
        data["evidence_verdict"] = finding.evidence_verdict
    return data


def _base_dict(finding: Finding, unsafe_fixes: "bool | FixLevel") -> Dict[str, Any]:
    return {
        # json.dumps escapes control characters; only undecodable bytes need escaping here.
        "path": escape_surrogates(finding.path),
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "code": finding.code,
        "message": escape_surrogates(finding.message),
        "fixable": finding.fixable_with(unsafe_fixes),
        "confidence": str(finding.confidence),
        "fix_safety": finding.fix.applicability.value if finding.fix is not None else None,
        "because": finding.because,
        "heuristics": list(finding.heuristics),
    }


def render(results: Sequence[FileResult], *, unsafe_fixes: bool = False, fix_level: Optional[FixLevel] = None,
           **_: object) -> str:
    level = fix_level or (FixLevel.ALL if unsafe_fixes else DEFAULT_FIX_LEVEL)
    items: List[Dict[str, Any]] = [finding_to_dict(f, level) for f in all_findings(results)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
