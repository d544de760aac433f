#!/usr/bin/env python3
"""Recall on leaks that maintainers fixed: does unbounded-lint report them in the pre-fix release?

    python benchmarks/upstream.py                  # download (once), lint, report
    python benchmarks/upstream.py --json           # machine-readable report on stdout
    python benchmarks/upstream.py --check 0.9      # exit 1 below 90% reported at the default level
    python benchmarks/upstream.py --check-recorded # exit 1 if an entry recorded as reported is not

Every entry of ``benchmarks/upstream_fixes.toml`` is a leak that a project's maintainers fixed
in public (an issue, a pull request or a commit): the package's last release on PyPI that still
has the leak, the file and line of the leaky site in that release (where the rule contract
reports it: the growth call, the decorator, the ``plt.figure()`` call, the ``.pop(0)`` call),
the code that should report it, the release that shipped the fix and the address of the fix.

Each pre-fix release is downloaded with the helpers of ``benchmarks/precision.py`` (a wheel,
else the sdist) into ``benchmarks/.corpus/upstream/`` (git-ignored) and unpacked there. The
tool is run on the entry's file twice, with ``--isolated`` default settings (plus the entry's
code when it is opt-in) and with ``--min-confidence low``, and the site counts as reported
when a finding of the expected code is on the expected line. Each entry is then *default* (reported at the default level),
*low* (only with ``--min-confidence low``) or *missed*.

Exit status: 0 on success; 1 when ``--check RATE`` is given and the share reported at the
default level is below it, or ``--check-recorded`` is given and an entry whose
``reported_default`` (``reported_low``) is true is no longer reported at the default (low)
level; 2 on a usage, data, download or tool error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, as a package (a dependency of unbounded-lint there)
    import tomli as tomllib

# The download and unpack helpers live next door; this script is run, not imported as a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from precision import REPO_ROOT, Pin, ensure_tree, log, norm_name, norm_path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA_FILE = HERE / "upstream_fixes.toml"
DEFAULT_CORPUS_DIR = HERE / ".corpus" / "upstream"
CODES = ("UBL001", "UBL002", "UBL003", "UBL004", "UBL005", "UBL006", "UBL007", "UBL008")
OPT_IN = ("UBL007", "UBL008")
KINDS = ("list", "dict", "set", "queue", "deque", "figure", "method-cache", "pop-front")
STATES = ("default", "low", "missed")
REQUIRED = {"id": str, "package": str, "version": str, "path": str, "line": int, "code": str,
            "kind": str, "fixed_version": str, "url": str, "summary": str,
            "reported_default": bool, "reported_low": bool}
OPTIONAL = {"why_missed": str}


@dataclass(frozen=True)
class UpstreamFix:
    """One leak fixed upstream, located in the last release that still has it."""

    id: str
    package: str
    version: str  # the pre-fix release, pinned on PyPI
    path: str  # inside the unpacked distribution, '/' separators
    line: int
    code: str
    kind: str
    fixed_version: str
    url: str
    summary: str
    reported_default: bool  # as measured when the entry was written: the regression guard
    reported_low: bool
    why_missed: str = ""

    @property
    def pin(self) -> Pin:
        return Pin(norm_name(self.package), self.version)


@dataclass(frozen=True)
class Outcome:
    """What the tool reported on one entry's site."""

    fix: UpstreamFix
    state: str  # one of STATES
    other_codes_on_line: tuple[str, ...]  # findings of other codes on the site's line (low level)
    error: str = ""


# --------------------------------------------------------------------------- data


def _check_entry(raw: dict[str, Any], where: str) -> list[str]:
    errors = []
    for key, typ in REQUIRED.items():
        if key not in raw:
            errors.append(f"{where}: missing '{key}'")
        elif not isinstance(raw[key], typ) or (typ is int and isinstance(raw[key], bool)):
            errors.append(f"{where}: '{key}' must be {typ.__name__}")
    for key in raw:
        if key not in REQUIRED and key not in OPTIONAL:
            errors.append(f"{where}: unknown key '{key}'")
    if errors:
        return errors
    if raw["code"] not in CODES:
        errors.append(f"{where}: unknown code {raw['code']!r}")
    if raw["kind"] not in KINDS:
        errors.append(f"{where}: kind must be one of {', '.join(KINDS)}")
    if raw["line"] < 1:
        errors.append(f"{where}: line must be 1 or more")
    if not re.match(r"https://github\.com/[^/]+/[^/]+/(issues|pull|commit)/\w+", raw["url"]):
        errors.append(f"{where}: url must be a GitHub issue, pull request or commit address")
    if raw["path"] != norm_path(raw["path"]) or raw["path"].startswith("/"):
        errors.append(f"{where}: path must be relative with '/' separators")
    if raw["reported_default"] and not raw["reported_low"]:
        errors.append(f"{where}: reported at the default level implies reported at low")
    if not raw["reported_default"] and not raw.get("why_missed"):
        errors.append(f"{where}: an entry not reported at the default level needs 'why_missed'")
    return errors


def load_fixes(path: Path) -> list[UpstreamFix]:
    """Parse and validate the data file; raise ValueError listing every problem."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    entries = data.get("fix")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path.name}: expected [[fix]] tables")
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(entries, 1):
        where = f"{path.name}: fix #{n} ({raw.get('id', '?')})"
        errors += _check_entry(raw, where)
        ident = raw.get("id", "")
        if ident in seen:
            errors.append(f"{where}: duplicate id (also fix #{seen[ident]})")
        seen[ident] = n
    if errors:
        raise ValueError("\n".join(errors))
    return [UpstreamFix(**raw) for raw in entries]


# --------------------------------------------------------------------------- tool


def lint_file(tree: Path, rel_path: str, min_confidence: str | None,
              extend_select: str = "") -> list[dict[str, Any]]:
    """Run unbounded-lint on one file of an unpacked release; return its JSON findings."""
    # --isolated: this repository's pyproject.toml must not configure the run;
    # --no-respect-gitignore: benchmarks/.corpus/ is git-ignored here, the releases are not.
    cmd = [sys.executable, "-m", "unbounded_lint", "--format", "json", "--exit-zero",
           "--isolated", "--no-respect-gitignore", "--no-cache"]
    if min_confidence:
        cmd += ["--min-confidence", min_confidence]
    if extend_select:
        cmd += ["--extend-select", extend_select]
    cmd.append(rel_path)
    env = dict(os.environ)
    src = REPO_ROOT / "src"
    if src.is_dir():  # measure the work tree's engine even when it is not installed
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    proc = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, env=env, check=False)
    try:
        data = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        raise RuntimeError(f"unbounded-lint printed no JSON (exit {proc.returncode}): "
                           f"{proc.stderr.strip()[-500:]}") from None
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"unbounded-lint exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return list(data.get("findings", []) if isinstance(data, dict) else data)


def _codes_on_line(findings: Sequence[dict[str, Any]], line: int) -> tuple[str, ...]:
    return tuple(sorted({f["code"] for f in findings if int(f["line"]) == line}))


def measure(fix: UpstreamFix, tree: Path) -> Outcome:
    if not (tree / fix.path).is_file():
        return Outcome(fix, "missed", (), error=f"{fix.path} is not in {fix.pin.slug}")
    # An entry for an opt-in code (UBL007, UBL008) turns that code on, as its user would.
    extra = fix.code if fix.code in OPT_IN else ""
    try:
        default = _codes_on_line(lint_file(tree, fix.path, None, extra), fix.line)
        low = _codes_on_line(lint_file(tree, fix.path, "low", extra), fix.line)
    except RuntimeError as exc:
        return Outcome(fix, "missed", (), error=str(exc))
    state = "default" if fix.code in default else "low" if fix.code in low else "missed"
    return Outcome(fix, state, tuple(c for c in low if c != fix.code))


# --------------------------------------------------------------------------- report


def _rate(outcomes: Sequence[Outcome], states: tuple[str, ...]) -> float:
    return sum(o.state in states for o in outcomes) / len(outcomes) if outcomes else 0.0


def build_report(outcomes: Sequence[Outcome], missing: Sequence[str]) -> dict[str, Any]:
    by_code: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = by_code.setdefault(o.fix.code, {"entries": 0, **{s: 0 for s in STATES}})
        row["entries"] += 1
        row[o.state] += 1
    # An entry regresses when the tool stops reporting it at a level it was recorded at.
    regressions = [o.fix.id for o in outcomes
                   if (o.fix.reported_default and o.state != "default")
                   or (o.fix.reported_low and o.state == "missed")]
    return {
        "entries": len(outcomes),
        "default": sum(o.state == "default" for o in outcomes),
        "low": sum(o.state in ("default", "low") for o in outcomes),
        "default_rate": round(_rate(outcomes, ("default",)), 4),
        "low_rate": round(_rate(outcomes, ("default", "low")), 4),
        "by_code": dict(sorted(by_code.items())),
        "regressions": regressions,
        "missing_packages": list(missing),
        "results": [{**asdict(o.fix), "state": o.state, "other_codes_on_line": list(o.other_codes_on_line),
                     "error": o.error} for o in outcomes],
    }


def print_report(rep: dict[str, Any], out: Any = sys.stdout) -> None:
    print(f"{'id':<34} {'code':<7} {'site':<58} result", file=out)
    for r in rep["results"]:
        site = f"{r['package']}=={r['version']} {r['path']}:{r['line']}"
        extra = f" (other codes on the line: {', '.join(r['other_codes_on_line'])})" \
            if r["other_codes_on_line"] else ""
        extra += f" [error: {r['error']}]" if r["error"] else ""
        print(f"{r['id']:<34} {r['code']:<7} {site:<58} {r['state']}{extra}", file=out)
    print(file=out)
    for code, row in rep["by_code"].items():
        print(f"{code}: {row['default']}/{row['entries']} at the default level, "
              f"{row['default'] + row['low']}/{row['entries']} at low", file=out)
    n = rep["entries"]
    print(f"\nreported at the default level: {rep['default']}/{n} ({rep['default_rate']:.0%}); "
          f"with --min-confidence low: {rep['low']}/{n} ({rep['low_rate']:.0%})", file=out)
    if rep["regressions"]:
        print(f"no longer reported at the recorded level: {', '.join(rep['regressions'])}", file=out)


# The section this script owns in RESULTS.md; bench.py keeps everything after OTHER_SECTIONS.
RESULTS_FILE = HERE / "RESULTS.md"
OTHER_SECTIONS = "<!-- sections below are written by other benchmark scripts -->"
BEGIN, END = "<!-- upstream.py: begin -->", "<!-- upstream.py: end -->"


def _git_commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "unknown"


def render_markdown(rep: dict[str, Any]) -> str:
    n = rep["entries"]
    lines = [
        BEGIN, "", "## Leaks that maintainers fixed (`upstream.py`)", "",
        (f"Measured by `python benchmarks/upstream.py --write-results` at commit {_git_commit()}: "
         f"{n} leak fixes from public trackers, each linted in the last PyPI release that still "
         "had the leak (`benchmarks/upstream_fixes.toml`)."), "",
        "| setting | reported |", "|---|---:|",
        f"| default (`--min-confidence medium`) | **{rep['default']}/{n} ({rep['default_rate']:.0%})** |",
        f"| `--min-confidence low` | {rep['low']}/{n} ({rep['low_rate']:.0%}) |", "",
        "| code | entries | default | only at low | missed |", "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {code} | {row['entries']} | {row['default']} | {row['low']} | {row['missed']} |"
              for code, row in rep["by_code"].items()]
    lines += ["", "| entry | pre-fix release | site | code | result |", "|---|---|---|---|---|"]
    lines += [f"| [{r['id']}]({r['url']}) | {r['package']} {r['version']} | "
              f"`{r['path']}:{r['line']}` | {r['code']} | {r['state']} |" for r in rep["results"]]
    misses = [r for r in rep["results"] if r["state"] != "default"]
    if misses:
        lines += ["", "Not reported at the default level, and why:", ""]
        lines += [f"* **{r['id']}** ({r['state']}): {r['why_missed'] or 'no reason recorded'}"
                  for r in misses]
    return "\n".join(lines + ["", END]) + "\n"


def write_results(rep: dict[str, Any], path: Path = RESULTS_FILE) -> None:
    """Replace this script's section of RESULTS.md, keeping everything else."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = render_markdown(rep)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):].lstrip("\n")
    else:
        if OTHER_SECTIONS not in text:
            text = text.rstrip("\n") + "\n\n" + OTHER_SECTIONS + "\n"
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
    log(f"wrote {path.name}")


# --------------------------------------------------------------------------- main


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_FILE,
                    help="the fixes (default: benchmarks/upstream_fixes.toml)")
    ap.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR,
                    help="where releases are downloaded and unpacked (default: benchmarks/.corpus/upstream)")
    ap.add_argument("--only", default="", help="comma-separated entry ids to measure")
    ap.add_argument("--offline", action="store_true", help="never download; count missing releases as errors")
    ap.add_argument("--download-only", action="store_true", help="download and unpack, then stop")
    ap.add_argument("--validate-only", action="store_true", help="check the data file, then stop")
    ap.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    ap.add_argument("--write-results", action="store_true",
                    help="also rewrite this benchmark's section of benchmarks/RESULTS.md")
    ap.add_argument("--check", type=float, metavar="RATE",
                    help="exit 1 when the share reported at the default level is below RATE (0..1)")
    ap.add_argument("--check-recorded", action="store_true",
                    help="exit 1 when an entry is no longer reported at the level it records")
    args = ap.parse_args(argv)
    if args.check is not None and not 0 <= args.check <= 1:
        ap.error("--check takes a rate between 0 and 1, e.g. 0.9")
    return args


def _select(fixes: list[UpstreamFix], only: str) -> list[UpstreamFix]:
    wanted = {x.strip() for x in only.split(",") if x.strip()}
    unknown = wanted - {f.id for f in fixes}
    if unknown:
        raise ValueError(f"unknown id(s): {', '.join(sorted(unknown))}")
    return [f for f in fixes if not wanted or f.id in wanted]


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        fixes = _select(load_fixes(args.data), args.only)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        log(f"error: {exc}")
        return 2
    if args.validate_only:
        print(f"{len(fixes)} entries, well-formed")
        return 0
    corpus_dir = args.corpus_dir.resolve()
    corpus_dir.mkdir(parents=True, exist_ok=True)
    # A pre-fix release is often years old and declares a Python range that excludes the
    # interpreter running this script; it is only read, never installed, so pip may ignore that.
    os.environ.setdefault("PIP_IGNORE_REQUIRES_PYTHON", "1")
    outcomes: list[Outcome] = []
    missing: list[str] = []
    for fix in fixes:
        tree = ensure_tree(fix.pin, corpus_dir, args.offline)
        if tree is None:
            missing.append(fix.pin.slug)
        elif not args.download_only:
            outcomes.append(measure(fix, tree))
    if missing:
        log(f"could not get: {', '.join(sorted(set(missing)))}")
    if args.download_only:
        return 2 if missing else 0
    rep = build_report(outcomes, missing)
    if args.json:
        json.dump(rep, sys.stdout, indent=2)
        print()
    else:
        print_report(rep)
    if args.write_results and not (missing or args.only):
        write_results(rep)
    if missing or any(o.error for o in outcomes):
        return 2
    if args.check is not None and rep["default_rate"] < args.check:
        return 1
    return 1 if args.check_recorded and rep["regressions"] else 0


if __name__ == "__main__":
    sys.exit(main())
