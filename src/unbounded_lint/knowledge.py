"""What the project knows about its own code, applied as a separate step after the analysis.

Three named heuristics read ``[tool.unbounded-lint]``:

``config-bounded``
    A container listed in ``bounded-containers`` ("pkg.module:Class.attr",
    "pkg.module:GLOBAL") is bounded by code the analysis cannot see: its findings are dropped.
``config-long-lived``
    A class listed in ``long-lived-classes`` (a singleton, a server) lives as long as the
    program: a finding on one of its containers that the analysis lowered because the owner
    *looked* short-lived (a name like ``...Builder``, a fluent method) is raised back to
    ``medium`` (``high`` inside a long-running loop).
``config-short-lived``
    A class listed in ``short-lived-classes`` lives for one request, query or job: findings on
    its attributes are lowered to ``low`` (hidden at the default ``--min-confidence``).

Entries name a module and an object, ``"pkg.module:Class"``; an entry without ``module:``
applies in every module. A file's module is its path relative to the project root, with the
first matching source root (``src``, by default ``.`` and ``src``) removed:
``src/pkg/jobs.py`` is ``pkg.jobs``, ``pkg/__init__.py`` is ``pkg``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import FrozenSet, Iterable, Optional, Sequence

from .owners import Owner
from .types import Confidence, Finding, Settings

SHORT_LIVED = "config-short-lived"
LONG_LIVED = "config-long-lived"
BOUNDED = "config-bounded"


def module_name(path: str, root: str, src: Sequence[str] = (".", "src")) -> str:
    """The dotted module name of ``path`` (a file) in the project rooted at ``root``.

    The longest source root that contains the file is removed; a file outside the project
    is named by its file name alone.
    """
    absolute = os.path.abspath(path)
    best = ""
    for folder in src:
        base = os.path.abspath(os.path.join(root, folder))
        if absolute.startswith(base.rstrip(os.sep) + os.sep) and len(base) > len(best):
            best = base
    rel = os.path.relpath(absolute, best) if best else os.path.basename(absolute)
    parts = rel.replace(os.sep, "/").split("/")
    stem = parts[-1]
    for suffix in (".pyi", ".py"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    parts[-1] = stem
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(p for p in parts if p)


def entries_for(entries: Iterable[str], module: str) -> FrozenSet[str]:
    """The object names of ``entries`` ("module:Name" or "Name") that apply to ``module``."""
    out = set()
    for entry in entries:
        mod, sep, name = entry.rpartition(":")
        if not sep or mod == module:
            out.add(name)
    return frozenset(out)


def _matches(classes: Iterable[str], declared: FrozenSet[str]) -> Optional[str]:
    """The owner class that ``declared`` names, by qualname or by its last component."""
    for qualname in classes:
        if qualname in declared or qualname.rsplit(".", 1)[-1] in declared:
            return qualname
    return None


def _enabled(settings: Settings, heuristic: str) -> bool:
    # ``disabled_heuristics`` (--disable-heuristics) switches named heuristics off; read with
    # getattr so this step also runs on a Settings that does not have the field yet.
    return heuristic not in getattr(settings, "disabled_heuristics", ())


def apply_knowledge(finding: Finding, owner: Owner, settings: Settings) -> Optional[Finding]:
    """``finding`` adjusted by the configuration, or ``None`` when a declared bound drops it."""
    if settings.bounded_containers and _enabled(settings, BOUNDED) \
            and any(name in settings.bounded_containers for name in owner.names):
        return None
    if not owner.classes or owner.kind not in ("instance attribute", "class attribute"):
        return finding
    long_lived = _matches(owner.classes, settings.long_lived_classes) \
        if settings.long_lived_classes and _enabled(settings, LONG_LIVED) else None
    if long_lived is not None:
        if finding.confidence is Confidence.LOW and owner.lowered_as_short_lived:
            raised = Confidence.HIGH if owner.in_loop else Confidence.MEDIUM
            because = finding.because.split("; lowered to low:")[0]
            return replace(finding, confidence=raised, heuristics=finding.heuristics + (LONG_LIVED,),
                           because=f"{because}; {long_lived} is declared long-lived (long-lived-classes)")
        return finding
    short_lived = _matches(owner.classes, settings.short_lived_classes) \
        if settings.short_lived_classes and _enabled(settings, SHORT_LIVED) else None
    if short_lived is not None:
        if finding.confidence is Confidence.LOW:
            return replace(finding, heuristics=finding.heuristics + (SHORT_LIVED,))
        return replace(finding, confidence=Confidence.LOW, heuristics=finding.heuristics + (SHORT_LIVED,),
                       because=f"{finding.because}; lowered to low: {short_lived} is declared short-lived "
                               "(short-lived-classes)")
    return finding
