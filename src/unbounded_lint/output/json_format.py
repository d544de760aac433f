"""The ``json`` format: a JSON array with one object per finding.

Each object has exactly the keys ``path``, ``line``, ``column``, ``end_line``,
``end_column``, ``code``, ``message``, ``fixable`` (``--fix`` at the run's fix level applies
the fix), ``confidence`` (``"low"``, ``"medium"`` or ``"high"``) and ``fix_safety``
(``"safe"``, ``"unsafe"`` or null when there is no fix); ``docs/schema/findings.schema.json`` is the schema. An empty
run renders ``[]``.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from ..types import DEFAULT_FIX_LEVEL, FileResult, Finding, FixLevel
from ._meta import all_findings


def finding_to_dict(finding: Finding, unsafe_fixes: "bool | FixLevel" = False) -> Dict[str, Any]:
    return {
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "code": finding.code,
        "message": finding.message,
        "fixable": finding.fixable_with(unsafe_fixes),
        "confidence": str(finding.confidence),
        "fix_safety": finding.fix.applicability.value if finding.fix is not None else None,
    }


def render(results: Sequence[FileResult], *, unsafe_fixes: bool = False, fix_level: Optional[FixLevel] = None,
           **_: object) -> str:
    level = fix_level or (FixLevel.ALL if unsafe_fixes else DEFAULT_FIX_LEVEL)
    items: List[Dict[str, Any]] = [finding_to_dict(f, level) for f in all_findings(results)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
