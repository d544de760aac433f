"""From samples to a verdict per finding: ``grows``, ``plateau``, ``transient`` or ``not reached``.

The rules, in order (``docs/watch.md`` explains the choice):

- **not reached**: the container was never sampled (its code did not run, or no owner was
  ever constructed while watched).
- **grows**: the length at the end is above every length seen before the last quarter of the
  run, and the least-squares slope over the second half is positive. The rate is that slope
  (items/s); bytes/s multiplies it by the estimated size of one item.
- **transient**: the owners come and go (at least ``TRANSIENT_MIN_OWNERS`` constructed, at most a
  fifth of them alive at once): each lives briefly and holds little.
- **plateau**: everything else that was sampled: bounded in this run, at the level reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from .sites import Site

GROWS, PLATEAU, TRANSIENT, NOT_REACHED = "grows", "plateau", "transient", "not reached"
VERDICTS = (GROWS, PLATEAU, TRANSIENT, NOT_REACHED)
TRANSIENT_MIN_OWNERS = 10


@dataclass(frozen=True)
class Verdict:
    """The outcome for one site."""

    site: Site
    verdict: str
    summary: str  # one line, e.g. "confirmed: 48,210 items after 300 s"
    items_per_s: float = 0.0
    bytes_per_s: float = 0.0
    final: int = 0
    peak: int = 0
    owners_seen: int = 0
    owners_alive: int = 0
    largest: int = 0
    duration: float = 0.0
    points: Tuple[Tuple[float, int], ...] = ()
    errors: Tuple[str, ...] = ()


def slope(points: Sequence[Tuple[float, int]]) -> float:
    """Least-squares slope of length over time (0 for fewer than two distinct times)."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return sum((t - mean_t) * (y - mean_y) for t, y in points) / var


def is_growing(points: Sequence[Tuple[float, int]]) -> bool:
    """Still rising at the end: a new maximum in the last quarter, and a positive trend."""
    if len(points) < 3:
        return len(points) == 2 and points[1][1] > points[0][1]
    tail_start = len(points) - max(1, len(points) // 4)
    before = max(y for _, y in points[:tail_start])
    return points[-1][1] > before and slope(points[len(points) // 2:]) > 0


def _count(n: float) -> str:
    return f"{int(round(n)):,}"


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover - the loop always returns


def _seconds(t: float) -> str:
    return f"{t:.0f} s" if t >= 10 else f"{t:.1f} s"


def unit(site: Site) -> str:
    """What a site's length counts."""
    return {"figure": "open figures", "method_cache": "cache entries",
            "function_cache": "cache entries"}.get(site.kind, "items")


def judge(site: Site, data: Mapping[str, Any], owners_seen: int, duration: float) -> Verdict:
    """The verdict of one site from its samples (``Series.to_json`` of the probe)."""
    raw = data.get("points") or []
    points = tuple((float(p[0]), int(p[1])) for p in raw)
    alive = max((int(p[2]) for p in raw), default=0)
    errors = tuple(sorted(data.get("errors") or {}))
    common: Dict[str, Any] = dict(site=site, owners_seen=owners_seen, owners_alive=alive, duration=duration,
                                  points=points, errors=errors, largest=int(data.get("largest") or 0))
    if not points:
        why = f"could not be sampled ({errors[0]})" if errors else f"never sampled in {_seconds(duration)}"
        return Verdict(verdict=NOT_REACHED, summary=f"not reached: {why}", **common)
    final, peak = points[-1][1], max(y for _, y in points)
    common.update(final=final, peak=peak)
    if is_growing(points):
        rate = max(0.0, slope(points[len(points) // 2:]))
        per_item = float(data.get("bytes_per_item") or 0.0)
        summary = f"confirmed: {_count(final)} {unit(site)} after {_seconds(points[-1][0])}"
        return Verdict(verdict=GROWS, summary=summary, items_per_s=rate, bytes_per_s=rate * per_item, **common)
    if site.kind == "attr" and owners_seen >= TRANSIENT_MIN_OWNERS and alive * 5 <= owners_seen:
        held = f", the largest seen held {_count(common['largest'])} {unit(site)}" if common["largest"] else ""
        summary = f"transient: {_count(owners_seen)} short-lived owners, at most {alive} alive at once{held}"
        return Verdict(verdict=TRANSIENT, summary=summary, **common)
    summary = f"plateau: at most {_count(peak)} {unit(site)} ({_count(final)} at the end) in {_seconds(points[-1][0])}"
    return Verdict(verdict=PLATEAU, summary=summary, **common)


def judge_all(sites: Sequence[Site], samples: Mapping[str, Any]) -> List[Verdict]:
    """Verdicts for ``sites`` from the probe's samples file contents (``{}`` when it never ran)."""
    by_site = samples.get("sites") or {}
    seen = samples.get("owners_seen") or {}
    owner_errors = samples.get("owner_errors") or {}
    duration = float(samples.get("duration") or 0.0)
    verdicts = []
    for site in sites:
        key = f"{site.abspath}::{site.owner}"
        owners = int(seen.get(key, 0)) if site.kind == "attr" else 0
        data = dict(by_site.get(site.id) or {})
        if key in owner_errors:  # e.g. __slots__ without __weakref__: counted, never sampled
            data["errors"] = {**(data.get("errors") or {}), owner_errors[key]: 1}
        verdicts.append(judge(site, data, owners, duration))
    return verdicts


def rank(verdicts: Sequence[Verdict]) -> List[Verdict]:
    """Growing sites first, fastest first; then plateau, transient, not reached."""
    order = {v: i for i, v in enumerate(VERDICTS)}
    return sorted(verdicts, key=lambda v: (order[v.verdict], -v.items_per_s, v.site.path, v.site.line))
