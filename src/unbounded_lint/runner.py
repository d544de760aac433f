"""Run the engine (``lint_files``) or the fixer (``fix_files``) over many files on a pool of
worker processes; the check answers from the cache first.

Results come back in the order of the input list whatever the scheduling. A file that cannot
be read (not a regular file, over ``--max-file-size``), times out or kills its worker becomes a
result with a one-line error; every other file is still processed. Reads happen inside the
per-file time limit. ``fix_files`` only computes the new bytes: the caller writes them, so
that it alone knows, when interrupted, which files it has rewritten.

Workers ignore Ctrl-C (the parent stops them), and exit on their own when the parent is gone,
even after a SIGKILL; ``sigterm_as_exception`` lets the CLI treat SIGTERM like Ctrl-C.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import gc
import hashlib
import itertools
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import FrameType
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    FrozenSet,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
)

from ._io import DEFAULT_MAX_FILE_SIZE, read_source
from .cache import Cache
from .types import DEFAULT_FIX_LEVEL, FileResult, FixLevel, Settings

if TYPE_CHECKING:
    from .analysis.facts import ModuleFacts  # pragma: no cover
    from .evidence.apply import Evidence  # pragma: no cover
    from .fixer import FixOutcome
    from .index import ExtractJob, FileFacts, ModuleView, RunIndex

# Below this many files a process pool costs more than it saves.
MIN_FILES_PER_WORKER = 4
CHUNK = 8


def usable_cpus() -> int:
    try:
        # Linux only: elsewhere the attribute is missing and the count below is used
        return max(1, len(getattr(os, "sched_getaffinity")(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def read_file(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> Tuple[Optional[bytes], Optional[str]]:
    """The file's bytes, or a one-line reason it was not read (see ``_io.read_source``)."""
    result = read_source(path, max_size)
    return result.data, result.error


def read_timed(path: str, max_size: int, timeout: float) -> Tuple[Optional[bytes], Optional[str]]:
    """``read_file`` inside the per-file time limit (a file on a hung network mount)."""
    try:
        with time_limit(timeout):
            return read_file(path, max_size)
    except FileTimeout:
        return None, f"timed out while reading after {timeout:g}s (--timeout-per-file); skipped"


class FileTimeout(BaseException):
    """Raised by ``time_limit``; a BaseException so that no ``except Exception`` swallows it."""


def _on_alarm(_signum: int, _frame: Optional[FrameType]) -> None:
    raise FileTimeout()


# True inside ``alarms()``: the SIGALRM handler is already ours.
_alarm_ready = False


def _alarms_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def alarms() -> Iterator[None]:
    """Install the SIGALRM handler once for a loop of ``time_limit`` blocks, which then only
    arm and disarm the timer: swapping the handler for each of thousands of files costs more
    than reading a cached result."""
    global _alarm_ready
    if _alarm_ready or not _alarms_usable():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _alarm_ready = True
    try:
        yield
    finally:
        _alarm_ready = False
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``FileTimeout`` after ``seconds`` (0: no limit; only where SIGALRM exists)."""
    if seconds <= 0 or not _alarms_usable():
        yield
        return
    if _alarm_ready:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timeout_message(seconds: float) -> str:
    return f"timed out after {seconds:g}s (--timeout-per-file); skipped"


def lint_one(path: str, source: bytes, settings: Settings, timeout: float, skip_pass: bool = True,
             view: "Optional[ModuleView]" = None,
             on_parse: "Optional[Callable[[ast.Module], None]]" = None,
             on_facts: "Optional[Callable[[ModuleFacts], None]]" = None) -> FileResult:
    """Lint one file's bytes with a time limit (where the platform has SIGALRM)."""
    from .engine import lint_source

    try:
        with time_limit(timeout):
            return lint_source(source, path, settings, skip_pass=skip_pass, index=view,
                               on_parse=on_parse, on_facts=on_facts)
    except FileTimeout:
        return FileResult(path, error=timeout_message(timeout))
    except MemoryError:
        return FileResult(path, error="out of memory while linting; skipped")


LintItem = Tuple[str, bytes, Settings, float, bool, "Optional[ModuleView]"]
Item = TypeVar("Item", bound=tuple)
Out = TypeVar("Out")


def _work(batch: Sequence[LintItem]) -> List[FileResult]:
    # ``lint_one`` is looked up at call time, so a test can replace it in the workers.
    with alarms():
        return [lint_one(*item) for item in batch]


def _watch_parent(parent: int) -> None:
    """Exit this worker when its parent is gone (killed, even by SIGKILL): a worker that
    outlives the run would hold memory and a CPU for nothing."""
    while os.getppid() == parent:
        time.sleep(0.25)
    os._exit(1)


# Collect young objects after this many allocations, not CPython's 700: a parsed module and its
# analysis allocate hundreds of thousands of short-lived objects, and with the default every
# few milliseconds of work also scans whatever the process keeps (the project index's facts,
# the results so far). Measured on 1.7M lines: 10-20% less CPU, peak memory +10%.
GC_THRESHOLD = (20_000, 20, 20)


def tune_gc() -> None:
    """Fewer garbage collections while linting (``GC_THRESHOLD``); cycles are still freed."""
    gc.set_threshold(*GC_THRESHOLD)


def _init_worker() -> None:
    tune_gc()
    # Ctrl-C is the parent's business; workers just stop when the pool is shut down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()


def lint_files(paths: Sequence[str], settings_for: Callable[[str], Settings], jobs: int = 0,
               cache: Optional[Cache] = None, timeout: float = 0.0, skip_pass: bool = True,
               max_size: int = DEFAULT_MAX_FILE_SIZE, project_index: bool = True) -> List[FileResult]:
    """Lint ``paths`` and return one result per path, in the same order.

    With ``project_index`` the files are first indexed (``index/``: facts extracted on the pool,
    or taken from the fact cache where a file is unchanged) and each file is linted with its
    module's view; the view's digest joins the file's hash in the result cache key, so a change
    elsewhere re-lints a module only when it changes that module's view."""
    jobs = jobs or usable_cpus()
    results: List[Optional[FileResult]] = [None] * len(paths)
    # (index, path, bytes or None when the file stats gave the hash, sha256)
    readable: List[Tuple[int, str, Optional[bytes], str]] = []
    stats = cache.stats if cache is not None else None
    with alarms():
        for index, path in enumerate(paths):
            # The status is taken before the read: a write after it changes the status, so
            # the hash recorded below is never that of newer content.
            status = _status(path, timeout) if stats is not None else None
            known = stats.digest(path, status, max_size) if stats is not None else None
            if known is not None:
                readable.append((index, path, None, known))
                continue
            source, error = read_timed(path, max_size, timeout)
            if source is None:
                results[index] = FileResult(path, error=error)
                continue
            digest = hashlib.sha256(source).hexdigest()
            if stats is not None and status is not None:
                stats.record(path, status, digest)
            readable.append((index, path, source, digest))
    from .analysis.index_seam import needs_view, with_owner_because

    def load(path: str, digest: str) -> Optional[bytes]:
        """The bytes of a file known by its hash, if they still have that hash."""
        source, _ = read_timed(path, max_size, timeout)
        return source if source is not None and hashlib.sha256(source).hexdigest() == digest else None

    # Files extracted now are also linted alone, in the same parse: ``first``.
    first: Dict[str, Tuple[FileResult, FrozenSet[str]]] = {}
    lint_alone = (settings_for, timeout, skip_pass, first)
    run_index = _open_index(readable, cache, jobs, lint_alone, load) if project_index and readable else None
    done: List[Tuple[int, FileResult]] = []
    todo: List[Tuple[int, LintItem]] = []
    cache_keys: Dict[int, str] = {}
    settings_of: Dict[int, Settings] = {}
    for index, path, source, digest in readable:
        settings = settings_of[index] = settings_for(path)
        view_digest = run_index.digest(path) if run_index is not None else ""
        cache_keys[index] = digest + (":" + view_digest if view_digest else "")
        if cache is not None:
            hit = cache.get(path, cache_keys[index], settings)
            if hit is not None:
                results[index] = dataclasses.replace(hit, source_hash=digest)
                continue
        view = run_index.view(path) if run_index is not None and view_digest else None
        alone, questions = first.get(path, (None, frozenset()))
        if alone is not None and (alone.error or not needs_view(alone.findings, view, questions)):
            # The view cannot change this file's findings: the lint alone stands, with the
            # ``because`` the view adds.
            findings = tuple(with_owner_because(f, view) for f in alone.findings)
            done.append((index, dataclasses.replace(alone, findings=findings)))
            continue
        if source is None:
            source = load(path, digest)
            if source is None:
                # Changed (or gone) since its status was taken: read it as it is now, and do
                # not cache what is linted under the hash of what it was.
                source, error = read_timed(path, max_size, timeout)
                cache_keys[index] = ""
                if source is None:
                    results[index] = FileResult(path, error=error)
                    continue
        todo.append((index, (path, source, settings, timeout, skip_pass, view)))
    try:
        for index, result in itertools.chain(done, run_pool(todo, _work, jobs, _lint_failed)):
            results[index] = result
            if cache is not None and result.source_hash and cache_keys[index]:
                cache.put(dataclasses.replace(result, source_hash=cache_keys[index]), settings_of[index])
    finally:
        if cache is not None:
            cache.flush()  # also on Ctrl-C: what was linted stays cached
            cache.stats.flush()
    return [r for r in results if r is not None]


def _lint_failed(item: LintItem, error: str) -> FileResult:
    return FileResult(item[0], error=error)


def _status(path: str, timeout: float) -> Optional[os.stat_result]:
    """``os.stat(path)`` inside the per-file time limit (it can hang on a network mount too)."""
    try:
        with time_limit(timeout):
            return os.stat(path)
    except (OSError, FileTimeout):
        return None


# (job, settings, timeout, skip_pass): settings None extracts only, else also lints alone.
ExtractItem = Tuple["ExtractJob", Optional[Settings], float, bool]
# facts, the lint alone, and what the index could change in it (index_seam.open_questions)
Extracted = Tuple["Optional[FileFacts]", Optional[FileResult], FrozenSet[str]]
LintAlone = Tuple[Callable[[str], Settings], float, bool, Dict[str, Tuple[FileResult, FrozenSet[str]]]]


def extract_and_lint(job: "ExtractJob", settings: Optional[Settings], timeout: float, skip_pass: bool) -> Extracted:
    """One parse for both: the file's index facts, and (with ``settings``) its findings
    without the index."""
    from .index import extract_source
    from .index.extract import extract

    from .analysis.index_seam import open_questions

    path, module, is_package, source = job
    if settings is None:
        return extract_source(*job), None, frozenset()
    found: "List[FileFacts]" = []
    questions: List[FrozenSet[str]] = []

    def on_parse(tree: ast.Module) -> None:
        try:
            found.append(extract(tree, module, is_package))
        except (RecursionError, MemoryError):
            pass  # no facts for this file; its lint goes on

    def on_facts(facts: "ModuleFacts") -> None:
        questions.append(open_questions(facts))

    result = lint_one(path, source, settings, timeout, skip_pass, on_parse=on_parse, on_facts=on_facts)
    return (found[0] if found else None), result, (questions[0] if questions else frozenset())


def _extract_work(batch: Sequence[ExtractItem]) -> List[Extracted]:
    with alarms():
        return [extract_and_lint(*item) for item in batch]


def _extract_failed(item: ExtractItem, error: str) -> Extracted:
    # No facts from a file that kills its worker; its lint reports the error.
    return None, (FileResult(item[0][0], error=error) if item[1] is not None else None), frozenset()


def _extract_on_pool(jobs: int, lint_alone: Optional[LintAlone],
                     ) -> "Callable[[List[ExtractJob]], List[Optional[FileFacts]]]":
    def run(todo: "List[ExtractJob]") -> "List[Optional[FileFacts]]":
        items: List[Tuple[int, ExtractItem]] = []
        for number, job in enumerate(todo):
            if lint_alone is None:
                items.append((number, (job, None, 0.0, True)))
            else:
                settings_for, timeout, skip_pass, _ = lint_alone
                items.append((number, (job, settings_for(job[0]), timeout, skip_pass)))
        out: "List[Optional[FileFacts]]" = [None] * len(todo)
        for number, (facts, result, questions) in run_pool(items, _extract_work, jobs, _extract_failed):
            out[number] = facts
            if lint_alone is not None and result is not None:
                lint_alone[3][todo[number][0]] = (result, questions)
        return out
    return run


def _open_index(readable: List[Tuple[int, str, Optional[bytes], str]], cache: Optional[Cache], jobs: int,
                lint_alone: Optional[LintAlone] = None,
                load: "Optional[Callable[[str, str], Optional[bytes]]]" = None) -> "RunIndex":
    """The project index of the run's files: facts from the fact cache where the content is
    unchanged, the others extracted on the pool (and, with ``lint_alone``, linted without the
    index in the same parse); view digests from the snapshot when nothing changed since the
    last run."""
    from .index import FactStore, RunIndex

    store = FactStore(cache.root, cache.root_may_be_symlink) if cache is not None else FactStore(None)
    return RunIndex([(path, source, digest) for _, path, source, digest in readable], store,
                    _extract_on_pool(jobs, lint_alone), load)


def run_pool(todo: List[Tuple[int, Item]], work: Callable[[Sequence[Item]], List[Out]], jobs: int,
             failed: Callable[[Item, str], Out]) -> Iterator[Tuple[int, Out]]:
    """Run ``work`` over batches of ``todo`` on ``jobs`` processes; yield ``(index, output)``.

    Batches come back in submission order. A batch whose worker died is re-run one item per
    fresh process, so that ``failed(item, reason)`` blames only the item that kills it.
    """
    if jobs <= 1 or len(todo) < MIN_FILES_PER_WORKER * 2:
        for index, item in todo:
            yield index, work([item])[0]
        return
    batches = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    crashed: List[List[Tuple[int, Item]]] = []
    # What this process holds now (the index's facts, the results so far) is not garbage
    # while the pool runs: frozen, the forked workers' collections and ours skip it, and the
    # workers do not copy its pages by touching it (gc.freeze's documented use before fork).
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker)
    try:
        futures = [(batch, pool.submit(work, [item for _, item in batch])) for batch in batches]
        for batch, future in futures:
            try:
                out = future.result()
            except BrokenProcessPool:
                crashed.append(batch)
                continue
            for (index, _), result in zip(batch, out):
                yield index, result
    except BaseException:
        # Ctrl-C, SIGTERM (see ``Terminated``) or any failure: drop the queued work and stop
        # the workers now, instead of letting the pool finish every file first.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        gc.unfreeze()
    for batch in crashed:
        yield from _isolate(batch, work, failed)


def _isolate(batch: List[Tuple[int, Item]], work: Callable[[Sequence[Item]], List[Out]],
             failed: Callable[[Item, str], Out]) -> Iterator[Tuple[int, Out]]:
    """Re-run a batch whose worker died, one item per fresh process, to blame the right file."""
    for index, item in batch:
        try:
            with ProcessPoolExecutor(max_workers=1, initializer=_init_worker) as pool:
                yield index, pool.submit(work, [item]).result()[0]
        except BrokenProcessPool:
            yield index, failed(item, "the worker process crashed on this file; skipped")
        except Exception as exc:  # noqa: BLE001
            yield index, failed(item, f"internal error: {exc.__class__.__name__}: {exc}")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that the same clean-up as Ctrl-C runs."""


def _on_sigterm(signum, frame):  # type: ignore[no-untyped-def]
    raise Terminated()


@contextlib.contextmanager
def sigterm_as_exception() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated`` (the CLI uses this; a library caller
    keeps its own handler). The previous handler comes back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------- --fix on the pool


@dataclass(frozen=True)
class FixJob:
    """One file under ``--fix``/``--diff``: the bytes read, and what fixing them gave."""

    path: str
    original: Optional[bytes] = None  # only when the fix changed the file
    outcome: Optional[FixOutcome] = None
    error: Optional[str] = None  # not read, timed out or crashed: nothing to write


FixItem = Tuple[str, Settings, float, FixLevel, int, "Optional[Evidence]", "Optional[ModuleView]"]


def fix_one(path: str, settings: Settings, timeout: float, level: FixLevel, max_size: int,
            evidence: "Optional[Evidence]" = None, view: "Optional[ModuleView]" = None) -> FixJob:
    """Read and fix one file inside one time limit, at ``level`` and with the line length of
    the file's project; the caller writes (it alone knows what was written when the run is
    interrupted)."""
    from .fix.apply import FixOptions, fix_source
    from .fix.style import line_length_for

    source, error = read_timed(path, max_size, timeout)
    if source is None:
        return FixJob(path, error=error)
    try:
        with time_limit(timeout):
            outcome = fix_source(source, path, settings,
                                 options=FixOptions(level, line_length_for(path), evidence), index=view)
    except FileTimeout:
        return FixJob(path, source, error=timeout_message(timeout))
    except MemoryError:
        return FixJob(path, source, error="out of memory while fixing; skipped")
    if not outcome.changed:
        # Nothing to write: do not send the file's bytes back to the parent (twice).
        return FixJob(path, None, dataclasses.replace(outcome, source=b""))
    return FixJob(path, source, outcome)


def _fix_work(batch: Sequence[FixItem]) -> List[FixJob]:
    with alarms():
        return [fix_one(*item) for item in batch]


def _fix_failed(item: FixItem, error: str) -> FixJob:
    return FixJob(item[0], error=error)


def fix_files(paths: Sequence[str], settings_for: Callable[[str], Settings], jobs: int = 0,
              timeout: float = 0.0, level: FixLevel = DEFAULT_FIX_LEVEL,
              max_size: int = DEFAULT_MAX_FILE_SIZE, evidence: "Optional[Evidence]" = None,
              views: "Optional[Dict[str, ModuleView]]" = None) -> Iterator[FixJob]:
    """Fix ``paths`` on the worker pool; yield one ``FixJob`` per path, in input order (a
    file whose worker crashed comes last, re-run alone). ``views`` (see ``project_views``)
    makes the fixes act on the findings a linting run with the project index reports."""
    views = views or {}
    todo = [(index, (path, settings_for(path), timeout, level, max_size, evidence, views.get(path)))
            for index, path in enumerate(paths)]
    for _, job in run_pool(todo, _fix_work, jobs or usable_cpus(), _fix_failed):
        yield job


def project_views(paths: Sequence[str], cache: Optional[Cache], jobs: int = 0, timeout: float = 0.0,
                  max_size: int = DEFAULT_MAX_FILE_SIZE) -> "Dict[str, ModuleView]":
    """The project index's non-empty view of each of ``paths`` (facts extracted on the pool, or
    taken from the fact cache), for front ends that do not lint through ``lint_files``:
    ``--fix``, ``--diff`` and ``--add-noqa`` act on the findings a linting run reports."""
    readable: List[Tuple[int, str, Optional[bytes], str]] = []
    with alarms():
        for index, path in enumerate(paths):
            source, _ = read_timed(path, max_size, timeout)
            if source is not None:
                readable.append((index, path, source, hashlib.sha256(source).hexdigest()))
    if not readable:
        return {}
    run_index = _open_index(readable, cache, jobs or usable_cpus())
    views = {}
    for _, path, _, _ in readable:
        view = run_index.view(path)
        if view is not None:
            views[path] = view
    return views
