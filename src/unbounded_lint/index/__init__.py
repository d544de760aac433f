"""The project index: facts from every file of the project, linked, asked through one view.

``build_index`` extracts each file's facts (or takes them from the fact cache, keyed by the
file's content hash), links them into a ``ProjectIndex``, and ``ProjectIndex.view(module)``
gives the analysis of one module its ``ModuleView``: the only interface rules use.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .facts import FileFacts
from .link import ProjectIndex, is_test_module
from .store import FactStore, fact_key, module_name
from .view import LONG_LIVED, TRANSIENT, Lifetime, ModuleView

__all__ = ["FactStore", "RunIndex", "FileFacts", "Lifetime", "LONG_LIVED", "ModuleView",
           "ProjectIndex",
           "TRANSIENT", "build_index", "extract_source", "is_test_module", "module_name"]

# (path, module, is_package, source)
ExtractJob = Tuple[str, str, bool, bytes]


def extract_source(path: str, module: str, is_package: bool, source: bytes) -> Optional[FileFacts]:
    """Parse and extract one file; None when it does not parse (it has no facts to offer)."""
    from ..engine import SourceError, parse
    from .extract import extract

    try:
        tree, _ = parse(source)
        return extract(tree, module, is_package)
    except (SourceError, RecursionError, MemoryError):
        return None


def extract_many(jobs: Sequence[ExtractJob]) -> List[Optional[FileFacts]]:
    return [extract_source(*job) for job in jobs]


# (path, bytes or None when not read yet, sha256)
IndexedFile = Tuple[str, Optional[bytes], str]
# (path, sha256) -> the bytes, if the file still has that hash
Loader = Callable[[str, str], Optional[bytes]]


def build_index(files: Sequence[IndexedFile], store: FactStore,
                run: Callable[[List[ExtractJob]], List[Optional[FileFacts]]] = extract_many,
                load: Optional[Loader] = None) -> Tuple[ProjectIndex, List[str]]:
    """Link the facts of ``files`` (path, source, sha256), extracting only those the store
    does not hold (a file not read yet is read with ``load``; one that cannot be, or no longer
    has its hash, has no facts this run). Returns the index and, per file, its module name."""
    modules: List[str] = []
    todo: List[ExtractJob] = []
    keys: List[str] = []
    found: List[FileFacts] = []
    for path, source, digest in files:
        module, is_package = module_name(path)
        modules.append(module)
        key = fact_key(digest, module)
        facts = store.get(key)
        if facts is None:
            if source is None:
                source = load(path, digest) if load is not None else None
                if source is None:
                    continue
            todo.append((path, module, is_package, source))
            keys.append(key)
        else:
            store.seen(path, key)
            found.append(facts)
    if todo:
        for job, key, facts in zip(todo, keys, run(todo)):
            if facts is not None:
                store.put(job[0], key, facts)
                found.append(facts)
    return ProjectIndex(found), modules


class RunIndex:
    """The project index of one run over ``files`` (path, source, sha256).

    ``digest(path)`` is the file's view digest ("" for an empty view), answered from the
    store's snapshot when the run is over the same files with the same contents as the last
    full link; ``view(path)`` links the project (once) when a file must actually be linted."""

    def __init__(self, files: Sequence[IndexedFile], store: FactStore,
                 run: Callable[[List[ExtractJob]], List[Optional[FileFacts]]] = extract_many,
                 load: Optional[Loader] = None) -> None:
        import os

        self._files = files
        self._store = store
        self._run = run
        self._load = load
        self._views: Optional[Dict[str, ModuleView]] = None
        self._absolute = {path: os.path.abspath(path) for path, _, _ in files}
        current = {self._absolute[path]: digest for path, _, digest in files}
        self._digests = store.snapshot(current)
        if self._digests is None:
            self._link()

    def digest(self, path: str) -> str:
        assert self._digests is not None
        return self._digests.get(self._absolute.get(path, path), "")

    def view(self, path: str) -> Optional[ModuleView]:
        if self._views is None:
            self._link()
        assert self._views is not None
        return self._views.get(path)

    def _link(self) -> None:
        index, modules = build_index(self._files, self._store, self._run, self._load)
        views: Dict[str, ModuleView] = {}
        entries: Dict[str, Tuple[str, str]] = {}
        for (path, _, digest), module in zip(self._files, modules):
            view = index.view(module)
            if not view.empty:
                views[path] = view
            entries[self._absolute[path]] = (digest, "" if view.empty else view.digest)
        self._store.flush()
        self._store.save_snapshot(entries)
        self._views = views
        self._digests = {path: pair[1] for path, pair in entries.items()}
