#!/usr/bin/env python
"""Measure what each precision heuristic does on a body of code, for ``docs/rules.md``.

    python scripts/heuristic_effect.py                 # the standard-library slice, rewrite the table
    python scripts/heuristic_effect.py PATH [PATH...]  # other code, print only

For every heuristic it counts the findings (all codes, ``--min-confidence low``) it touches and
the ones it hides at the default level: below ``medium`` with every heuristic on, at ``medium``
or above with this one switched off. That is its effect on the volume of findings; its effect on
precision needs labelled code (``benchmarks/precision.py``, ablation table).

The files are linted as a CLI run over them lints them: with the project index of those files
(built once), so the index's own heuristic (``index-transient-owner``) is measured too.
"""

from __future__ import annotations

import argparse
import json
import sys
import sysconfig
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "heuristic-effect.json"
# The slice tests/test_golden.py checks: long-running standard-library code.
STDLIB_PACKAGES = ("asyncio", "concurrent", "email", "http", "json", "logging", "multiprocessing",
                   "xmlrpc")


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))


def stdlib_files() -> List[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files: List[Path] = []
    for package in STDLIB_PACKAGES:
        files += [p for p in (stdlib / package).rglob("*.py") if "test" not in p.parts]
    return sorted(files)


def _findings(files: Sequence[Path], disabled: frozenset, views: Dict[str, object],
              ) -> Dict[Tuple[str, int, int, str], Tuple[int, Tuple[str, ...]]]:
    from unbounded_lint.engine import lint_source
    from unbounded_lint.types import ALL_CODES, Confidence, Settings

    settings = Settings(select=ALL_CODES, min_confidence=Confidence.LOW, disabled_heuristics=disabled)
    out = {}
    for path in files:
        view = views.get(str(path))
        for f in lint_source(path.read_bytes(), path.name, settings, index=view).findings:  # type: ignore[arg-type]
            out[(str(path), f.line, f.column, f.code)] = (int(f.confidence), f.heuristics)
    return out


def measure(files: Sequence[Path]) -> Dict[str, Dict[str, int]]:
    from unbounded_lint.analysis.heuristics import HEURISTICS
    from unbounded_lint.runner import project_views
    from unbounded_lint.types import Confidence

    views: Dict[str, object] = dict(project_views([str(p) for p in files], None, jobs=1))
    base = _findings(files, frozenset(), views)
    effect = {}
    for name in HEURISTICS:
        off = _findings(files, frozenset({name}), views)
        touched = sum(1 for _, names in base.values() if name in names)
        hidden = sum(1 for key, (conf, _) in base.items()
                     if conf < Confidence.MEDIUM and off.get(key, (0, ()))[0] >= Confidence.MEDIUM)
        effect[name] = {"touched": touched, "hidden": hidden}
    return effect


def main(argv: "List[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    _setup()
    files = [p for path in args.paths for p in ([path] if path.is_file() else sorted(path.rglob("*.py")))]
    effect = measure(files or stdlib_files())
    if args.paths:
        json.dump(effect, sys.stdout, indent=2)
        print()
        return 0
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    data = {"corpus": f"Python {version} standard library: {', '.join(STDLIB_PACKAGES)}",
            "files": len(stdlib_files()), "effect": effect}
    OUTPUT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
