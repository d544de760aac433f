"""Run the engine over many files: cache first, then worker processes for what is left.

Results come back in the order of the input list whatever the scheduling. A file that cannot
be read, times out or kills its worker becomes a ``FileResult`` with a one-line error; every
other file is still linted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import FrameType
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

from .cache import Cache
from .types import FileResult, Settings

# Below this many files a process pool costs more than it saves.
MIN_FILES_PER_WORKER = 4
CHUNK = 8


def usable_cpus() -> int:
    try:
        # Linux only: elsewhere the attribute is missing and the count below is used
        return max(1, len(getattr(os, "sched_getaffinity")(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def read_file(path: str) -> Tuple[Optional[bytes], Optional[str]]:
    """The file's bytes, or a one-line reason it cannot be read."""
    try:
        if os.path.isdir(path):
            return None, "cannot read: is a directory"
        with open(path, "rb") as handle:
            return handle.read(), None
    except FileNotFoundError:
        return None, "cannot read: no such file (deleted, or a broken symlink)"
    except PermissionError:
        return None, "cannot read: permission denied"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"


class FileTimeout(BaseException):
    """Raised by ``time_limit``; a BaseException so that no ``except Exception`` swallows it."""


def _on_alarm(_signum: int, _frame: Optional[FrameType]) -> None:
    raise FileTimeout()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``FileTimeout`` after ``seconds`` (0: no limit; only where SIGALRM exists)."""
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
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


def lint_one(path: str, source: bytes, settings: Settings, timeout: float, skip_pass: bool = True) -> FileResult:
    """Lint one file's bytes with a time limit (where the platform has SIGALRM)."""
    from .engine import lint_source

    try:
        with time_limit(timeout):
            return lint_source(source, path, settings, skip_pass=skip_pass)
    except FileTimeout:
        return FileResult(path, error=timeout_message(timeout))
    except MemoryError:
        return FileResult(path, error="out of memory while linting; skipped")


def _work(batch: Sequence[Tuple[str, bytes, Settings, float, bool]]) -> List[FileResult]:
    return [lint_one(*item) for item in batch]


def _init_worker() -> None:
    # Ctrl-C is the parent's business; workers just stop when the pool is shut down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def lint_files(paths: Sequence[str], settings_for: Callable[[str], Settings], jobs: int = 0,
               cache: Optional[Cache] = None, timeout: float = 0.0, skip_pass: bool = True) -> List[FileResult]:
    """Lint ``paths`` and return one result per path, in the same order."""
    results: List[Optional[FileResult]] = [None] * len(paths)
    todo: List[Tuple[int, Tuple[str, bytes, Settings, float, bool]]] = []
    for index, path in enumerate(paths):
        source, error = read_file(path)
        if source is None:
            results[index] = FileResult(path, error=error)
            continue
        settings = settings_for(path)
        if cache is not None:
            digest = hashlib.sha256(source).hexdigest()
            hit = cache.get(path, digest, settings)
            if hit is not None:
                results[index] = hit
                continue
        todo.append((index, (path, source, settings, timeout, skip_pass)))
    jobs = jobs or usable_cpus()
    settings_of = {index: item[2] for index, item in todo}
    try:
        for index, result in _run(todo, jobs):
            results[index] = result
            if cache is not None:
                cache.put(result, settings_of[index])
    finally:
        if cache is not None:
            cache.flush()  # also on Ctrl-C: what was linted stays cached
    return [r for r in results if r is not None]


def _run(todo: List[Tuple[int, Tuple[str, bytes, Settings, float, bool]]], jobs: int) -> Iterator[Tuple[int, FileResult]]:
    if jobs <= 1 or len(todo) < MIN_FILES_PER_WORKER * 2:
        for index, item in todo:
            yield index, lint_one(*item)
        return
    batches = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    crashed: List[List[Tuple[int, Tuple[str, bytes, Settings, float, bool]]]] = []
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker)
    try:
        futures = [(batch, pool.submit(_work, [item for _, item in batch])) for batch in batches]
        for batch, future in futures:
            try:
                out = future.result()
            except BrokenProcessPool:
                crashed.append(batch)
                continue
            for (index, _), result in zip(batch, out):
                yield index, result
    except BaseException:
        # Ctrl-C (or any failure): drop the queued work and stop the workers now, instead of
        # letting the pool finish every file first.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise
    else:
        pool.shutdown(wait=True)
    for batch in crashed:
        yield from _isolate(batch)


def _isolate(batch: List[Tuple[int, Tuple[str, bytes, Settings, float, bool]]]) -> Iterator[Tuple[int, FileResult]]:
    """Re-run a batch whose worker died, one file per fresh process, to blame the right file."""
    for index, item in batch:
        try:
            with ProcessPoolExecutor(max_workers=1, initializer=_init_worker) as pool:
                yield index, pool.submit(lint_one, *item).result()
        except BrokenProcessPool:
            yield index, FileResult(item[0], error="the worker process crashed on this file; skipped")
        except Exception as exc:  # noqa: BLE001
            yield index, FileResult(item[0], error=f"internal error: {exc.__class__.__name__}: {exc}")
