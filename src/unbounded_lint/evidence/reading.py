"""Reading a running program's containers without running its code (used by ``probe``).

Lengths go through the builtin types' own ``__len__``; attributes through the generic lookup,
never through properties, ``__getattr__`` or the instance ``__dict__``; locals through the
frames of every thread and of suspended asyncio tasks.
"""

from __future__ import annotations

import collections
import os
import sys
import types
from typing import Any, Dict, List, Optional, Set, Tuple

_BUILTIN_SIZED = (list, dict, set, frozenset, collections.deque, bytearray)
_MISSING = object()
_STDLIB_QUEUES = ("queue", "_queue", "asyncio", "multiprocessing")


class Count:
    """A stand-in whose "length" is a number read elsewhere (a cache size, open figures)."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n


def sized_length(obj: Any) -> Optional[int]:
    """The number of items in ``obj`` without running user code: builtin containers through
    their C ``__len__``, queues through ``qsize()``; None for anything else."""
    if isinstance(obj, Count):
        return obj.n
    for base in _BUILTIN_SIZED:
        if isinstance(obj, base):
            length: int = base.__len__(obj)
            return length
    qsize = getattr(type(obj), "qsize", None)
    # Only the standard library's qsize (a subclass may override it with anything).
    module = getattr(qsize, "__module__", None) or type(obj).__module__
    if qsize is not None and module.split(".")[0] in _STDLIB_QUEUES:
        return int(obj.qsize())
    return None


NESTED_LIMIT = 10_000  # above this many keys a dict is measured by its own length


def nested_length(obj: Any) -> Optional[int]:
    """A list grown through a subscript path (``self.hist[k].append(v)`` on a
    ``defaultdict(list)``) is measured by the items of all its lists, not by its keys."""
    if isinstance(obj, dict) and dict.__len__(obj) <= NESTED_LIMIT:
        return sum(sized_length(v) or 0 for v in list(dict.values(obj)))
    return sized_length(obj)


def _last_item(obj: Any) -> Any:
    if isinstance(obj, dict):
        return next(reversed(obj.values())) if obj else None
    if isinstance(obj, (list, collections.deque)):
        return obj[-1] if obj else None
    inner = getattr(obj, "queue", None) or getattr(obj, "_queue", None)
    if isinstance(inner, (list, collections.deque)) and inner:
        return inner[-1]
    return None


def estimate_bytes_per_item(obj: Any, length: int) -> float:
    """The container's own size per item plus the size of its newest item (shallow)."""
    if length <= 0:
        return 0.0
    if isinstance(obj, dict) and obj:
        inner = next(reversed(obj.values()))
        if isinstance(inner, _BUILTIN_SIZED):
            # A dict of lists measured by its lists' items: an item is an inner list's item.
            return estimate_bytes_per_item(inner, len(inner)) if len(inner) else 0.0
    own = sys.getsizeof(obj) / length if isinstance(obj, _BUILTIN_SIZED) else 0.0
    item = _last_item(obj)
    return own + (sys.getsizeof(item) if item is not None else 0.0)


def static_attr(obj: Any, name: str) -> Any:
    """``obj.name`` without running properties, ``__getattr__`` or ``__getattribute__``.

    ``inspect.getattr_static`` would do, but it asks for the instance's ``__dict__``, and on
    CPython 3.11+ that turns the instance's inline attributes into a real dict for good, which
    makes every later ``self.x`` in the program slower. A plain generic lookup does not.
    """
    for klass in type(obj).__mro__:
        found = vars(klass).get(name, _MISSING)
        if found is _MISSING:
            continue
        if isinstance(found, types.MemberDescriptorType):  # a __slots__ attribute
            break
        if hasattr(type(found), "__get__"):  # a property or another descriptor: user code
            return None
        break
    try:
        return object.__getattribute__(obj, name)
    except AttributeError:
        return None


def all_frames(paths: Set[str], real: Dict[str, str]) -> Dict[Tuple[str, str], List[Any]]:
    """Running frames (every thread) and suspended coroutine frames in the watched files,
    by (real path, function name)."""
    found: Dict[Tuple[str, str], List[Any]] = {}
    added: Set[int] = set()  # a running coroutine's frame is reached both ways

    def add(frame: Any) -> None:
        filename = frame.f_code.co_filename
        path = real.get(filename)
        if path is None:
            path = real[filename] = os.path.realpath(filename)
        if path in paths and id(frame) not in added:
            added.add(id(frame))
            found.setdefault((path, frame.f_code.co_name), []).append(frame)

    for top in list(sys._current_frames().values()):
        frame: Any = top
        while frame is not None:
            add(frame)
            frame = frame.f_back
    for task_coro in _suspended_coroutines():
        awaited: Any = task_coro
        frame = _coro_frame(awaited)
        while frame is not None:
            add(frame)
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
            frame = _coro_frame(awaited)
    return found


def _coro_frame(coro: Any) -> Any:
    return getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None) or getattr(coro, "ag_frame", None)


def _suspended_coroutines() -> List[Any]:
    """The coroutines of asyncio tasks (any loop). Reading the task registry from another
    thread can race with the loop; a failed read just skips coroutines this time."""
    tasks_module = sys.modules.get("asyncio.tasks")
    if tasks_module is None:
        return []
    registry = getattr(tasks_module, "_scheduled_tasks", None)
    if registry is None:
        registry = getattr(tasks_module, "_all_tasks", None)
    for _ in range(3):
        try:
            return [task.get_coro() for task in list(registry or ())]
        except RuntimeError:  # the set changed size during iteration
            continue
    return []
