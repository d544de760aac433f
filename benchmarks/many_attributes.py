"""Scaling benchmark: one class with N growing list attributes (not a timed unit test).

Generates a module whose single class has ``N`` list attributes, each appended to in one
method, then times ``unbounded-lint`` checking it and ``unbounded-lint --fix`` repairing a copy
(wall clock with ``time.perf_counter``, peak memory of the child from ``resource``). Analysis
and fix planning are meant to be linear in the number of containers per class: the time per
attribute should stay flat as N grows.

Usage:
    python benchmarks/many_attributes.py                 # N = 2000, 10000, 40000
    python benchmarks/many_attributes.py --sizes 2000    # one size
    python benchmarks/many_attributes.py --style instance  # attributes made in __init__

``--style class`` (the default) declares the lists in the class body (``a0 = []``), which is
the shape the fix planner used to rescan per container; ``--style instance`` creates them in
``__init__``. Results are printed as a Markdown table for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional, Sequence, Tuple


def generate(n: int, style: str) -> str:
    """The module text: one class, ``n`` list attributes, each grown in ``tick``."""
    lines = ["class Big:"]
    if style == "class":
        lines += [f"    a{i} = []" for i in range(n)]
        lines.append("")
    else:
        lines.append("    def __init__(self):")
        lines += [f"        self.a{i} = []" for i in range(n)]
        lines.append("")
    lines.append("    def tick(self, value):")
    lines += [f"        self.a{i}.append(value)" for i in range(n)]
    return "\n".join(lines) + "\n"


def run(argv: Sequence[str], cwd: Path) -> Tuple[float, int, int]:
    """Seconds, exit status and the child's peak RSS in MiB (Linux reports KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", "--isolated",
                           "--timeout-per-file", "0", "-q", *argv], cwd=cwd, capture_output=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, proc.returncode, max(peak, before) // 1024


def measure(n: int, style: str) -> List[str]:
    with tempfile.TemporaryDirectory(prefix="ubl-many-") as folder:
        root = Path(folder)
        target = root / "big.py"
        target.write_text(generate(n, style), encoding="utf-8")
        check, check_status, check_mb = run(["big.py"], root)
        fix, fix_status, fix_mb = run(["--fix", "--unsafe-fixes", "big.py"], root)
        again, _, _ = run(["big.py"], root)
    return [f"{n:,}", style, f"{check:.2f}", str(check_status), f"{fix:.2f}", str(fix_status),
            f"{again:.2f}", f"{max(check_mb, fix_mb)}"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,10000,40000", help="comma-separated N values")
    parser.add_argument("--style", choices=("class", "instance"), default="class")
    args = parser.parse_args(argv)
    print("| attributes | style | check (s) | exit | --fix (s) | exit | check after fix (s) | peak RSS (MiB) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        print("| " + " | ".join(measure(size, args.style)) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
