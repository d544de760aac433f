"""Rule metadata for the renderers: names, one-line summaries, docs, help URLs.

The source of truth is ``unbounded_lint.rules.RULES`` (code -> rule object with ``code``,
``name``, ``summary`` and ``docs``/``__doc__``). Until that registry is importable, or for a
code it does not know, the fallback table below (names from the rule contract) is used.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from ..types import ALL_CODES, DEFAULT_SELECT, Finding

TOOL_NAME = "unbounded-lint"
INFORMATION_URI = "https://github.com/unbounded-lint/unbounded-lint"
RULES_DOC_URI = INFORMATION_URI + "/blob/main/docs/rules.md"

_FALLBACK: Dict[str, Tuple[str, str]] = {
    "UBL001": ("unbounded-list", "A list that outlives the call grows with no bound."),
    "UBL002": ("unbounded-dict", "A dict or set that outlives the call gains keys with no eviction."),
    "UBL003": ("unbounded-queue", "An unbounded queue or deque is only ever added to: a pure accumulator."),
    "UBL004": ("list-pop-front", "pop(0), del x[0] or insert(0, v) on a list is O(n) per call."),
    "UBL005": ("unclosed-figure", "A pyplot figure is created and never closed; pyplot keeps it alive."),
    "UBL006": ("cached-method", "lru_cache or cache on a method keeps every instance alive."),
    "UBL007": ("queue-without-backpressure", "An unbounded queue has a consumer but nothing limits the producer."),
    "UBL008": ("unbounded-function-cache", "functools.cache or lru_cache(maxsize=None) on a function is never cleared."),
}


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
    """Metadata for ``code`` from the rule registry, else from the fallback table."""
    rule = (_registry() or {}).get(code)
    fallback_name, fallback_summary = _FALLBACK.get(code, (code.lower(), code))
    name = getattr(rule, "name", None) or fallback_name
    summary = getattr(rule, "summary", None) or fallback_summary
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


def all_findings(results) -> List[Finding]:
    """Every finding of ``results`` in report order (path, line, column, code)."""
    findings = [f for result in results for f in result.findings]
    findings.sort(key=lambda f: f.sort_key)
    return findings
