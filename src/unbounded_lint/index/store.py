"""Where a file's facts come from: the fact cache on disk, or one extraction pass.

Facts are stored in ``<cache dir>/index/facts.index`` (JSON): a map from ``<content sha256>:<module>``
to the file's encoded facts, and from each indexed path to its key (so the flake8 plugin and
``--stdin-filename`` can find the project's facts without reading the project). A file whose
content did not change is never extracted again. A store that cannot be read back (corrupt,
another format or tool version) is empty and rewritten whole after the run: the index is
rebuilt, never trusted half-read.

Like the result cache's packs, both files are authenticated: each starts with a line holding an
HMAC-SHA256 of its body made with the per-user secret (``cache.user_key``), so facts planted in
the project's cache folder (say, "this list is emptied elsewhere") are not trusted, and a store
or snapshot that does not verify is treated as missing.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, Optional, Set, Tuple

from .. import __version__
from .._io import atomic_write
from .facts import FORMAT, FileFacts, decode, encode

STORE_DIR = "index"
# Not ``*.json``: tools and tests that look for the result packs by extension skip it.
STORE_NAME = "facts.index"
SNAPSHOT_NAME = "views.index"
# Bump when extraction changes what it records: stored facts from older code are dropped.
EXTRACT_VERSION = 3
MAGIC = b"unbounded-lint-index"
MAX_STORE_BYTES = 512 << 20


def _seal(kind: str, data: dict) -> bytes:
    from ..cache import seal

    return seal(MAGIC, kind, data)


def _open_sealed(kind: str, path: str) -> dict:
    """The JSON body of a sealed file; ValueError when missing, too large or not verified."""
    from ..cache import open_sealed

    return open_sealed(MAGIC, kind, path, MAX_STORE_BYTES)


def module_name(path: str) -> Tuple[str, bool]:
    """``src/shop/models.py`` -> (``shop.models``, False); ``shop/__init__.py`` -> (``shop``, True).

    The dotted name follows the ``__init__.py`` files upwards, as the import system does for
    regular packages; a file outside any package is named by its stem.
    """
    absolute = os.path.abspath(path)
    folder, filename = os.path.split(absolute)
    stem = filename[:-4] if filename.endswith(".pyi") else filename.rsplit(".", 1)[0]
    is_package = stem == "__init__"
    parts = [] if is_package else [stem]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, name = os.path.split(folder)
        if not name:
            break
        parts.append(name)
    parts.reverse()
    return ".".join(parts) or stem, is_package


def fact_key(digest: str, module: str) -> str:
    return f"{digest}:{module}"


class FactStore:
    """The facts cached in one cache folder. Never raises: a broken store is an empty one."""

    def __init__(self, cache_root: Optional[str], root_may_be_symlink: bool = True) -> None:
        # As for the result cache: the default folder inside the project must be a real folder,
        # and the index folder in it too, so that a planted symlink cannot redirect the writes.
        self._root = cache_root
        self._root_may_be_symlink = root_may_be_symlink
        self.path = os.path.join(cache_root, STORE_DIR, STORE_NAME) if cache_root else None
        self.snapshot_path = os.path.join(cache_root, STORE_DIR, SNAPSHOT_NAME) if cache_root else None
        self._files: Dict[str, str] = {}
        self.facts: Dict[str, FileFacts] = {}
        self._raw: Dict[str, dict] = {}
        self._fresh: Set[str] = set()  # keys put this run, not encoded yet
        self._dirty = False
        self._loaded = False

    @property
    def files(self) -> Dict[str, str]:
        self._load()
        return self._files

    def _load(self) -> None:
        # Lazily: a warm run answered from the snapshot never reads the facts.
        if self._loaded:
            return
        self._loaded = True
        if self.path is None:
            return
        try:
            data = _open_sealed(STORE_NAME, self.path)
            if data.get("format") != FORMAT or data.get("tool") != __version__ \
                    or data.get("extract") != EXTRACT_VERSION:
                raise ValueError("another version's index")
            files, raw = data["files"], data["facts"]
            if not isinstance(files, dict) or not isinstance(raw, dict):
                raise ValueError("malformed index")
            self._files = {str(k): str(v) for k, v in files.items()}
            self._raw = raw
        except Exception:  # noqa: BLE001 - a corrupt or missing index is rebuilt
            self._files, self._raw = {}, {}
            self._dirty = self.path is not None and os.path.exists(self.path)

    def get(self, key: str) -> Optional[FileFacts]:
        self._load()
        facts = self.facts.get(key)
        if facts is None and key in self._raw:
            try:
                facts = self.facts[key] = decode(self._raw[key])
            except Exception:  # noqa: BLE001 - one bad entry is re-extracted
                self._raw.pop(key, None)
                self._dirty = True
        return facts

    def put(self, path: str, key: str, facts: FileFacts) -> None:
        self._load()
        self.facts[key] = facts
        if self.path is not None and key not in self._raw:
            # encoded when the store is written (never, without a cache folder)
            self._fresh.add(key)
            self._dirty = True
        self._set_file(path, key)

    def seen(self, path: str, key: str) -> None:
        """Record that ``path`` currently has the facts stored under ``key``."""
        self._set_file(path, key)

    def _set_file(self, path: str, key: str) -> None:
        absolute = os.path.abspath(path)
        if self.files.get(absolute) != key:
            self._files[absolute] = key
            self._dirty = True

    def all_facts(self) -> Iterable[FileFacts]:
        """The facts of every indexed file (for the flake8 plugin and stdin)."""
        for key in set(self.files.values()):
            facts = self.get(key)
            if facts is not None:
                yield facts

    def flush(self) -> None:
        """Write the store if this run changed it, keeping only the facts some file still has."""
        if self.path is None or not self._dirty:
            return
        # files deleted since they were indexed leave the index
        self._files = {p: k for p, k in self._files.items() if os.path.exists(p)}
        live = set(self._files.values())
        for key in self._fresh:
            self._raw[key] = encode(self.facts[key])
        self._fresh.clear()
        raw = {key: value for key, value in self._raw.items() if key in live}
        data = {"format": FORMAT, "tool": __version__, "extract": EXTRACT_VERSION,
                "files": self._files, "facts": raw}
        try:
            if self._writable():
                atomic_write(self.path, _seal(STORE_NAME, data))
        except OSError:
            pass
        self._dirty = False

    # ----------------------------------------------------------------- snapshot
    def snapshot(self, current: Dict[str, str]) -> Optional[Dict[str, str]]:
        """The view digest of every file, when the last full link was over exactly these files
        with exactly these contents (``current``: absolute path -> sha256); else None.

        Same files, same contents: same facts, same link, same views. A warm run then keys
        its result cache without reading or linking any fact."""
        if self.snapshot_path is None:
            return None
        try:
            data = _open_sealed(SNAPSHOT_NAME, self.snapshot_path)
            if data.get("format") != FORMAT or data.get("tool") != __version__ \
                    or data.get("extract") != EXTRACT_VERSION:
                return None
            files = data["files"]
            if len(files) != len(current):
                return None
            views = {}
            for path, digest in current.items():
                stored = files.get(path)
                if not stored or stored[0] != digest:
                    return None
                views[path] = str(stored[1])
            return views
        except Exception:  # noqa: BLE001 - no snapshot: link as usual
            return None

    def save_snapshot(self, entries: Dict[str, Tuple[str, str]]) -> None:
        """Record (content sha256, view digest) per absolute path after a full link."""
        if self.snapshot_path is None:
            return
        data = {"format": FORMAT, "tool": __version__, "extract": EXTRACT_VERSION,
                "files": {path: list(pair) for path, pair in entries.items()}}
        try:
            if self._writable():
                atomic_write(self.snapshot_path, _seal(SNAPSHOT_NAME, data))
        except OSError:
            pass

    def _writable(self) -> bool:
        """Create the index folder; False when the root or the folder is a planted symlink."""
        if self._root is None or (not self._root_may_be_symlink and os.path.islink(self._root)):
            return False
        folder = os.path.join(self._root, STORE_DIR)
        os.makedirs(folder, exist_ok=True)
        return not os.path.islink(folder) and os.path.isdir(folder)
