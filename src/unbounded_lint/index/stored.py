"""The index as the flake8 plugin and ``--stdin-filename`` see it: read from the cache only.

Those front ends lint one file without the rest of the project, so they never build an index.
When the cache folder holds one (written by the last ``unbounded-lint`` run over the project),
the file's module gets its view from it; otherwise the analysis is file-local. The stored index
reflects the project as it was at that run: facts of files changed since are the old ones
until the next run.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, Optional, Tuple

from .link import ProjectIndex
from .store import STORE_DIR, STORE_NAME, FactStore, module_name
from .view import ModuleView

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", ".git")
# One linked index per store and modification time, per process: flake8 calls the plugin once
# per file, and linking the project once per file would cost a link per file.
_LOADED: Dict[str, Tuple[float, ProjectIndex]] = {}


def project_root(path: str) -> str:
    """The nearest folder above ``path`` holding a ``pyproject.toml``, ``setup.cfg`` or ``.git``
    (the file's own folder when there is none)."""
    start = os.path.dirname(os.path.abspath(path))
    folder = start
    while True:
        if any(os.path.exists(os.path.join(folder, marker)) for marker in PROJECT_MARKERS):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return start
        folder = parent


def _load(cache_root: str) -> Optional[ProjectIndex]:
    store_path = os.path.join(cache_root, STORE_DIR, STORE_NAME)
    try:
        mtime = os.stat(store_path).st_mtime
    except OSError:
        return None
    loaded = _LOADED.get(store_path)
    if loaded is not None and loaded[0] == mtime:
        return loaded[1]
    store = FactStore(cache_root)
    if not store.files:
        return None
    index = ProjectIndex(store.all_facts())
    _LOADED.clear()  # one project per process is the common case; keep memory flat
    _LOADED[store_path] = (mtime, index)
    return index


def stored_view(path: str, cache_roots: Iterable[str]) -> Optional[ModuleView]:
    """The view of ``path``'s module from the first cache folder that holds an index of it."""
    module = module_name(path)[0]
    for root in cache_roots:
        index = _load(root)
        if index is not None and module in index.modules:
            view = index.view(module)
            return None if view.empty else view
    return None


def cache_roots_for(path: str) -> Tuple[str, ...]:
    """Where the CLI would have put its cache for a run over ``path``'s project."""
    from ..cache import ENV_VAR, Cache

    roots = []
    if os.environ.get(ENV_VAR):
        roots.append(os.environ[ENV_VAR])
    try:
        from ..config import find_pyproject

        pyproject = find_pyproject(os.path.abspath(path))
    except Exception:  # noqa: BLE001 - an unreadable config only means no index
        pyproject = None
    if pyproject is not None:
        roots.append(Cache.default_dir(str(pyproject.parent)))
    roots.append(Cache.default_dir(project_root(path)))
    return tuple(dict.fromkeys(roots))
