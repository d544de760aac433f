"""The watch report: text (sorted by growth rate), JSON (what ``--evidence`` reads), one-file
HTML with an inline SVG chart of length over time per site, and the SVG chart alone.

No server and no JavaScript: the HTML is static and opens from disk.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .. import __version__
from .verdict import GROWS, Verdict, human_bytes, rank, unit

FORMATS = ("text", "json", "html", "svg")
REPORT_VERSION = 1
COLORS = {"grows": "#c0392b", "plateau": "#2471a3", "transient": "#7d8c8d", "not reached": "#aab7b8"}


@dataclass(frozen=True)
class Run:
    """What the report says about the run as a whole."""

    command: Tuple[str, ...]
    duration: float
    stop_reason: str
    samples: int
    interval: float
    probe_started: bool
    not_watched: Tuple[str, ...] = ()  # "pid 123 (fork)", one per child process
    returncode: Optional[int] = 0  # the command's exit status (None: it could not be waited for)


def _rate(v: Verdict) -> str:
    if v.verdict != GROWS:
        return ""
    text = f"+{v.items_per_s:,.1f} {unit(v.site)}/s"
    return text + (f", ~{human_bytes(v.bytes_per_s)}/s" if v.bytes_per_s else "")


def _where(v: Verdict) -> str:
    return f"{v.site.path}:{v.site.line}:{v.site.column}: {v.site.code}"


def _run_lines(run: Run) -> List[str]:
    lines = [f"Watched `{' '.join(run.command)}` for {run.duration:.1f} s ({run.stop_reason}); "
             f"{run.samples} samples."]
    if run.returncode and run.stop_reason == "the program ended":
        lines.append(f"the command exited with status {run.returncode}")
    if not run.probe_started:
        lines.append("warning: the probe did not start in the program; is unbounded-lint installed for the "
                     "interpreter that runs the command?")
    for child in run.not_watched:
        lines.append(f"not watched: child process {child}")
    return lines


def render_text(verdicts: Sequence[Verdict], run: Run) -> str:
    out = []
    for v in rank(verdicts):
        rate = _rate(v)
        out.append(f"{_where(v)} {v.verdict.upper()} {v.summary}" + (f" ({rate})" if rate else ""))
        out.append(f"    {v.site.message}")
    counts = {name: sum(1 for v in verdicts if v.verdict == name) for name in COLORS}
    summary = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    out.extend(_run_lines(run))
    out.append(f"{len(verdicts)} findings watched: {summary or 'none'}.")
    return "".join(line + "\n" for line in out)


def verdict_to_dict(v: Verdict) -> Dict[str, Any]:
    s = v.site
    return {
        "path": s.path, "line": s.line, "column": s.column, "code": s.code, "container": s.container,
        "message": s.message, "confidence": s.confidence, "kind": s.kind,
        "verdict": v.verdict, "summary": v.summary,
        "items_per_s": round(v.items_per_s, 3), "bytes_per_s": round(v.bytes_per_s, 1),
        "final": v.final, "peak": v.peak, "largest": v.largest,
        "owners_seen": v.owners_seen, "owners_alive": v.owners_alive,
        "errors": list(v.errors), "points": [[t, y] for t, y in v.points],
    }


def render_json(verdicts: Sequence[Verdict], run: Run) -> str:
    doc = {
        "tool": "unbounded-lint", "version": __version__, "report_version": REPORT_VERSION,
        "command": list(run.command), "duration": round(run.duration, 3), "stop_reason": run.stop_reason,
        "samples": run.samples, "interval": run.interval, "probe_started": run.probe_started,
        "not_watched": list(run.not_watched), "returncode": run.returncode,
        "findings": [verdict_to_dict(v) for v in rank(verdicts)],
    }
    return json.dumps(doc, indent=1) + "\n"


def chart(v: Verdict, width: int = 320, height: int = 90) -> str:
    """A small SVG line chart of length over time, with the peak and the duration labelled."""
    pad_l, pad_b, pad_t = 34, 14, 6
    w, h = width - pad_l - 4, height - pad_b - pad_t
    color = COLORS.get(v.verdict, "#555")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="9">')
    frame = (f'<rect x="{pad_l}" y="{pad_t}" width="{w}" height="{h}" fill="none" stroke="#ddd"/>'
             f'<text x="{pad_l - 3}" y="{pad_t + 8}" text-anchor="end">{v.peak:,}</text>'
             f'<text x="{pad_l - 3}" y="{pad_t + h}" text-anchor="end">0</text>')
    if not v.points:
        return head + frame + f'<text x="{pad_l + 6}" y="{pad_t + h / 2}">not reached</text></svg>'
    t_end = max(v.points[-1][0], 1e-9)
    top = max(v.peak, 1)
    coords = " ".join(f"{pad_l + w * t / t_end:.1f},{pad_t + h - h * y / top:.1f}" for t, y in v.points)
    axis = (f'<text x="{pad_l}" y="{height - 2}">0 s</text>'
            f'<text x="{pad_l + w}" y="{height - 2}" text-anchor="end">{t_end:.1f} s</text>')
    line = f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="1.5"/>'
    return head + frame + axis + line + "</svg>"


def render_svg(verdicts: Sequence[Verdict], run: Run) -> str:
    """Every site's chart in one SVG, two per row, each titled with its site and verdict."""
    cell_w, cell_h, title_h = 340, 90, 26
    ranked = rank(verdicts)
    rows = (len(ranked) + 1) // 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * cell_w}" height="{rows * (cell_h + title_h)}" '
             f'font-family="sans-serif" font-size="10">',
             # Opaque: the charts stay readable on a dark page.
             '<rect width="100%" height="100%" fill="white"/>']
    for i, v in enumerate(ranked):
        x, y = (i % 2) * cell_w, (i // 2) * (cell_h + title_h)
        label = html.escape(f"{v.site.path}:{v.site.line} {v.site.code} {v.site.container or v.site.kind}")
        parts.append(f'<text x="{x + 4}" y="{y + 11}" font-weight="bold">{label}</text>')
        parts.append(f'<text x="{x + 4}" y="{y + 23}" fill="{COLORS.get(v.verdict, "#555")}">'
                     f'{html.escape(v.verdict + ": " + v.summary.split(": ", 1)[-1])}</text>')
        parts.append(f'<g transform="translate({x},{y + title_h})">{chart(v)}</g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_html(verdicts: Sequence[Verdict], run: Run) -> str:
    rows = []
    for v in rank(verdicts):
        rate = _rate(v)
        rows.append(
            "<tr>"
            f"<td><code>{html.escape(_where(v))}</code><br>{html.escape(v.site.message)}</td>"
            f'<td class="v" style="color:{COLORS.get(v.verdict, "#555")}">{html.escape(v.verdict)}</td>'
            f"<td>{html.escape(v.summary)}{'<br>' + html.escape(rate) if rate else ''}"
            f"{'<br><small>probe errors: ' + html.escape('; '.join(v.errors)) + '</small>' if v.errors else ''}</td>"
            f"<td>{chart(v)}</td>"
            "</tr>"
        )
    notes = "".join(f"<p>{html.escape(line)}</p>" for line in _run_lines(run))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>unbounded-lint watch</title><style>"
        "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
        "td,th{border-bottom:1px solid #ddd;padding:6px 10px;vertical-align:top;text-align:left}"
        "td.v{font-weight:bold;text-transform:uppercase}code{font-size:90%}"
        "</style></head><body>\n"
        f"<h1>unbounded-lint watch</h1>\n{notes}\n"
        "<table><tr><th>finding</th><th>verdict</th><th>evidence</th><th>length over time</th></tr>\n"
        + "\n".join(rows)
        + "\n</table></body></html>\n"
    )


def render(fmt: str, verdicts: Sequence[Verdict], run: Run) -> str:
    renderers = {"text": render_text, "json": render_json, "html": render_html, "svg": render_svg}
    if fmt not in renderers:
        raise ValueError(f"unknown watch report format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    return renderers[fmt](verdicts, run)
