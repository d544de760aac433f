"""The result cache: one small JSON file per (settings, file content).

Entries live in ``<cache dir>/<settings key>/<content sha256>.json``. The settings key hashes
the tool version, the engine and rule versions, the Python grammar and every setting that
changes findings, so a change to any of them starts a fresh folder; the path is not part of the
key (per-file-ignores change the settings instead). Writes go to a temporary file and are
renamed into place, so concurrent runs never see half an entry; an entry that cannot be read
back is ignored and rewritten. A run answered from the cache never imports libcst (it does
import the rule modules, whose versions are part of the key).
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
FORMAT = 1


def settings_key(settings: Settings) -> str:
    from .engine import ENGINE_VERSION
    from .rules import RULES

    parts = [
        f"tool={__version__}", f"engine={ENGINE_VERSION}", f"format={FORMAT}",
        f"python={sys.version_info[0]}.{sys.version_info[1]}",
        "rules=" + ",".join(f"{code}:{rule.version}" for code, rule in RULES.items()),
        "select=" + ",".join(sorted(settings.select)),
        f"max_length={settings.max_length}", f"min_confidence={int(settings.min_confidence)}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


class Cache:
    """A folder of cached results. Every method swallows I/O errors: a cache never fails a run."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._keys: Dict[Settings, str] = {}
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

    def _path(self, settings: Settings, digest: str) -> str:
        key = self._keys.get(settings)
        if key is None:
            # One entry per distinct Settings of a run (per-file-ignores combinations).
            key = self._keys[settings] = settings_key(settings)  # noqa: UBL002
        return os.path.join(self.root, key, digest + ".json")

    def get(self, path: str, digest: str, settings: Settings) -> Optional[FileResult]:
        try:
            with open(self._path(settings, digest), "r", encoding="utf-8") as handle:
                data = json.load(handle)
            return _decode(path, digest, data)
        except Exception:  # noqa: BLE001 - any unreadable entry is a miss, rewritten after linting
            return None

    def put(self, result: FileResult, settings: Settings) -> None:
        if not result.source_hash or (result.error and not result.error.startswith(("cannot parse", "cannot decode"))):
            return
        self._prepare()
        target = self._path(settings, result.source_hash)
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            atomic_write(target, json.dumps(_encode(result), separators=(",", ":")).encode("utf-8"))
        except OSError:
            pass


def _encode(result: FileResult) -> dict:
    return {
        "error": result.error,
        "noqa": result.noqa_suppressed,
        "findings": [
            [f.line, f.column, f.end_line, f.end_column, f.code, f.message, f.container,
             int(f.confidence), f.fingerprint,
             None if f.fix is None else [f.fix.description, f.fix.applicability.value]]
            for f in result.findings
        ],
    }


def _decode(path: str, digest: str, data: dict) -> FileResult:
    findings = []
    error = data["error"]
    if not (error is None or isinstance(error, str)) or not isinstance(data["findings"], list):
        raise ValueError("malformed cache entry")
    for row in data["findings"]:
        line, col, end_line, end_col, code, message, container, conf, fingerprint, fix = row
        if not all(isinstance(v, int) for v in (line, col, end_line, end_col)) or not isinstance(message, str):
            raise ValueError("malformed cache entry")
        findings.append(Finding(
            path=path, line=line, column=col, end_line=end_line, end_column=end_col, code=code,
            message=message, container=container, confidence=Confidence(conf),
            fingerprint=fingerprint,
            # Cached findings keep whether they are fixable, not the edits: --fix re-lints.
            fix=None if fix is None else Fix(fix[0], (), Applicability(fix[1])),
        ))
    return FileResult(path, tuple(findings), error=data["error"], source_hash=digest,
                      noqa_suppressed=data.get("noqa", 0))
