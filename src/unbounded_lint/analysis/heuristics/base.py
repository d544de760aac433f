"""What a precision heuristic is, the small contexts it judges, and the verdict it yields.

A heuristic never hides a finding: it moves it to a lower confidence tier (``low`` is hidden at
the default ``--min-confidence medium``) and says why. Each one has a kebab-case ``name`` that
users see in ``--format json`` (``heuristics``) and can switch off with ``disable-heuristics``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, FrozenSet, Generic, Iterable, Optional, Tuple, TypeVar

from ...types import Confidence

if TYPE_CHECKING:  # pragma: no cover - imports for annotations only
    from ..facts import ModuleFacts
    from ..model import CacheSite, Container, Event

Ctx = TypeVar("Ctx")


@dataclass(frozen=True)
class SiteContext:
    """One growth (or front operation) of one container, with the module's facts."""

    facts: "ModuleFacts"
    container: "Container"
    event: "Event"


@dataclass(frozen=True)
class FrontOpContext:
    """A ``pop(0)``/``del x[0]``/``insert(0, v)``; ``container`` is None when unresolved."""

    facts: "ModuleFacts"
    container: "Optional[Container]"
    event: "Event"


@dataclass(frozen=True)
class CacheContext:
    """A ``functools`` cache decorator."""

    facts: "ModuleFacts"
    site: "CacheSite"


@dataclass(frozen=True)
class FileContext:
    """Where the module lives."""

    path: str


@dataclass(frozen=True)
class Heuristic(Generic[Ctx]):
    """A named, documented, switchable precision heuristic.

    ``predicate`` returns a short sentence (the finding's ``because``) when the heuristic
    applies, else None. ``fires`` and ``quiet`` are example modules, in the style of a rule's
    INVALID/VALID lists: in each ``fires`` example some finding carries this heuristic's name,
    in each ``quiet`` example none does (the generated test checks both).
    """

    name: str
    tier: Confidence
    doc: str
    predicate: Callable[[Ctx], Optional[str]]
    fires: Tuple[str, ...] = ()
    quiet: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The confidence of one finding, the heuristics that set it, and why."""

    confidence: Confidence
    heuristics: Tuple[str, ...] = ()
    because: str = ""


def judge(heuristics: Iterable[Heuristic[Ctx]], ctx: Ctx, base: Confidence, because: str,
          disabled: FrozenSet[str]) -> Verdict:
    """Run every enabled heuristic on ``ctx``; the lowest tier among those that apply wins.

    All applicable heuristics are named, not only the first, so that switching one off shows
    whether another would still lower the finding. ``because`` is the owner's own sentence,
    replaced by the first applicable heuristic's reason when one lowers the finding.
    """
    confidence = base
    names = []
    reason = ""
    for heuristic in heuristics:
        if heuristic.name in disabled:
            continue
        why = heuristic.predicate(ctx)
        if why is None:
            continue
        names.append(heuristic.name)
        if heuristic.tier < confidence:
            confidence = heuristic.tier
        if not reason and heuristic.tier < base:
            reason = why
    return Verdict(confidence, tuple(names), reason or because)


def merge(verdict: Verdict, other: Verdict) -> Verdict:
    """Combine the verdict of a site with one of its file (``test-file``)."""
    if not other.heuristics:
        return verdict
    confidence = min(verdict.confidence, other.confidence)
    because = other.because if other.confidence < verdict.confidence else verdict.because
    return Verdict(confidence, verdict.heuristics + other.heuristics, because)
