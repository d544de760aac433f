"""The run-time side of ``watch``: owner registries and the sampler, inside the watched process.

Nothing here runs on the program's hot paths. Flagged classes get one weak registration per
construction (see ``instrument``); everything else is *read* by a sampler a few times a
second: attributes of live owners, module globals, locals of running frames and suspended
coroutines, ``qsize()`` of queues, ``cache_info()`` of caches, open pyplot figures. Every
read that fails is counted in the site's ``errors`` and otherwise ignored: the probe must never
change what the program does, so no exception leaves this module.

Memory is O(sites): each site keeps at most ``MAX_POINTS`` samples (older ones are thinned
by half when the limit is reached) and owners are held weakly.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import sys
import threading
import time
import weakref
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from .reading import Count, all_frames, estimate_bytes_per_item, nested_length, sized_length, static_attr
from .sites import Site

MAX_POINTS = 1000
FLUSH_EVERY = 1.0  # seconds between writes of the samples file (a killed child loses at most this)
_active: Optional[Probe] = None


class Series:
    """Length over time of one site, thinned to at most ``MAX_POINTS`` points."""

    def __init__(self) -> None:
        self.points: List[Tuple[float, int, int]] = []  # (t, total length, owners alive)
        self.peak = 0
        self.errors: Dict[str, int] = {}
        self.bytes_per_item = 0.0
        self.largest = 0

    def add(self, t: float, length: int, alive: int) -> None:
        self.points.append((round(t, 3), length, alive))
        self.peak = max(self.peak, length)
        if len(self.points) > MAX_POINTS:
            # Keep the first and last points exactly; thin the middle evenly.
            self.points = self.points[:-1:2] + [self.points[-1]]

    def error(self, exc: BaseException) -> None:
        key = f"{exc.__class__.__name__}: {exc}"[:160]
        if key in self.errors or len(self.errors) < 5:
            self.errors[key] = self.errors.get(key, 0) + 1

    def to_json(self) -> Dict[str, Any]:
        return {"points": self.points, "peak": self.peak, "errors": self.errors,
                "bytes_per_item": round(self.bytes_per_item, 1), "largest": self.largest}

class Probe:
    """Registries and sampler of one watched process."""

    def __init__(self, sites: Sequence[Site], out_path: str, interval: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sites = list(sites)
        self.out_path = out_path
        self.interval = interval
        self.clock = clock
        self.pid = os.getpid()
        self.started = clock()
        self.series: Dict[str, Series] = {s.id: Series() for s in self.sites}
        self.owners: Dict[str, weakref.WeakSet[Any]] = {}
        self.owners_seen: Dict[str, int] = {}
        self.classes: Dict[str, weakref.ReferenceType[type]] = {}
        self.figures: Dict[str, weakref.WeakSet[Any]] = {}
        self.owner_errors: Dict[str, str] = {}
        self.paths = {s.abspath for s in self.sites}
        self.samples = 0
        self.disabled = False
        self.stop_reason = ""
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._last_flush = 0.0
        self._modules: Dict[str, Any] = {}
        self._modules_seen = -1
        self._lock = threading.Lock()
        self._real: Dict[str, str] = {}  # code file name -> real path; O(files), saves syscalls

    # ------------------------------------------------------------------ registrations

    def owner_made(self, key: str, obj: Any) -> None:
        """A flagged class constructed ``obj``: remember it weakly. Never raises."""
        try:
            self.owners_seen[key] = self.owners_seen.get(key, 0) + 1
            bucket = self.owners.get(key)
            if bucket is None:
                bucket = self.owners[key] = weakref.WeakSet()
            bucket.add(obj)
        except TypeError as exc:  # no __weakref__ slot: the owner is counted, not sampled
            self.owner_errors[key] = f"owners cannot be weakly referenced: {exc}"
        except Exception:  # noqa: BLE001 - the probe never disturbs the program
            pass

    def class_made(self, key: str, cls: type) -> None:
        with contextlib.suppress(Exception):  # the probe never disturbs the program
            self.classes[key] = weakref.ref(cls)

    def figure_made(self, site_id: str, result: Any) -> Any:
        try:
            fig = result[0] if isinstance(result, tuple) and result else result
            bucket = self.figures.get(site_id)
            if bucket is None:
                bucket = self.figures[site_id] = weakref.WeakSet()
            bucket.add(fig)
        except Exception:  # noqa: BLE001
            pass
        return result

    # ------------------------------------------------------------------ sampling

    def start_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name="unbounded-lint-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
            if self.clock() - self._last_flush >= FLUSH_EVERY:
                self.flush()

    def sample(self) -> None:
        """Read every site once. Never raises."""
        if self.disabled or os.getpid() != self.pid:
            return
        with self._lock:
            try:
                now = self.clock() - self.started
                frames = all_frames(self.paths, self._real)
                for site in self.sites:
                    self._sample_site(site, now, frames)
                self.samples += 1
            except Exception:  # noqa: BLE001
                pass

    def _sample_site(self, site: Site, now: float, frames: Dict[Tuple[str, str], List[Any]]) -> None:
        series = self.series[site.id]
        try:
            containers = list(self._containers(site, frames))
        except Exception as exc:  # noqa: BLE001
            series.error(exc)
            return
        if not containers:
            key = _key(site.abspath, site.owner)
            if site.kind == "attr" and self.owners_seen.get(key) and key not in self.owner_errors:
                # Owners were made and are all gone: reached, holding nothing right now.
                series.add(now, 0, 0)
            return
        measured = _measure(site, containers, series)
        if measured is None:  # every read failed (recorded) or nothing was sized
            return
        total, alive, biggest, biggest_len = measured
        series.add(now, total, alive)
        if biggest_len > series.largest or self.samples % 10 == 0:
            try:
                series.bytes_per_item = estimate_bytes_per_item(biggest, biggest_len) or series.bytes_per_item
            except Exception as exc:  # noqa: BLE001
                series.error(exc)
        series.largest = max(series.largest, biggest_len)

    def _containers(self, site: Site, frames: Dict[Tuple[str, str], List[Any]]) -> Iterator[Tuple[Any, int]]:
        """(container, owners alive) pairs for one site; nothing when it is not reachable (yet)."""
        if site.kind == "attr":
            owners = list(self.owners.get(_key(site.abspath, site.owner), ()))
            for owner in owners:
                value = static_attr(owner, site.name)
                if value is not None:
                    yield value, len(owners)
            if not owners:
                yield from self._module_object_attr(site)
        elif site.kind == "global":
            module = self._module(site.abspath)
            if module is not None and site.name in vars(module):
                yield vars(module)[site.name], 1
        elif site.kind == "local":
            found = frames.get((site.abspath, site.owner.rsplit(".", 1)[-1]), [])
            for frame in found:
                value = frame.f_locals.get(site.name)
                if value is not None:
                    yield value, len(found)
        elif site.kind in ("method_cache", "function_cache"):
            fn = self._cached_function(site)
            if fn is not None:
                yield Count(fn.cache_info().currsize), 1
        elif site.kind == "figure":
            yield from self._open_figures(site)

    def _module_object_attr(self, site: Site) -> Iterator[Tuple[Any, int]]:
        """``state = Owner()`` at module level, created before the class hook ran (not expected,
        but cheap to cover): look for module globals that are instances of the owner class."""
        ref = self.classes.get(_key(site.abspath, site.owner))
        cls = ref() if ref is not None else None
        module = self._module(site.abspath)
        if cls is None or module is None:
            return
        for value in list(vars(module).values()):
            if isinstance(value, cls):
                attr = static_attr(value, site.name)
                if attr is not None:
                    yield attr, 1

    def _cached_function(self, site: Site) -> Any:
        if site.owner:
            ref = self.classes.get(_key(site.abspath, site.owner))
            cls = ref() if ref is not None else None
            namespace = vars(cls) if cls is not None else {}
        else:
            module = self._module(site.abspath)
            namespace = vars(module) if module is not None else {}
        fn = namespace.get(site.name)
        fn = getattr(fn, "__func__", fn)  # staticmethod / classmethod
        return fn if hasattr(fn, "cache_info") else None

    def _open_figures(self, site: Site) -> Iterator[Tuple[Any, int]]:
        made = self.figures.get(site.id)
        helpers = sys.modules.get("matplotlib._pylab_helpers")
        if made is None or helpers is None:
            return
        open_ids = {id(m.canvas.figure) for m in list(helpers.Gcf.figs.values())}
        yield Count(sum(1 for fig in list(made) if id(fig) in open_ids)), 1

    def _module(self, abspath: str) -> Any:
        module = self._modules.get(abspath)
        if module is None and len(sys.modules) != self._modules_seen:
            self._modules_seen = len(sys.modules)
            for candidate in list(sys.modules.values()):
                path = getattr(candidate, "__file__", None)
                if path and path.endswith(".py") and os.path.realpath(path) in self.paths:
                    self._modules[os.path.realpath(path)] = candidate
            module = self._modules.get(abspath)
        return module

    # ------------------------------------------------------------------ output

    def stop(self, reason: str = "") -> None:
        """Take a last sample, stop the thread and write the samples file."""
        if os.getpid() != self.pid or self.disabled:
            return
        self.stop_reason = self.stop_reason or reason
        self._stop.set()
        if self.samples == 0:
            # Only when nothing was sampled yet: by now other exit handlers (pyplot's closes
            # every figure) may have torn down what the program held while it ran.
            self.sample()
        self.flush()

    def snapshot(self) -> Dict[str, Any]:
        return {
            "pid": self.pid,
            "interval": self.interval,
            "duration": round(self.clock() - self.started, 3),
            "samples": self.samples,
            "stop_reason": self.stop_reason,
            "sites": {sid: s.to_json() for sid, s in self.series.items()},
            "owners_seen": dict(self.owners_seen),
            "owners_alive": {k: len(v) for k, v in list(self.owners.items())},
            "owner_errors": dict(self.owner_errors),
        }

    def flush(self) -> None:
        if os.getpid() != self.pid or self.disabled:
            return
        self._last_flush = self.clock()
        try:
            with self._lock:
                data = json.dumps(self.snapshot())
            tmp = f"{self.out_path}.{self.pid}.tmp"
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(tmp, self.out_path)
        except Exception:  # noqa: BLE001
            pass


def _measure(site: Site, containers: List[Tuple[Any, int]],
             series: Series) -> Optional[Tuple[int, int, Any, int]]:
    """(total length, owners alive, largest container, its length), or None when no container
    could be measured. Read failures are recorded in ``series``."""
    total, alive, biggest, biggest_len = 0, 0, None, -1
    seen_ids = set()
    for obj, owners in containers:
        if id(obj) in seen_ids:
            continue
        seen_ids.add(id(obj))
        try:
            length = nested_length(obj) if site.code == "UBL001" else sized_length(obj)
        except Exception as exc:  # noqa: BLE001
            series.error(exc)
            continue
        if length is None:
            continue
        # The owners of an attribute all hold their containers at once: they add up. Each
        # running frame of a loop has its own local, and frames end: the largest one counts.
        total = max(total, length) if site.kind == "local" else total + length
        alive = max(alive, owners)
        if length > biggest_len:
            biggest, biggest_len = obj, length
    if biggest_len < 0:
        return None
    return total, alive or len(seen_ids), biggest, biggest_len


def _key(abspath: str, qualname: str) -> str:
    return f"{abspath}::{qualname}"

# ---------------------------------------------------------------------- module-level API


def active() -> Optional[Probe]:
    return _active


def install(probe: Probe, thread: bool = True) -> Probe:
    """Make ``probe`` the process's probe: start sampling, stop and write at exit."""
    global _active
    _active = probe
    if thread:
        probe.start_thread()
    atexit.register(probe.stop, "the program ended")
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forked)
    probe.flush()
    return probe


def uninstall() -> None:
    global _active
    _active = None


def _forked() -> None:
    """A forked child (``multiprocessing``'s default on Linux) has no sampler thread: it is not
    watched, and says so in a note the parent reads."""
    probe = _active
    if probe is None:
        return
    probe.disabled = True
    note_child(os.path.dirname(probe.out_path), "fork")


def note_child(folder: str, how: str) -> None:
    try:
        with open(os.path.join(folder, f"child-{os.getpid()}.note"), "w", encoding="utf-8") as handle:
            handle.write(how)
    except OSError:
        pass


def watch_class(cls: Any, key: str) -> Any:
    """Called after a flagged class statement: registers every instance weakly on construction."""
    probe = _active
    if probe is None or not isinstance(cls, type):
        return cls
    try:
        probe.class_made(key, cls)
        original = cls.__init__  # type: ignore[misc]
        takes_args = original is not object.__init__

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            if takes_args:
                original(self, *args, **kwargs)
            elif (args or kwargs) and type(self).__new__ is object.__new__:
                # What object.__new__ would have said before __init__ was wrapped.
                raise TypeError(f"{type(self).__name__}() takes no arguments")
            else:
                original(self)
            current = _active
            if current is not None:
                current.owner_made(key, self)

        for attr in ("__doc__", "__qualname__", "__module__"):
            with contextlib.suppress(AttributeError, TypeError):
                setattr(__init__, attr, getattr(original, attr))
        __init__.__wrapped__ = original  # type: ignore[attr-defined]
        cls.__init__ = __init__  # type: ignore[misc]
    except Exception:  # noqa: BLE001
        pass
    return cls


def figure_made(site_id: str, result: Any) -> Any:
    probe = _active
    return probe.figure_made(site_id, result) if probe is not None else result
