"""Renderers: turn ``FileResult``s into the text the CLI prints (or writes to ``--output-file``).

Public API
==========

``FORMATS``
    The format names, in the order ``--output-format`` lists them:
    ``("text", "json", "github", "sarif", "junit")``.

``render(fmt: str, results: Iterable[FileResult], **opts) -> str``
    Render every finding of ``results`` in format ``fmt``. Raises ``ValueError`` for an
    unknown format. The result is ``""`` or ends with a newline (except ``json``, ``sarif``
    and ``junit``, which always produce a complete document, even when there is nothing to
    report). Findings are reported in ``Finding.sort_key`` order whatever the order of
    ``results``. ``FileResult.error`` is ignored (the CLI reports errors on stderr), except by
    ``junit``, which reports it as an ``<error>`` of that file's testcase.

Options (every renderer accepts them all and ignores the ones it does not use):

``color: bool = False`` (text)
    ANSI colour: bold path, bold red code, cyan ``[*]``. The CLI decides: on when stdout is a
    terminal and ``NO_COLOR`` is unset (and never for ``--output-file``).
``show_source: bool = False`` (text)
    Print the offending source line under each finding with a caret under the column.
``sources: Mapping[str, str] = None`` (text)
    Source text by ``Finding.path`` for ``show_source`` (e.g. for stdin); paths not in it are
    read from disk (decoded like Python does).
``summary: bool = False`` (text)
    Append ruff's closing lines: ``Found N findings.`` (with ``(M more below
    --min-confidence)`` when findings were hidden) and ``[*] K fixable with the --fix option.``.
``show_confidence: bool = True`` (text)
    Append the finding's tier, `` [low]``/`` [medium]``/`` [high]``, before the `` [*]`` mark.
``show_reasons: bool = False`` (text)
    Print ``because: ...`` (and ``heuristics: ...``) under each finding (``--show-reasons``).
``fix_level: FixLevel = None`` (text, json)
    The ``--fix-level`` whose fixes count as fixable (``[*]`` and the JSON ``fixable``
    field); default ``high``. ``unsafe_fixes=True`` is the older spelling of ``all``.
``root: str = None`` (github, sarif, junit)
    Folder that absolute paths are made relative to (default: the current folder).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable

from ..types import FileResult
from . import github, json_format, junit, sarif, text

_RENDERERS: Dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_format.render,
    "github": github.render,
    "sarif": sarif.render,
    "junit": junit.render,
}

FORMATS = tuple(_RENDERERS)

__all__ = ["FORMATS", "render"]


def render(fmt: str, results: Iterable[FileResult], **opts: Any) -> str:
    """Render ``results`` in format ``fmt`` (one of ``FORMATS``); see the module docstring."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r} (expected one of: {', '.join(FORMATS)})") from None
    return renderer(list(results), **opts)
