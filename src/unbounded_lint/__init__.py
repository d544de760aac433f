"""unbounded-lint: find and fix unbounded containers in long-running Python programs.

Public API::

    from unbounded_lint import lint_source, fix_source, Finding, Settings

    result = lint_source(b"...source...", "bot.py")       # -> FileResult (never raises)
    for finding in result.findings: ...
    outcome = fix_source(b"...source...", "bot.py")       # -> FixOutcome(source, fixed, held, ...)
    outcome = fix_source(b"...", "bot.py", level=FixLevel.ALL)  # unsafe fixes too
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from .types import Applicability, Confidence, FileResult, Finding, Fix, FixLevel, Settings

if TYPE_CHECKING:  # pragma: no cover
    from .fixer import FixOutcome


def lint_source(source: bytes, path: str = "<string>", settings: "Settings | None" = None) -> FileResult:
    """Lint one file's bytes; see ``engine.lint_source``."""
    from .engine import lint_source as _lint

    return _lint(source, path, settings)


def fix_source(source: bytes, path: str = "<string>", settings: "Settings | None" = None,
               unsafe: bool = False, level: "FixLevel | None" = None) -> "FixOutcome":
    """Fix one file's bytes; see ``fix.apply.fix_source``. ``level`` is the ``--fix-level``
    (default ``high``); ``unsafe=True`` is ``FixLevel.ALL``."""
    from .fix.apply import FixOptions, fix_source as _fix
    from .fix.style import line_length_for

    options = FixOptions(level, line_length_for(path)) if level is not None else None
    return _fix(source, path, settings, unsafe, options=options)


__all__ = ["Applicability", "Confidence", "FileResult", "Finding", "Fix", "FixLevel", "Settings",
           "lint_source", "fix_source", "__version__"]
