"""Baselines: accept today's findings, report only new ones.

``--write-baseline FILE`` records the current findings; ``--baseline FILE`` reports only the
findings that are not in it. A baseline entry is keyed on

* the file's path (stored relative to the baseline file's folder, with forward slashes),
* the code,
* ``Finding.container`` (e.g. ``self.losses``),
* ``Finding.fingerprint`` (the whitespace-normalised source of the finding's statement),

and never on line numbers, so findings survive code moving up or down. Entries keep a count:
two identical sites in one file count twice, and a third identical site is new. When more
identical findings exist than the baseline allows, the ones later in the file are the new ones.

Public API
==========

``Baseline.from_findings(findings) -> Baseline``
    A baseline holding ``findings`` (paths relative to the current folder, or absolute).
``Baseline.load(path) -> Baseline``
    Read a baseline file; raises ``BaselineError`` (a ``ValueError``) naming the file when it
    is missing, not JSON, of another version or malformed.
``baseline.filter(findings) -> tuple[list[Finding], int]``
    ``(new_findings, matched_count)``: the findings not covered by the baseline, in their
    original order, and how many were covered.
``baseline.write(path) -> None``
    Write the baseline (sorted, stable, diff-friendly JSON with a ``version`` field),
    atomically. Writing a baseline from the current findings naturally drops fixed ones.
``baseline.matched(findings) -> Baseline``
    The part of the baseline that ``findings`` still use: write it back to prune fixed
    findings without accepting new ones.

File format (version 1)::

    {
      "version": 1,
      "tool": "unbounded-lint",
      "findings": [
        {"path": "src/app.py", "code": "UBL001", "container": "self.losses",
         "fingerprint": "self.losses.append(loss)", "count": 1}
      ]
    }
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Tuple

from ._io import atomic_write
from .types import Finding

__all__ = ["BASELINE_VERSION", "BaselineError", "Baseline"]

BASELINE_VERSION = 1

# (absolute path with forward slashes, code, container, normalised fingerprint)
Key = Tuple[str, str, str, str]


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message names the file."""


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _abs_key_path(path: str, base: "os.PathLike[str] | str") -> str:
    return os.path.normpath(os.path.join(os.fspath(base), path)).replace(os.sep, "/")


def _relative_to(path: str, folder: str) -> str:
    try:
        rel = os.path.relpath(path.replace("/", os.sep), folder)
    except ValueError:  # another drive on Windows
        return path
    return rel.replace(os.sep, "/")


def finding_key(finding: Finding, base: "os.PathLike[str] | str | None" = None) -> Key:
    """The baseline key of ``finding``; a relative ``Finding.path`` is taken from ``base``
    (default: the current folder)."""
    return (
        _abs_key_path(finding.path, base if base is not None else os.getcwd()),
        finding.code,
        finding.container,
        _normalise(finding.fingerprint),
    )


class Baseline:
    """A multiset of finding keys (see the module docstring)."""

    def __init__(self, counts: "Mapping[Key, int] | None" = None) -> None:
        self._counts: Counter = Counter({k: v for k, v in (counts or {}).items() if v > 0})

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> "Baseline":
        """A baseline that covers exactly ``findings``."""
        cwd = os.getcwd()
        return cls(Counter(finding_key(f, cwd) for f in findings))

    @classmethod
    def load(cls, path: "os.PathLike[str] | str") -> "Baseline":
        """Read the baseline file at ``path``."""
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise BaselineError(f"{path}: baseline file not found") from None
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BaselineError(f"{path}: not a valid baseline (invalid JSON: {exc})") from None
        except RecursionError:  # a hostile file nests arrays until the decoder gives up
            raise BaselineError(f"{path}: not a valid baseline (nested too deeply)") from None
        if not isinstance(data, dict) or "version" not in data:
            raise BaselineError(f"{path}: not a valid baseline (expected an object with a 'version' field)")
        if data["version"] != BASELINE_VERSION:
            raise BaselineError(
                f"{path}: unsupported baseline version {data['version']!r} (expected {BASELINE_VERSION})"
            )
        entries = data.get("findings")
        if not isinstance(entries, list):
            raise BaselineError(f"{path}: not a valid baseline ('findings' must be a list)")
        folder = os.path.dirname(os.path.abspath(path))
        counts: Counter = Counter()
        for number, entry in enumerate(entries):
            counts[_entry_key(entry, folder, path, number)] += _entry_count(entry, path, number)
        return cls(counts)

    # ----------------------------------------------------------------- queries
    def __len__(self) -> int:
        """The number of findings covered (counts included)."""
        return sum(self._counts.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Baseline) and self._counts == other._counts

    def __repr__(self) -> str:
        return f"Baseline({len(self)} findings)"

    def filter(self, findings: Iterable[Finding]) -> Tuple[List[Finding], int]:
        """``(new_findings, matched_count)``: the findings the baseline does not cover, in
        their original order, and the number it covers."""
        items = list(findings)
        remaining = Counter(self._counts)
        cwd = os.getcwd()
        covered = set()
        for index in sorted(range(len(items)), key=lambda i: items[i].sort_key):
            key = finding_key(items[index], cwd)
            if remaining[key] > 0:
                remaining[key] -= 1
                covered.add(index)
        new = [f for i, f in enumerate(items) if i not in covered]
        return new, len(covered)

    def matched(self, findings: Iterable[Finding]) -> "Baseline":
        """The entries of this baseline that ``findings`` still match (fixed ones dropped)."""
        cwd = os.getcwd()
        present = Counter(finding_key(f, cwd) for f in findings)
        return Baseline({key: min(count, present[key]) for key, count in self._counts.items()})

    # ----------------------------------------------------------------- output
    def to_json(self, folder: "os.PathLike[str] | str | None" = None) -> str:
        """The file contents, with paths relative to ``folder`` (default: current folder)."""
        base = os.path.abspath(folder) if folder is not None else os.getcwd()
        rows: List[Dict[str, Any]] = []
        for (path, code, container, fingerprint), count in self._counts.items():
            rows.append(
                {
                    "path": _relative_to(path, base),
                    "code": code,
                    "container": container,
                    "fingerprint": fingerprint,
                    "count": count,
                }
            )
        rows.sort(key=lambda r: (r["path"], r["code"], r["container"], r["fingerprint"]))
        document = {"version": BASELINE_VERSION, "tool": "unbounded-lint", "findings": rows}
        return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    def write(self, path: "os.PathLike[str] | str") -> None:
        """Write the baseline to ``path`` (atomically; paths relative to its folder)."""
        target = Path(path)
        folder = os.path.dirname(os.path.abspath(target))
        text = self.to_json(folder)
        atomic_write(str(target), text.encode("utf-8"))


def _entry_key(entry: Any, folder: str, path: "os.PathLike[str] | str", number: int) -> Key:
    if not isinstance(entry, dict):
        raise BaselineError(f"{path}: finding #{number + 1} is not an object")
    values = []
    for name in ("path", "code", "container", "fingerprint"):
        value = entry.get(name, "" if name in ("container", "fingerprint") else None)
        if not isinstance(value, str) or (name in ("path", "code") and not value):
            raise BaselineError(f"{path}: finding #{number + 1} has no valid {name!r}")
        values.append(value)
    rel, code, container, fingerprint = values
    return (_abs_key_path(rel, folder), code, container, _normalise(fingerprint))


def _entry_count(entry: Mapping[str, Any], path: "os.PathLike[str] | str", number: int) -> int:
    count = entry.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise BaselineError(f"{path}: finding #{number + 1} has an invalid 'count' {count!r}")
    return count
