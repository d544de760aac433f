"""The result cache: one pack of results per settings, keyed by each file's content hash.

Results live in ``<cache dir>/<settings key>/pack.json``, a map from the sha256 of a file's
content to its findings. The settings key hashes the tool version, the engine and rule
versions, the Python grammar and every setting that changes findings, so a change to any of
them starts a fresh pack; the path is not part of the key (per-file-ignores change the settings
instead). A warm run opens one pack instead of one file per source file.

A run reads each pack once and writes it once, at the end, merging in what concurrent runs
wrote meanwhile; the write goes to a temporary file renamed into place, so no run ever reads
half a pack. A pack or an entry that cannot be read back is a miss, rewritten after linting.
A pack keeps at most ``MAX_ENTRIES`` results, dropping the oldest. A run answered from the
cache never imports libcst (it does import the rule modules, whose versions are in the key).
A cached finding keeps its fix whole, edits included, so a warm run's SARIF ``fixes`` are a
cold run's.

Packs are authenticated. The cache folder sits in the project, so anyone who can change the
project (a pull request) could otherwise plant an entry that says "no findings" for a leaky
file, and CI would pass. Each pack starts with a line holding an HMAC-SHA256 of its settings key
and body, made with a per-user secret kept outside the project (``user_key``); a pack whose MAC
does not verify, and an entry of the wrong shape, is a miss.
"""

from __future__ import annotations

import hashlib
import dataclasses
import hmac
import json
import os
import secrets
import stat
import sys
from typing import Any, Dict, List, Optional

from . import __version__
from ._io import atomic_write, read_source
from .types import ALL_CODES, EDIT_TYPES, Applicability, Confidence, Edit, FileResult, Finding, Fix, Settings

CACHE_DIR_NAME = ".unbounded_lint_cache"
ENV_VAR = "UNBOUNDED_LINT_CACHE_DIR"
FORMAT = 4
PACK_NAME = "pack.json"
MAGIC = b"unbounded-lint-cache"
KEY_ENV_VAR = "UNBOUNDED_LINT_KEY_DIR"
KEY_NAME = "cache-key"
KEY_BYTES = 32
# Entries kept per settings key: far more files than any repository lints in one go, and a
# bound on a folder that would otherwise collect one entry per version of every file.
MAX_ENTRIES = 200_000
KNOWLEDGE_FIELDS = ("short_lived_classes", "long_lived_classes", "bounded_containers",
                    "fixed_key_words", "teardown_methods")
# A full pack is ~100 MB (about 500 bytes an entry); anything larger was not written by us.
MAX_PACK_BYTES = 512 << 20


def key_dir() -> str:
    """Where the per-user cache key lives: ``$UNBOUNDED_LINT_KEY_DIR``, else the user's cache
    folder (``$XDG_CACHE_HOME/unbounded-lint``, ``~/.cache/unbounded-lint``, or
    ``%LOCALAPPDATA%\\unbounded-lint`` on Windows) - never inside a project."""
    explicit = os.environ.get(KEY_ENV_VAR)
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.environ.get("LOCALAPPDATA")
    if not base or not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "unbounded-lint")


def user_key(folder: Optional[str] = None) -> bytes:
    """The per-user secret that authenticates cache packs, created (0600) on first use.

    When it can be neither read nor created (a read-only home), a random key for this process
    only: the cache still works within the run and is never trusted across runs.
    """
    folder = folder or key_dir()
    path = os.path.join(folder, KEY_NAME)
    try:
        return _read_key(path)
    except OSError:
        pass
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
        return _read_key(path)
    except OSError:  # created by a concurrent run meanwhile, or not creatable at all
        try:
            return _read_key(path)
        except OSError:
            return secrets.token_bytes(KEY_BYTES)


def _read_key(path: str) -> bytes:
    with open(path, "rb") as handle:
        key = handle.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise OSError(f"{path}: not a key")
    return key


def pack_mac(key: bytes, settings: str, body: bytes) -> str:
    return hmac.new(key, settings.encode("ascii") + b"\n" + body, hashlib.sha256).hexdigest()


def seal(magic: bytes, kind: str, data: dict) -> bytes:
    """``data`` as JSON behind a line with ``magic`` and its HMAC made with the user's key."""
    body = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return magic + b" " + pack_mac(user_key(), kind, body).encode("ascii") + b"\n" + body


def open_sealed(magic: bytes, kind: str, path: str, max_bytes: int) -> dict:
    """The JSON body of a sealed file; ValueError when missing, too large or not verified."""
    # Not open(): a FIFO or /dev/zero planted in the cache folder must not hang or fill memory.
    data = read_source(path, max_bytes).data
    if data is None:
        raise ValueError("missing")
    header, _, body = data.partition(b"\n")
    found, _, mac = header.partition(b" ")
    if found != magic or not hmac.compare_digest(mac.decode("ascii"), pack_mac(user_key(), kind, body)):
        raise ValueError("not authenticated")
    loaded = json.loads(body)
    if not isinstance(loaded, dict):
        raise ValueError("malformed")
    return loaded


def settings_key(settings: Settings) -> str:
    from .engine import ENGINE_VERSION
    from .rules import RULES

    parts = [
        f"tool={__version__}", f"engine={ENGINE_VERSION}", f"format={FORMAT}",
        f"python={sys.version_info[0]}.{sys.version_info[1]}",
        "rules=" + ",".join(f"{code}:{rule.version}" for code, rule in RULES.items()),
        "select=" + ",".join(sorted(settings.select)),
        f"max_length={settings.max_length}", f"min_confidence={int(settings.min_confidence)}",
        # The project's declared knowledge changes findings too (per module, see knowledge.py).
        *(f"{name}=" + ",".join(sorted(getattr(settings, name))) for name in KNOWLEDGE_FIELDS),
        "disabled_heuristics=" + ",".join(sorted(settings.disabled_heuristics)),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


class Cache:
    """A folder of cached results. Every method swallows I/O errors: a cache never fails a run."""

    def __init__(self, root: str, key: Optional[bytes] = None, root_may_be_symlink: bool = True) -> None:
        self.root = root
        self._secret = key
        # The default cache folder is inside the project, where a symlink can be planted to
        # send the cache's writes anywhere; a folder the user named is theirs to link.
        self._root_may_be_symlink = root_may_be_symlink
        self._keys: Dict[Settings, str] = {}
        self._packs: Dict[str, Dict[str, dict]] = {}
        self._dirty: Dict[str, Dict[str, dict]] = {}
        self._stats: Optional[FileStats] = None
        self._ready = False
        self._usable = True

    @classmethod
    def default_dir(cls, project_root: str) -> str:
        return os.environ.get(ENV_VAR) or os.path.join(project_root, CACHE_DIR_NAME)

    @classmethod
    def for_project(cls, project_root: str, explicit: Optional[str] = None) -> "Cache":
        """The cache a run uses: ``explicit`` (``--cache-dir``), ``$UNBOUNDED_LINT_CACHE_DIR``,
        else the folder in the project, whose root must then be a real folder."""
        chosen = explicit or os.environ.get(ENV_VAR)
        if chosen:
            return cls(chosen)
        return cls(os.path.join(project_root, CACHE_DIR_NAME), root_may_be_symlink=False)

    def _writable_dir(self, folder: str) -> bool:
        """Whether ``folder`` is a real folder (created if missing), not a planted symlink."""
        os.makedirs(folder, exist_ok=True)
        return stat.S_ISDIR(os.lstat(folder).st_mode)

    def _prepare(self) -> None:
        if self._ready:
            return
        self._ready = True
        try:
            if not self._root_may_be_symlink and not self._writable_dir(self.root):
                self._usable = False
                return
            os.makedirs(self.root, exist_ok=True)
            ignore = os.path.join(self.root, ".gitignore")
            # O_EXCL|O_NOFOLLOW: never through a planted (even dangling) symlink.
            fd = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("# Created by unbounded-lint\n*\n")
        except OSError:
            pass

    def _key(self, settings: Settings) -> str:
        key = self._keys.get(settings)
        if key is None:
            # One entry per distinct Settings of a run (per-file-ignores combinations).
            key = self._keys[settings] = settings_key(settings)  # noqa: UBL002
        return key

    @property
    def stats(self) -> "FileStats":
        """The content hashes of the files as of their last read (``FileStats``)."""
        if self._stats is None:
            self._stats = FileStats(self.root, self._root_may_be_symlink)
        return self._stats

    @property
    def root_may_be_symlink(self) -> bool:
        """Whether the cache folder was chosen explicitly (and may then be a symlink)."""
        return self._root_may_be_symlink

    def _pack_path(self, key: str) -> str:
        return os.path.join(self.root, key, PACK_NAME)

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = user_key()
        return self._secret

    def _read_pack(self, key: str) -> Dict[str, dict]:
        """The entries stored on disk for ``key``; anything unreadable, or not authenticated
        with this user's key, is an empty pack."""
        try:
            if not self._root_may_be_symlink and os.path.islink(self.root):
                return {}
            # Not open(): a FIFO or /dev/zero planted as a pack must not hang or fill memory.
            data = read_source(self._pack_path(key), MAX_PACK_BYTES).data
            if data is None:
                return {}
            header, _, body = data.partition(b"\n")
            magic, _, mac = header.partition(b" ")
            if magic != MAGIC or not hmac.compare_digest(mac.decode("ascii"), pack_mac(self.secret, key, body)):
                return {}
            data = json.loads(body)
            entries = data["entries"] if isinstance(data, dict) and data.get("format") == FORMAT else None
            return entries if isinstance(entries, dict) else {}
        except Exception:  # noqa: BLE001 - a corrupt pack is a cold cache, rewritten on flush
            return {}

    def _pack_bytes(self, key: str, entries: Dict[str, dict]) -> bytes:
        body = json.dumps({"format": FORMAT, "entries": entries}, separators=(",", ":")).encode("utf-8")
        return MAGIC + b" " + pack_mac(self.secret, key, body).encode("ascii") + b"\n" + body

    def _entries(self, key: str) -> Dict[str, dict]:
        entries = self._packs.get(key)
        if entries is None:
            entries = self._packs[key] = self._read_pack(key)  # noqa: UBL002 - one pack per settings key
        return entries

    def get(self, path: str, digest: str, settings: Settings) -> Optional[FileResult]:
        entries = self._entries(self._key(settings))
        data = entries.get(digest)
        if data is None:
            return None
        try:
            return _decode(path, digest, data)
        except Exception:  # noqa: BLE001 - a malformed entry is a miss, replaced after linting
            entries.pop(digest, None)
            return None

    def put(self, result: FileResult, settings: Settings) -> None:
        if not result.source_hash or (result.error and not result.error.startswith(("cannot parse", "cannot decode"))):
            return
        key = self._key(settings)
        encoded = _encode(result)
        self._entries(key)[result.source_hash] = encoded
        self._dirty.setdefault(key, {})[result.source_hash] = encoded  # noqa: UBL002 - cleared by flush()

    def flush(self) -> None:
        """Write what this run added. Entries other runs wrote meanwhile are merged in, and the
        oldest entries beyond MAX_ENTRIES are dropped, so the cache itself stays bounded."""
        if not self._dirty:
            return
        self._prepare()
        if not self._root_may_be_symlink and os.path.islink(self.root):
            self._usable = False
        for key, new in self._dirty.items() if self._usable else ():
            try:
                if not self._writable_dir(os.path.join(self.root, key)):
                    continue
                merged = self._read_pack(key)
                for digest in new:
                    merged.pop(digest, None)  # re-inserted last: the newest entries survive the cap
                merged.update(new)
                if len(merged) > MAX_ENTRIES:
                    merged = dict(list(merged.items())[-MAX_ENTRIES:])
                atomic_write(self._pack_path(key), self._pack_bytes(key, merged))
            except OSError:
                pass
        self._dirty.clear()


def _encode(result: FileResult) -> dict:
    return {
        "error": result.error,
        "noqa": result.noqa_suppressed,
        "below": result.below_confidence,
        "findings": [
            [f.line, f.column, f.end_line, f.end_column, f.code, f.message, f.container,
             int(f.confidence), f.fingerprint,
             None if f.fix is None else [f.fix.description, f.fix.applicability.value,
                                         [_encode_edit(e) for e in f.fix.edits]],
             f.because, list(f.heuristics)]
            for f in result.findings
        ],
    }


def _decode(path: str, digest: str, data: object) -> FileResult:
    """A cached result; ``ValueError`` for any entry of the wrong shape (a miss, not a crash)."""
    if not isinstance(data, dict):
        raise ValueError("malformed cache entry")
    error, rows, noqa = data.get("error"), data.get("findings"), data.get("noqa", 0)
    below = data.get("below", 0)
    if (not (error is None or isinstance(error, str)) or not isinstance(rows, list)
            or not _is_int(noqa) or not _is_int(below)):
        raise ValueError("malformed cache entry")
    findings = tuple(_decode_finding(path, row) for row in rows)
    return FileResult(path, findings, error=error, source_hash=digest, noqa_suppressed=noqa,
                      below_confidence=below)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _decode_finding(path: str, row: object) -> Finding:
    if not isinstance(row, list) or len(row) != 12:
        raise ValueError("malformed cache entry")
    line, col, end_line, end_col, code, message, container, conf, fingerprint, fix, because, heuristics = row
    if not all(_is_int(v) for v in (line, col, end_line, end_col, conf)) or conf not in (1, 2, 3):
        raise ValueError("malformed cache entry")
    if code not in ALL_CODES or not all(isinstance(v, str) for v in (message, container, fingerprint, because)):
        raise ValueError("malformed cache entry")
    if not isinstance(heuristics, list) or not all(isinstance(h, str) for h in heuristics):
        raise ValueError("malformed cache entry")
    return Finding(
        path=path, line=line, column=col, end_line=end_line, end_column=end_col, code=code,
        message=message, container=container, confidence=Confidence(conf), fingerprint=fingerprint,
        because=because, heuristics=tuple(heuristics), fix=_decode_fix(fix),
    )


def _decode_fix(fix: object) -> Optional[Fix]:
    if fix is None:
        return None
    if not (isinstance(fix, list) and len(fix) == 3 and isinstance(fix[0], str)
            and fix[1] in (a.value for a in Applicability) and isinstance(fix[2], list)):
        raise ValueError("malformed cache entry")
    return Fix(fix[0], tuple(_decode_edit(e) for e in fix[2]), Applicability(fix[1]))


# The typed edits of ``types``, stored as ``[type name, field, ...]`` (tuples become lists).
_EDITS = {cls.__name__: cls for cls in EDIT_TYPES}


def _encode_edit(edit: Edit) -> List[object]:
    return [type(edit).__name__, *(getattr(edit, f.name) for f in dataclasses.fields(edit))]


def _decode_edit(row: object) -> Edit:
    if not isinstance(row, list) or not row or row[0] not in _EDITS:
        raise ValueError("malformed cache entry")
    cls = _EDITS[row[0]]
    if len(row) != len(dataclasses.fields(cls)) + 1:
        raise ValueError("malformed cache entry")
    values: List[Any] = [_tupled(value) for value in row[1:]]
    edit: Edit = cls(*values)
    return edit


def _tupled(value: object) -> object:
    """A stored field back as written: positions as tuples of ints, texts as strings."""
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    if value is None or isinstance(value, str) or _is_int(value):
        return value
    raise ValueError("malformed cache entry")


# --------------------------------------------------------------------------- file stats

STATS_NAME = "stats.index"
STATS_MAGIC = b"unbounded-lint-stats"
STATS_FORMAT = 1
MAX_STATS_BYTES = 256 << 20


class FileStats:
    """The content hash of each file as of its last read, with the file's status then.

    A warm run takes a file's hash from here when its status is the same (device, inode, mode,
    size, and modification and status-change times to the nanosecond), instead of reading and
    hashing the file: most of a warm run's time otherwise. The status-change time (``ctime``)
    moves on any write and cannot be set back by tools that restore modification times, so an
    edit is never mistaken for the old content. Anything else is read as before. Like the packs,
    the file is authenticated with the per-user key; one that does not verify is empty."""

    def __init__(self, cache_root: str, root_may_be_symlink: bool = True) -> None:
        self._root = cache_root
        self._root_may_be_symlink = root_may_be_symlink
        self.path = os.path.join(cache_root, STATS_NAME)
        self._files: Optional[Dict[str, list]] = None
        self._dirty = False

    @staticmethod
    def _signature(info: os.stat_result) -> list:
        return [info.st_dev, info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns]

    def _load(self) -> Dict[str, list]:
        if self._files is None:
            try:
                if not self._root_may_be_symlink and os.path.islink(self._root):
                    raise ValueError("planted symlink")
                data = open_sealed(STATS_MAGIC, STATS_NAME, self.path, MAX_STATS_BYTES)
                files = data.get("files") if data.get("format") == STATS_FORMAT else None
                self._files = files if isinstance(files, dict) else {}
            except Exception:  # noqa: BLE001 - no usable stats: every file is read
                self._files = {}
        return self._files

    def digest(self, path: str, status: Optional[os.stat_result], max_size: int = 0) -> Optional[str]:
        """The file's content hash when ``status`` (its status now) is the one recorded with
        it, else None (also for a file over ``max_size``, so that the size cap still reports it)."""
        if status is None or not stat.S_ISREG(status.st_mode) or (max_size and status.st_size > max_size):
            return None
        entry = self._load().get(os.path.abspath(path))
        if not (isinstance(entry, list) and len(entry) == 7 and isinstance(entry[6], str)):
            return None
        return entry[6] if entry[:6] == self._signature(status) else None

    def record(self, path: str, info: os.stat_result, digest: str) -> None:
        """``path`` had status ``info`` (taken before reading it) and the content whose hash
        is ``digest``."""
        entry = self._signature(info) + [digest]
        files = self._load()
        absolute = os.path.abspath(path)
        if files.get(absolute) != entry:
            files[absolute] = entry
            self._dirty = True

    def flush(self) -> None:
        if not self._dirty or self._files is None:
            return
        self._dirty = False
        try:
            if not self._root_may_be_symlink and os.path.islink(self._root):
                return
            os.makedirs(self._root, exist_ok=True)
            # files deleted since they were read leave the record
            files = {p: e for p, e in self._files.items() if os.path.exists(p)}
            atomic_write(self.path, seal(STATS_MAGIC, STATS_NAME, {"format": STATS_FORMAT, "files": files}))
        except OSError:
            pass
