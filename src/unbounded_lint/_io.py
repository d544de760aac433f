"""File I/O that one hostile file cannot turn against the run.

Reading: only regular files, never more than a size cap, through a non-blocking open (a FIFO
named ``*.py`` would block a plain ``open`` until a writer appears; ``/dev/zero`` behind a
symlink never ends).

Writing a fixed module: the new bytes first go to a temporary copy beside the file, read back
and compared, so a full disk fails there and not halfway through the real file; the copy is
then removed, freeing the room the rewrite needs. Then, under blocked SIGINT/SIGTERM, the file
is opened, checked to still hold the bytes the fix was computed from (the last moment before
replacing, so an editor save is never overwritten) and rewritten *in place*: the inode, owner,
group, mode and hard links stay as they were. Should the rewrite still fail halfway, the
original bytes are written back.

Temporary files are named ``.ubl-<pid>-<random>.tmp``; ``remove_stale_temp_files`` deletes
the ones whose process is gone, which is what a SIGKILL leaves behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import stat
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

# The default --max-file-size: above the largest hand-written or generated modules of the
# benchmark corpus (~2 MB), and small enough that the stdlib parser's worst case (a list literal
# costs ~300 bytes of memory per byte of source) stays under 2 GB.
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
TEMP_PREFIX = ".ubl-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\A\.ubl-(\d+)-[A-Za-z0-9_]+\.tmp\Z")
# A temporary file older than this is stale whatever its process id says (the id may be reused).
STALE_AFTER_SECONDS = 3600.0


class WriteError(Exception):
    """A fixed module that was not written; the message says why, in one line."""


@dataclass(frozen=True)
class ReadResult:
    """The bytes of a file, or the one-line reason it was not read."""

    data: Optional[bytes]
    error: Optional[str] = None


def human_size(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def read_source(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> ReadResult:
    """Read ``path`` if it is a regular file of at most ``max_size`` bytes (0: no cap).

    Never blocks on a FIFO and never reads past the cap, even when the file grows meanwhile.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return ReadResult(None, "cannot read: no such file (deleted, or a broken symlink)")
    except IsADirectoryError:
        return ReadResult(None, "cannot read: is a directory")
    except PermissionError:
        return ReadResult(None, "cannot read: permission denied")
    except OSError as exc:
        return ReadResult(None, f"cannot read: {exc.strerror or exc}")
    try:
        return _read_open(fd, max_size)
    except OSError as exc:
        return ReadResult(None, f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)


def _read_open(fd: int, max_size: int) -> ReadResult:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return ReadResult(None, f"cannot read: {_kind(info.st_mode)}; skipped")
    if max_size and info.st_size > max_size:
        return ReadResult(None, _too_big(info.st_size, max_size))
    limit = max_size + 1 if max_size else -1
    with os.fdopen(os.dup(fd), "rb") as handle:
        data = handle.read(limit)
    if max_size and len(data) > max_size:  # grew after the stat
        return ReadResult(None, _too_big(len(data), max_size))
    return ReadResult(data)


def _too_big(size: int, max_size: int) -> str:
    return (f"skipped: {human_size(size)} is over the size limit of {human_size(max_size)} "
            "(--max-file-size; exclude the file or raise the limit)")


# --------------------------------------------------------------------------- roots


def real_roots(paths: Sequence[str]) -> Tuple[str, ...]:
    """The folders a run may write into: each given folder, or a given file's folder, resolved."""
    roots = []
    for given in paths:
        absolute = os.path.abspath(given)
        folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        roots.append(os.path.realpath(folder))
    return tuple(roots)


def outside_roots(path: str, roots: Sequence[str]) -> Optional[str]:
    """The resolved target of ``path`` when it lies outside every root, else ``None``."""
    target = os.path.realpath(path)
    for root in roots:
        if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
            return None
    return target


# --------------------------------------------------------------------------- writing


def _temp_file(folder: str) -> Tuple[int, str]:
    return tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX, dir=folder)


def atomic_write(path: str, data: bytes, mode: Optional[int] = None, fsync: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    For files the tool owns (cache packs, baselines): readers see the old file or the new one,
    never a mix. ``mode`` sets the permission bits (the temporary file is created 0600).
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = _temp_file(folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block ends, so Ctrl-C cannot cut a file in half."""
    usable = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _verified_copy(folder: str, new: bytes) -> str:
    """A temporary file holding ``new``, read back and compared (a full disk fails here)."""
    fd, tmp = _temp_file(folder)
    try:
        with os.fdopen(fd, "w+b") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
            handle.seek(0)
            if handle.read() != new:
                raise WriteError("the temporary copy did not read back intact; not written")
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def replace_in_place(path: str, original: bytes, new: bytes,
                     on_written: Optional[Callable[[], None]] = None) -> None:
    """Rewrite ``path`` (a symlink: its target) with ``new`` if it still holds ``original``.

    Raises ``WriteError`` (file left as it was) when the file changed or vanished since it was
    read, is not writable, or the temporary copy fails. Keeps the inode, so owner, group, mode
    and hard links are those of the original. ``on_written`` runs right after the write, while
    Ctrl-C is still held, so a caller's record of written files is never one short.
    """
    target = os.path.realpath(path)
    # Removed before the rewrite: its blocks are the room a longer file needs on a full disk.
    # Ctrl-C is held meanwhile: between mkstemp and the copy's own clean-up, or between the
    # copy and its removal, it would leave the temporary file behind.
    with _signals_deferred():
        _unlink_quietly(_verified_copy(os.path.dirname(target), new))
    with _signals_deferred():
        _rewrite(target, original, new)
        if on_written is not None:
            on_written()


def _open_for_rewrite(target: str) -> int:
    try:
        return os.open(target, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise WriteError("deleted while being fixed; not written") from None
    except PermissionError:
        raise WriteError("not writable (permission denied); not fixed") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WriteError("replaced by a symlink while being fixed; not written") from None
        raise WriteError(f"cannot open for writing: {exc.strerror or exc}") from None


def _read_all(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _rewrite(target: str, original: bytes, new: bytes) -> None:
    fd = _open_for_rewrite(target)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WriteError("no longer a regular file; not written")
        # The last moment before replacing: an edit saved while the fix was computed wins.
        if _read_all(fd, len(original) + 1) != original:
            raise WriteError("changed on disk while being fixed; not written")
        try:
            _overwrite(fd, new)
        except OSError as exc:
            # A full disk (or quota) halfway: put the original back, byte for byte.
            _overwrite(fd, original)
            raise WriteError(f"write failed ({exc.strerror or exc}); the original was restored") from None
        os.fsync(fd)
    finally:
        os.close(fd)


def _overwrite(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    _write_all(fd, data)
    os.ftruncate(fd, len(data))


# --------------------------------------------------------------------------- leftovers


def _process_alive(pid: int) -> bool:
    if os.name != "posix":
        # On Windows os.kill() terminates the process whatever the signal: age decides there.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def is_stale_temp(folder: str, name: str, now: Optional[float] = None) -> bool:
    """Whether ``name`` in ``folder`` is a temporary file of a run that is gone."""
    match = _TEMP_NAME.match(name)
    if match is None:
        return False
    pid = int(match.group(1))
    if pid != os.getpid() and not _process_alive(pid):
        return True
    try:
        age = (now or time.time()) - os.lstat(os.path.join(folder, name)).st_mtime
    except OSError:
        return False
    return age > STALE_AFTER_SECONDS


def remove_stale_temp_files(folder: str, names: Sequence[str]) -> List[str]:
    """Delete the stale temporary files among ``names``; return the paths removed."""
    removed = []
    for name in names:
        if name.startswith(TEMP_PREFIX) and is_stale_temp(folder, name):
            path = os.path.join(folder, name)
            try:
                os.unlink(path)
            except OSError:
                continue
            removed.append(path)
    return removed
