"""Rule metadata for the renderers: names, one-line summaries, docs, help URLs.

The one source is ``unbounded_lint.rules.RULES`` (code -> rule with ``code``, ``name``,
``summary`` and ``docs``). A code it does not know (a finding from a newer cache or baseline)
is named after itself.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass
from typing import Iterable, List, Optional

from ..types import ALL_CODES, DEFAULT_SELECT, FileResult, Finding

TOOL_NAME = "unbounded-lint"
INFORMATION_URI = "https://github.com/unbounded-lint/unbounded-lint"
RULES_DOC_URI = INFORMATION_URI + "/blob/main/docs/rules.md"

@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str
    docs: str
    default_enabled: bool

    @property
    def help_uri(self) -> str:
        return f"{RULES_DOC_URI}#{self.anchor}"

    @property
    def anchor(self) -> str:
        """The GitHub heading anchor of ``## UBL001: unbounded-list`` style headings."""
        return f"{self.code.lower()}-{self.name}"


def _registry() -> Optional[dict]:
    try:
        module = importlib.import_module("unbounded_lint.rules")
    except ImportError:
        return None
    rules = getattr(module, "RULES", None)
    return rules if isinstance(rules, dict) else None


def rule_info(code: str) -> RuleInfo:
    """Metadata for ``code`` from the rule registry."""
    rule = (_registry() or {}).get(code)
    name = getattr(rule, "name", None) or code.lower()
    summary = getattr(rule, "summary", None) or code
    docs = ""
    if rule is not None:
        docs = getattr(rule, "docs", None) or inspect.getdoc(rule) or ""
    return RuleInfo(
        code=code,
        name=str(name),
        summary=" ".join(str(summary).split()),
        docs=str(docs).strip() or str(summary),
        default_enabled=code in DEFAULT_SELECT,
    )


def known_codes(findings: Iterable[Finding] = ()) -> List[str]:
    """Every known code, plus any unknown code that a finding carries, sorted."""
    codes = set(ALL_CODES) | set((_registry() or {}).keys())
    codes.update(f.code for f in findings)
    return sorted(codes)


def first_paragraph(markdown: str) -> str:
    """The first paragraph of ``markdown`` as one line (headings skipped)."""
    lines: List[str] = []
    for raw in markdown.strip().splitlines():
        line = raw.strip()
        if line.startswith("#"):
            if lines:
                break
            continue
        if not line:
            if lines:
                break
            continue
        lines.append(line)
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def tool_version() -> str:
    try:
        package = importlib.import_module("unbounded_lint")
        version = getattr(package, "__version__", None)
        if version:
            return str(version)
    except ImportError:  # pragma: no cover
        pass
    try:
        from importlib.metadata import version as dist_version

        return dist_version(TOOL_NAME)
    except Exception:  # pragma: no cover - not installed
        return "0.0.0"


def all_findings(results: Iterable[FileResult]) -> List[Finding]:
    """Every finding of ``results`` in report order (path, line, column, code)."""
    findings = [f for result in results for f in result.findings]
    findings.sort(key=lambda f: f.sort_key)
    return findings
