"""What `unbounded-lint watch` costs the watched program (a benchmark, not a test).

Three measurements, each printed as a table row:

1. **growth-heavy micro workload**: a flagged list attribute appended to in a tight loop (and a
   flagged dict filled), timed inside the program, plain and under ``watch``. Target <= 1.10x.
2. **the example service** (``examples/bot_service.py --steps N``), timed the same way through a
   small driver that imports it (so its classes are instrumented as in a real watch). Target
   <= 1.02x.
3. **probe memory**: the bytes allocated by the ``evidence`` package (``tracemalloc``), in-process,
   after 10x more calls and samples: O(sites), so about the same.

Each workload runs ``--runs`` times plain and watched, interleaved; the table gives the
medians of wall time and of CPU time (all threads of the program, the sampler's included)
of the timed part. On a busy machine wall time is noisy; CPU time is the steadier measure of
what the probe adds. Run:

    python benchmarks/watch_overhead.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parent.parent

MICRO = textwrap.dedent('''\
    import sys
    import time


    class Recorder:
        def __init__(self):
            self.events = []
            self.by_key = {}

        def record(self, i):
            self.events.append(i)
            self.by_key[i] = i


    def main(n):
        recorder = Recorder()
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            recorder.record(i)
        print(f"elapsed={time.perf_counter() - started:.6f} cpu={time.process_time() - cpu:.6f}")


    if __name__ == "__main__":
        main(int(sys.argv[1]))
    ''')

DRIVER = textwrap.dedent('''\
    import importlib
    import sys
    import time

    folder, module, *args = sys.argv[1:]
    sys.path.insert(0, folder)
    started, cpu = time.perf_counter(), time.process_time()
    importlib.import_module(module).main(args)
    print(f"elapsed={time.perf_counter() - started:.6f} cpu={time.process_time() - cpu:.6f}")
    ''')


def elapsed(command: List[str], cwd: Path) -> Tuple[float, float]:
    """(wall seconds, CPU seconds of all the program's threads) of the timed part."""
    proc = subprocess.run(command, cwd=str(cwd), capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):  # watch exits 1 when something grew
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("elapsed="))
    wall, cpu = (float(part.split("=", 1)[1]) for part in line.split())
    return wall, cpu


Timings = List[Tuple[float, float]]


def compare(program: List[str], watched_paths: List[str], cwd: Path, runs: int) -> Tuple[Timings, Timings]:
    """(wall, CPU) of the program's own timing, plain and watched, one of each per run."""
    plain: Timings = []
    watched: Timings = []
    watch = [sys.executable, "-m", "unbounded_lint", "watch", *watched_paths, "--format", "json", "-o",
             os.devnull, "--"]
    for _ in range(runs):
        plain.append(elapsed(program, cwd))
        watched.append(elapsed(watch + program, cwd))
    return plain, watched


def probe_memory(calls: int) -> int:
    """Bytes held by allocations made in the ``evidence`` package after ``calls`` recorded calls,
    one sample every 100 calls (the probe thins its series past its point limit)."""
    from unbounded_lint.engine import lint_source
    from unbounded_lint.evidence import probe as probe_module
    from unbounded_lint.evidence.instrument import Plan, compile_watched
    from unbounded_lint.evidence.sites import sites_for_module
    from unbounded_lint.types import ALL_CODES, Confidence, Settings

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "micro.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(MICRO)
        settings = Settings(select=ALL_CODES, min_confidence=Confidence.LOW)
        sites = sites_for_module(MICRO, lint_source(MICRO.encode(), path, settings).findings)
        tracemalloc.start()
        probe = probe_module.Probe(sites, os.path.join(folder, "samples.json"))
        probe_module.install(probe, thread=False)
        namespace = {"__name__": "micro", "__file__": path}
        exec(compile_watched(MICRO.encode(), path, Plan(sites)), namespace)  # noqa: S102 - the benchmark's own code
        recorder = namespace["Recorder"]()
        for i in range(calls):
            recorder.record(i)
            if i % 100 == 0:
                probe.sample()
        del recorder, namespace
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        probe.disabled = True
        probe_module.uninstall()
    package = os.path.join(os.path.dirname(probe_module.__file__), "*")
    mine = snapshot.filter_traces([tracemalloc.Filter(True, package)])
    return sum(stat.size for stat in mine.statistics("filename"))


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--micro-calls", type=int, default=3_000_000)
    parser.add_argument("--service-steps", type=int, default=20_000)
    args = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "micro.py").write_text(MICRO, encoding="utf-8")
        (work / "driver.py").write_text(DRIVER, encoding="utf-8")
        plain, watched = compare([sys.executable, "micro.py", str(args.micro_calls)], ["micro.py"], work, args.runs)
        rows.append(("growth-heavy micro workload", plain, watched, 1.10))
        service = [sys.executable, str(work / "driver.py"), str(ROOT / "examples"), "bot_service",
                   "--steps", str(args.service_steps)]
        plain, watched = compare(service, [str(ROOT / "examples" / "bot_service.py")], ROOT, args.runs)
        rows.append(("examples/bot_service.py", plain, watched, 1.02))

    print(f"Python {sys.version.split()[0]}, {args.runs} runs each; medians of the program's own timing\n")
    print("| workload | plain wall s | watched wall s | wall ratio | plain CPU s | watched CPU s | CPU ratio "
          "| target |")
    print("|---|---|---|---|---|---|---|---|")
    for name, plain, watched, target in rows:
        pw, ww = (statistics.median(t[0] for t in x) for x in (plain, watched))
        pc, wc = (statistics.median(t[1] for t in x) for x in (plain, watched))
        print(f"| {name} | {pw:.3f} | {ww:.3f} | {ww / pw:.3f}x | {pc:.3f} | {wc:.3f} | {wc / pc:.3f}x | "
              f"<= {target:.2f}x |")
    small, large = probe_memory(100_000), probe_memory(1_000_000)
    print(f"\nprobe memory: {small:,} B after 100,000 calls, {large:,} B after 1,000,000 calls "
          f"({large / small:.2f}x for 10x the calls)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
