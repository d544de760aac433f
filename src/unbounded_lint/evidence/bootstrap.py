"""Starting the probe inside the watched process.

``watch`` runs a Python command as ``python [options] -m unbounded_lint.evidence.run
TARGET...`` (TARGET: ``script.py``, ``-m module`` or ``-c code``), and puts a folder with a
``sitecustomize.py`` on ``PYTHONPATH`` so that any other Python command (a console script such as
``pytest``) starts the probe too. The environment variable ``UNBOUNDED_LINT_WATCH`` names the
spec file the parent wrote (sites, sampling interval, where to write samples).

Only the first process that starts claims the run. Any later Python process with the same
environment (a ``multiprocessing`` child, a subprocess) is not watched and leaves a note that
the report shows.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any, Callable, Dict, Optional, Sequence

from . import probe as probe_module
from .instrument import Plan, install_import_hook, run_code, run_module, run_script
from .sites import Site

ENV = "UNBOUNDED_LINT_WATCH"
_plan: Optional[Plan] = None


def load_spec(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data: Dict[str, Any] = json.load(handle)
    return data


def _claim(folder: str) -> bool:
    """True for the first process of the run (creates ``claimed`` exclusively)."""
    try:
        fd = os.open(os.path.join(folder, "claimed"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    except OSError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return True


class CallTrigger:
    """Deterministic sampling for tests: sample on every ``every``-th call of functions named
    ``function`` (a profile hook, so slow), with a clock that advances ``interval`` per sample."""

    def __init__(self, function: str, every: int, interval: float) -> None:
        self.function = function
        self.every = max(1, every)
        self.interval = interval
        self.calls = 0
        self.ticks = 0
        self.probe: Optional[probe_module.Probe] = None

    def clock(self) -> float:
        return self.ticks * self.interval

    def hook(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_name == self.function:
            self.calls += 1
            if self.calls % self.every == 0 and self.probe is not None:
                self.ticks += 1
                self.probe.sample()

    def install(self) -> None:
        sys.setprofile(self.hook)
        threading.setprofile(self.hook)


def start(spec_path: str) -> Optional[probe_module.Probe]:
    """Start the probe from ``spec_path`` in this process (once), or note that it is not
    watched. Never raises."""
    if probe_module.active() is not None:
        return probe_module.active()
    try:
        spec = load_spec(spec_path)
        folder = os.path.dirname(os.path.abspath(spec_path))
        if not _claim(folder):
            probe_module.note_child(folder, "process")
            return None
        sites = [Site.from_json(s) for s in spec["sites"]]
        interval = float(spec.get("interval", 0.2))
        trigger_spec = spec.get("trigger") or None
        trigger = (CallTrigger(trigger_spec["function"], int(trigger_spec["every"]), interval)
                   if trigger_spec else None)
        return start_in_process(sites, spec["samples"], interval, trigger)
    except Exception:  # noqa: BLE001 - a broken probe must not stop the program
        return None


def start_in_process(sites: Sequence[Site], samples_path: str, interval: float,
                     trigger: Optional[CallTrigger] = None) -> probe_module.Probe:
    """Install the import hook and the probe for ``sites`` in this process."""
    global _plan
    clock: Callable[[], float] = trigger.clock if trigger is not None else time.monotonic
    probe = probe_module.Probe(sites, samples_path, interval, clock=clock)
    _plan = Plan(sites)
    install_import_hook(_plan)
    probe_module.install(probe, thread=trigger is None)
    if trigger is not None:
        trigger.probe = probe
        trigger.install()
    return probe


SITECUSTOMIZE = '''"""Written by unbounded-lint watch: starts the probe, then runs any other sitecustomize."""
import os as _os
import sys as _sys

try:
    from unbounded_lint.evidence.bootstrap import from_site as _from_site
except Exception:  # unbounded-lint is not installed for this interpreter: not watched
    _from_site = None
if _from_site is not None:
    _from_site()


def _chain():
    import importlib.machinery
    import importlib.util

    here = _os.path.dirname(_os.path.abspath(__file__))
    rest = [p for p in _sys.path if _os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        _sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)


_chain()
'''


def from_site() -> None:
    """Called by the injected ``sitecustomize``."""
    spec_path = os.environ.get(ENV)
    if spec_path:
        start(spec_path)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``python -m unbounded_lint.evidence.run (script | -m module | -c code) [args]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    spec_path = os.environ.get(ENV)
    if spec_path:
        start(spec_path)  # once: the injected sitecustomize has usually started it already
    plan = _plan or Plan(())
    if not args:
        raise SystemExit("usage: python -m unbounded_lint.evidence.run (script | -m module | -c code) [args]")
    if args[0] == "-m" and len(args) > 1:
        run_module(args[1], args[2:], plan)
    elif args[0] == "-c" and len(args) > 1:
        run_code(args[1], args[2:])
    else:
        run_script(args[0], args[1:], plan)

