"""The ``sarif`` format: one SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

One run whose ``tool.driver`` lists every known rule (``id``, ``name``,
``shortDescription``, ``fullDescription``, ``help``, ``helpUri`` into ``docs/rules.md``,
``defaultConfiguration`` with ``level`` and, for opt-in rules, ``enabled: false``). Each
finding is a result with ``ruleId``, ``ruleIndex``, ``level``, ``message``, one location
(``artifactLocation.uri`` relative with forward slashes, ``region`` with 1-based
``startLine``/``startColumn``/``endLine``/``endColumn``; columns count Unicode code points,
which the run declares with ``columnKind``), ``partialFingerprints`` (stable across line
moves: a hash of path, code, container and the statement's normalised source) and the rule's
confidence, the ``because`` sentence and the ``heuristics`` names under ``properties``
(the ``because`` sentence is also appended to the message text, which code-scanning UIs show),
with ``evidence`` and ``evidenceVerdict`` when ``--evidence`` gave the finding a runtime verdict.
A finding with a fix carries it under ``fixes`` as whole-line replacements, with its fix class
(``safe`` or ``unsafe``) in the description and under ``properties.applicability``.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import quote

from ..types import FileResult, Finding
from ._escape import escape_surrogates
from ._meta import INFORMATION_URI, TOOL_NAME, all_findings, first_paragraph, known_codes, rule_info, tool_version

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVEL = "error"


def relative_posix(path: str, root: Optional[str] = None) -> str:
    """``path`` with forward slashes; an absolute path is made relative to ``root`` (default:
    the current folder) when it lies below it."""
    if os.path.isabs(path):
        base = os.path.abspath(root) if root else os.getcwd()
        try:
            rel = os.path.relpath(path, base)
        except ValueError:  # another drive
            rel = None
        if rel is not None and rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            path = rel
    path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def artifact_uri(path: str, root: Optional[str] = None) -> str:
    """A URI reference for ``path``: relative (percent-encoded, forward slashes) when possible,
    else an absolute ``file://`` URI."""
    rel = relative_posix(path, root)
    if os.path.isabs(rel) or (len(rel) > 2 and rel[1] == ":" and rel[2] == "/"):
        absolute = rel if rel.startswith("/") else "/" + rel
        return "file://" + quote(_raw_bytes(absolute))
    return quote(_raw_bytes(rel))


def _raw_bytes(path: str) -> bytes:
    # A name that is not UTF-8 arrives with surrogate escapes; its URI percent-encodes the
    # original bytes, the one exact spelling of such a name.
    return path.encode("utf-8", "surrogateescape")


def fingerprint(finding: Finding, uri: str) -> str:
    text = "\0".join((uri, finding.code, finding.container, " ".join(finding.fingerprint.split())))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _rule(code: str) -> Dict[str, Any]:
    info = rule_info(code)
    full = first_paragraph(info.docs) or info.summary
    config: Dict[str, Any] = {"level": LEVEL}
    if not info.default_enabled:
        config["enabled"] = False
    return {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": full},
        "help": {"text": info.summary, "markdown": info.docs},
        "helpUri": info.help_uri,
        "defaultConfiguration": config,
        "properties": {"tags": ["memory", "performance"] if code == "UBL004" else ["memory"]},
    }


def _region(finding: Finding) -> Dict[str, int]:
    region = {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)}
    end_line, end_column = finding.end_line, finding.end_column
    if end_line >= region["startLine"] and end_line > 0:
        region["endLine"] = end_line
        if end_column >= 1 and (end_line > region["startLine"] or end_column >= region["startColumn"]):
            region["endColumn"] = end_column
    return region


def _message(finding: Finding) -> str:
    """The message, then why: code-scanning UIs show the text, not the properties."""
    return f"{finding.message}. Why: {finding.because}" if finding.because else finding.message


def _properties(finding: Finding) -> Dict[str, Any]:
    props: Dict[str, Any] = {"confidence": str(finding.confidence), "fixable": finding.fixable,
                             "because": finding.because, "heuristics": list(finding.heuristics)}
    if finding.evidence_verdict:  # runtime evidence (--evidence)
        props["evidence"] = finding.evidence
        props["evidenceVerdict"] = finding.evidence_verdict
    return props


def _read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _fixes(finding: Finding, uri: str, source: Optional[bytes]) -> List[Dict[str, Any]]:
    """The finding's fix as a SARIF ``fix``: whole-line replacements, and its fix class."""
    if finding.fix is None or source is None:
        return []
    from ..fix.apply import line_changes

    replacements = [
        {
            "deletedRegion": {"startLine": first, "startColumn": 1, "endLine": after, "endColumn": 1},
            "insertedContent": {"text": text},
        }
        for first, after, text in line_changes(source, finding.fix.edits)
    ]
    if not replacements:
        return []
    safety = finding.fix.applicability.value
    return [{
        "description": {"text": f"{finding.fix.description} ({safety} fix)"},
        "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
        "properties": {"applicability": safety},
    }]


def build_log(results: Sequence[FileResult], *, root: Optional[str] = None) -> Dict[str, Any]:
    """The SARIF log as a dict (see the module docstring)."""
    findings = all_findings(results)
    sources: Dict[str, Optional[bytes]] = {}
    codes = known_codes(findings)
    index = {code: i for i, code in enumerate(codes)}
    sarif_results: List[Dict[str, Any]] = []
    for finding in findings:
        uri = artifact_uri(finding.path, root)
        if finding.fix is not None and finding.path not in sources:
            sources.clear()  # findings come grouped by path: one file's bytes at a time
            sources[finding.path] = _read(finding.path)
        result: Dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": LEVEL,
            "message": {"text": escape_surrogates(_message(finding))},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": _region(finding),
                    }
                }
            ],
            "partialFingerprints": {"unboundedLint/v1": fingerprint(finding, uri)},
            "properties": _properties(finding),
        }
        fixes = _fixes(finding, uri, sources.get(finding.path))
        if fixes:
            result["fixes"] = fixes
        sarif_results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version(),
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(code) for code in codes],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }


def render(results: Sequence[FileResult], *, root: Optional[str] = None, **_: object) -> str:
    return json.dumps(build_log(results, root=root), indent=2, ensure_ascii=False) + "\n"
