"""The project index's confidence heuristic: owners the project only ever builds per call.

It reads the module's view of the project index (``ModuleFacts.index``, None without an index,
and then it never applies). The index's other uses change facts, not confidence: see
``analysis/index_seam.py``.
"""

from __future__ import annotations

from typing import Optional

from ...types import Confidence
from .base import Heuristic, SiteContext

TRANSIENT = "transient"


def _built_per_call(ctx: SiteContext) -> Optional[str]:
    view = ctx.facts.index
    c = ctx.container
    if view is None or not c.is_attr:
        return None
    lifetimes = [view.owner_lifetime(info.qualname) for info in ctx.facts.family_classes(c.family)]
    if not lifetimes or any(life is None or life.verdict != TRANSIENT for life in lifetimes):
        return None
    first = lifetimes[0]
    return first.because if first is not None and first.because else \
        "a short-lived owner: the project builds it per call"


INDEX_TRANSIENT_OWNER = Heuristic[SiteContext](
    name="index-transient-owner",
    tier=Confidence.LOW,
    doc="With the project index: every class of the owner's family is only ever built per call "
        "elsewhere in the project (a local of a request handler, an instance collected into a "
        "local container or kept per entry in one its holder empties, an operator's result, or "
        "one held by such an object). A class built at module level, by an entry point or "
        "stored on a long-lived owner keeps its confidence.",
    predicate=_built_per_call,
)
