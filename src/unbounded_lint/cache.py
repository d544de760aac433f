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
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Dict, Optional

from . import __version__
from ._io import atomic_write
from .types import Applicability, Confidence, FileResult, Finding, Fix, Settings

CACHE_DIR_NAME = ".unbounded_lint_cache"
ENV_VAR = "UNBOUNDED_LINT_CACHE_DIR"
FORMAT = 2
PACK_NAME = "pack.json"
# Entries kept per settings key: far more files than any repository lints in one go, and a
# bound on a folder that would otherwise collect one entry per version of every file.
MAX_ENTRIES = 200_000


def settings_key(settings: Settings) -> str:
    from .engine import ENGINE_VERSION
    from .rules import RULES

    parts = [
        f"tool={__version__}", f"engine={ENGINE_VERSION}", f"format={FORMAT}",
        f"python={sys.version_info[0]}.{sys.version_info[1]}",
        "rules=" + ",".join(f"{code}:{rule.version}" for code, rule in RULES.items()),
        "select=" + ",".join(sorted(settings.select)),
        f"max_length={settings.max_length}", f"min_confidence={int(settings.min_confidence)}",
        "disabled_heuristics=" + ",".join(sorted(settings.disabled_heuristics)),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


class Cache:
    """A folder of cached results. Every method swallows I/O errors: a cache never fails a run."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._keys: Dict[Settings, str] = {}
        self._packs: Dict[str, Dict[str, dict]] = {}
        self._dirty: Dict[str, Dict[str, dict]] = {}
        self._ready = False

    @classmethod
    def default_dir(cls, project_root: str) -> str:
        return os.environ.get(ENV_VAR) or os.path.join(project_root, CACHE_DIR_NAME)

    def _prepare(self) -> None:
        if self._ready:
            return
        self._ready = True
        try:
            os.makedirs(self.root, exist_ok=True)
            ignore = os.path.join(self.root, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write("# Created by unbounded-lint\n*\n")
        except OSError:
            pass

    def _key(self, settings: Settings) -> str:
        key = self._keys.get(settings)
        if key is None:
            # One entry per distinct Settings of a run (per-file-ignores combinations).
            key = self._keys[settings] = settings_key(settings)  # noqa: UBL002
        return key

    def _pack_path(self, key: str) -> str:
        return os.path.join(self.root, key, PACK_NAME)

    def _read_pack(self, key: str) -> Dict[str, dict]:
        """The entries stored on disk for ``key``; anything unreadable is an empty pack."""
        try:
            with open(self._pack_path(key), "r", encoding="utf-8") as handle:
                data = json.load(handle)
            entries = data["entries"] if isinstance(data, dict) and data.get("format") == FORMAT else None
            return entries if isinstance(entries, dict) else {}
        except Exception:  # noqa: BLE001 - a corrupt pack is a cold cache, rewritten on flush
            return {}

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
        for key, new in self._dirty.items():
            try:
                os.makedirs(os.path.join(self.root, key), exist_ok=True)
                merged = self._read_pack(key)
                for digest in new:
                    merged.pop(digest, None)  # re-inserted last: the newest entries survive the cap
                merged.update(new)
                if len(merged) > MAX_ENTRIES:
                    merged = dict(list(merged.items())[-MAX_ENTRIES:])
                data = json.dumps({"format": FORMAT, "entries": merged}, separators=(",", ":"))
                atomic_write(self._pack_path(key), data.encode("utf-8"))
            except OSError:
                pass
        self._dirty.clear()


def _encode(result: FileResult) -> dict:
    return {
        "error": result.error,
        "noqa": result.noqa_suppressed,
        "findings": [
            [f.line, f.column, f.end_line, f.end_column, f.code, f.message, f.container,
             int(f.confidence), f.fingerprint,
             None if f.fix is None else [f.fix.description, f.fix.applicability.value],
             list(f.heuristics), f.because]
            for f in result.findings
        ],
    }


def _decode(path: str, digest: str, data: dict) -> FileResult:
    findings = []
    error = data["error"]
    if not (error is None or isinstance(error, str)) or not isinstance(data["findings"], list):
        raise ValueError("malformed cache entry")
    for row in data["findings"]:
        line, col, end_line, end_col, code, message, container, conf, fingerprint, fix = row[:10]
        heuristics, because = (row[10], row[11]) if len(row) >= 12 else ([], "")
        if not all(isinstance(v, int) for v in (line, col, end_line, end_col)) or not isinstance(message, str):
            raise ValueError("malformed cache entry")
        findings.append(Finding(
            path=path, line=line, column=col, end_line=end_line, end_column=end_col, code=code,
            message=message, container=container, confidence=Confidence(conf),
            fingerprint=fingerprint, heuristics=tuple(heuristics), because=because,
            # Cached findings keep whether they are fixable, not the edits: --fix re-lints.
            fix=None if fix is None else Fix(fix[0], (), Applicability(fix[1])),
        ))
    return FileResult(path, tuple(findings), error=data["error"], source_hash=digest,
                      noqa_suppressed=data.get("noqa", 0))
