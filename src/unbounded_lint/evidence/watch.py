"""``unbounded-lint watch [PATHS] -- COMMAND...``: lint PATHS at every confidence level, run
COMMAND with the probe, and report a verdict per finding.

The parent never imports the program: it writes a spec (sites, sampling interval) into a
temporary folder, runs COMMAND with that folder's ``sitecustomize.py`` on ``PYTHONPATH`` (and,
when COMMAND is ``python ...``, through ``unbounded_lint.evidence.run`` so the main
script's classes are watched too), then reads the samples the child wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..types import ALL_CODES, Confidence
from .bootstrap import ENV, SITECUSTOMIZE
from .report import FORMATS, Run, render
from .sites import Site, sites_for_module
from .verdict import Verdict, judge_all

EXIT_OK, EXIT_GROWS, EXIT_ERROR = 0, 1, 2
_PYTHON = re.compile(r"^(python|pypy)[0-9.]*(\.exe)?$", re.IGNORECASE)
# Interpreter options that take a value as the next argument.
_OPTION_WITH_VALUE = ("-W", "-X", "--check-hash-based-pycs")
GRACE = 5.0  # seconds the command gets to exit after Ctrl-C before it is terminated


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="unbounded-lint watch",
        description="Run COMMAND and measure which findings under PATHS actually grow.",
        epilog="Example: unbounded-lint watch src/ --duration 60 -- python -m mybot",
    )
    p.add_argument("paths", nargs="*", help="files or folders whose findings to watch (default: .)")
    p.add_argument("--duration", type=float, default=0.0, metavar="S",
                   help="stop the command after S seconds (default: run until it ends or Ctrl-C)")
    p.add_argument("--interval", type=float, default=0.2, metavar="S",
                   help="seconds between samples (default 0.2)")
    p.add_argument("--format", default="text", choices=FORMATS, help="report format (default text)")
    p.add_argument("--output-file", "-o", metavar="PATH", help="write the report to a file instead of stdout")
    p.add_argument("--sample-on-call", metavar="FUNCTION:N",
                   help="sample on every N-th call of FUNCTION instead of by time, with a clock that "
                        "advances --interval per sample: deterministic, slow; for tests")
    p.add_argument("--config", metavar="PATH", help="pyproject.toml to read [tool.unbounded-lint] from")
    p.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    return p


def main(argv: Sequence[str]) -> int:
    try:
        return _main(list(argv))
    except KeyboardInterrupt:  # Ctrl-C before the command ran (while linting)
        print("unbounded-lint: interrupted", file=sys.stderr)
        return 130


def _main(argv: List[str]) -> int:
    if "--" not in argv:
        print("unbounded-lint watch: give the command after '--', e.g. "
              "unbounded-lint watch src/ -- python app.py", file=sys.stderr)
        return EXIT_ERROR
    split = argv.index("--")
    parser = build_parser()
    args = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    if not command:
        parser.error("no command after '--'")
    trigger = _parse_trigger(parser, args.sample_on_call)
    if args.interval <= 0 or args.duration < 0:
        parser.error("--interval must be positive and --duration not negative")
    from ..config import ConfigError

    try:
        sites, lint_errors = collect_sites(args.paths or ["."], args.config, args.isolated)
        for error in lint_errors:
            print(error, file=sys.stderr)
        verdicts, run = watch(sites, command, duration=args.duration, interval=args.interval, trigger=trigger)
    except ConfigError as exc:
        print(f"unbounded-lint: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # the command could not be started
        print(f"unbounded-lint watch: cannot run {command[0]!r}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    text = render(args.format, verdicts, run)
    if args.output_file:
        with open(args.output_file, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_GROWS if any(v.verdict == "grows" for v in verdicts) else EXIT_OK


def _parse_trigger(parser: argparse.ArgumentParser, text: Optional[str]) -> Optional[Dict[str, Any]]:
    if not text:
        return None
    function, _, every = text.rpartition(":")
    if not function or not every.isdigit() or int(every) < 1:
        parser.error("--sample-on-call takes FUNCTION:N, e.g. on_tick:10")
    return {"function": function, "every": int(every)}


def collect_sites(paths: Sequence[str], config_path: Optional[str] = None,
                  isolated: bool = False) -> Tuple[List[Site], List[str]]:
    """Lint ``paths`` with every rule at every confidence level; one site per finding."""
    from ..config import discover_files, find_pyproject, load_config
    from ..engine import decode_source
    from ..runner import lint_files, read_file

    pyproject = None if isolated else (config_path or find_pyproject(os.path.abspath(paths[0])))
    config = load_config(pyproject, {})

    def settings_for(path: str) -> Any:
        return replace(config.settings_for(path), min_confidence=Confidence.LOW,
                       select=tuple(sorted(set(config.settings_for(path).select) | set(ALL_CODES))))

    files = discover_files(paths, config)
    errors: List[str] = []
    sites: List[Site] = []
    for result in lint_files(files, settings_for, jobs=0, cache=None):
        if result.error:
            errors.append(f"{result.path}: {result.error}")
            continue
        source, _ = read_file(result.path)
        if source is None or not result.findings:
            continue
        sites.extend(sites_for_module(decode_source(source), result.findings))
    return sites, errors


def is_python(executable: str) -> bool:
    name = os.path.basename(executable)
    if _PYTHON.match(name):
        return True
    found = shutil.which(executable)
    return bool(found) and os.path.realpath(found or "") == os.path.realpath(sys.executable)


def wrap_command(command: Sequence[str]) -> List[str]:
    """``python [options] TARGET...`` becomes ``python [options] -m unbounded_lint.evidence.run TARGET...``;
    any other command is left as it is (the injected ``sitecustomize`` still starts the probe)."""
    command = list(command)
    if not command or not is_python(command[0]):
        return command
    i = 1
    while i < len(command) and command[i].startswith("-") and command[i] not in ("-m", "-c", "-"):
        i += 2 if command[i] in _OPTION_WITH_VALUE else 1
    if i >= len(command) or command[i] == "-":
        return command
    return command[:i] + ["-m", "unbounded_lint.evidence.run"] + command[i:]


def _environment(folder: str, spec_path: str) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (folder, env.get("PYTHONPATH", "")) if p)
    env[ENV] = spec_path
    return env


def _run_child(command: List[str], env: Dict[str, str], duration: float) -> Tuple[str, Optional[int]]:
    """Run the command to its end, or stop it; the reason it stopped and its exit status."""
    proc = subprocess.Popen(command, env=env)
    reason = "the program ended"
    try:
        proc.wait(timeout=duration or None)
    except subprocess.TimeoutExpired:
        reason = f"stopped after --duration {duration:g} s"
        _interrupt(proc)
    except KeyboardInterrupt:
        reason = "interrupted (Ctrl-C)"
        _interrupt(proc, already_sent=True)
    return reason, proc.returncode


def _interrupt(proc: subprocess.Popen[Any], already_sent: bool = False) -> None:
    """Ctrl-C for the command (so it can exit cleanly and the probe writes), then stronger."""
    if not already_sent and proc.poll() is None and os.name != "nt":  # Windows has no SIGINT to send
        proc.send_signal(signal.SIGINT)
    for stop in (None, proc.terminate, proc.kill):
        if stop is not None and proc.poll() is None:
            stop()
        try:
            proc.wait(timeout=GRACE)
            return
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:
            continue


def watch(sites: Sequence[Site], command: Sequence[str], duration: float = 0.0, interval: float = 0.2,
          trigger: Optional[Dict[str, Any]] = None) -> Tuple[List[Verdict], Run]:
    """Run ``command`` with ``sites`` observed; the verdicts and the run's description."""
    with tempfile.TemporaryDirectory(prefix="ubl-watch-") as folder:
        spec_path = os.path.join(folder, "spec.json")
        samples_path = os.path.join(folder, "samples.json")
        spec = {"sites": [s.to_json() for s in sites], "interval": interval, "samples": samples_path,
                "trigger": trigger}
        with open(spec_path, "w", encoding="utf-8") as handle:
            json.dump(spec, handle)
        with open(os.path.join(folder, "sitecustomize.py"), "w", encoding="utf-8") as handle:
            handle.write(SITECUSTOMIZE)
        started = time.monotonic()
        reason, status = _run_child(wrap_command(command), _environment(folder, spec_path), duration)
        wall = time.monotonic() - started
        samples = _read_samples(samples_path)
        not_watched = _notes(folder)
    run = Run(command=tuple(command), duration=float(samples.get("duration") or wall), stop_reason=reason,
              samples=int(samples.get("samples") or 0), interval=interval, probe_started=bool(samples),
              not_watched=not_watched, returncode=status)
    return judge_all(sites, samples), run


def _read_samples(path: str) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data: Dict[str, Any] = json.load(handle)
            return data
    except (OSError, ValueError):
        return {}


def _notes(folder: str) -> Tuple[str, ...]:
    notes = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("child-") and name.endswith(".note"):
            pid = name[len("child-"):-len(".note")]
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                how = handle.read().strip() or "process"
            notes.append(f"pid {pid} ({'multiprocessing fork' if how == 'fork' else 'new interpreter'})")
    return tuple(notes)
