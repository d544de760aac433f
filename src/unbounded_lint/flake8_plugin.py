"""flake8 adapter: a thin shim over the engine, reusing the ``ast`` tree flake8 already parsed.

flake8 applies ``--select``/``--ignore``/``# noqa`` itself. The opt-in rules UBL007/UBL008 are
registered as ignored by default (like flake8-bugbear's opinionated B9xx codes) *and* reported
only when flake8's ``select``/``extend-select`` names them in full, so ``flake8 --select UBL``
gives the default rules, as plain ``unbounded-lint`` does, and ``flake8 --extend-select
UBL007`` turns one on. Options: ``--max-length`` and ``--min-confidence``, also read from
flake8's config (``max-length = 500``); an invalid value is a flake8-style usage error (exit 2).
The project knowledge keys (``short-lived-classes``...) come from the ``[tool.unbounded-lint]``
table of the ``pyproject.toml`` found from the folder flake8 runs in. flake8 itself is never
imported here, so the core package does not depend on it.

Project index: flake8 hands the plugin one file at a time, so the plugin never builds the
index; when the cache folder holds one (from the last ``unbounded-lint`` run over the project)
it uses that file's view of it, and analyses the file alone otherwise (see
docs/architecture.md, "The project index").
"""

from __future__ import annotations

import ast
import os
import sys
from typing import TYPE_CHECKING, Any, FrozenSet, Iterator, NoReturn, Optional, Sequence, Tuple, Type

from . import __version__
from .types import ALL_CODES, DEFAULT_SELECT, Confidence, Settings

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .index.view import ModuleView

OPT_IN = tuple(code for code in ALL_CODES if code not in DEFAULT_SELECT)


def _usage_error(message: str) -> NoReturn:
    """What flake8 prints for a bad option (``flake8: error: ...``), with its exit status 2."""
    print(f"flake8: error: {message}", file=sys.stderr)
    raise SystemExit(2)


class UnboundedLintChecker:
    """flake8 fills the constructor by parameter name; ``tree`` makes it an AST plugin."""

    name = "unbounded-lint"
    version = __version__
    max_length = 1000
    min_confidence = Confidence.MEDIUM
    opt_in: FrozenSet[str] = frozenset()
    config: Optional[Config] = None

    def __init__(self, tree: ast.AST, filename: str = "stdin", lines: Sequence[str] = ()) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser: Any) -> None:
        # Strings, validated in parse_options: flake8 converts config values with the option's
        # type before any check, and a bad int there would be a traceback, not a usage error.
        parser.add_option("--max-length", default="1000", parse_from_config=True,
                          help="unbounded-lint: the bound its fixes use (default: %(default)s)")
        parser.add_option("--min-confidence", default="medium", parse_from_config=True,
                          help="unbounded-lint: hide findings below this confidence: low, medium or high "
                               "(default: %(default)s)")
        parser.extend_default_ignore(list(OPT_IN))

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.max_length = _max_length(getattr(options, "max_length", "1000"))
        cls.min_confidence = _min_confidence(getattr(options, "min_confidence", "medium"))
        named = {str(s).strip().upper() for s in [*(getattr(options, "select", None) or ()),
                                                  *(getattr(options, "extend_select", None) or ())]}
        cls.opt_in = frozenset(code for code in OPT_IN if code in named)
        cls.config = _project_config()

    def settings(self) -> Settings:
        base = Settings(select=DEFAULT_SELECT + tuple(sorted(self.opt_in)), max_length=self.max_length,
                        min_confidence=self.min_confidence)
        if self.config is None:
            return base
        knowledge = self.config.settings_for(self.filename)
        return Settings(select=base.select, max_length=base.max_length, min_confidence=base.min_confidence,
                        short_lived_classes=knowledge.short_lived_classes,
                        long_lived_classes=knowledge.long_lived_classes,
                        bounded_containers=knowledge.bounded_containers,
                        fixed_key_words=knowledge.fixed_key_words,
                        teardown_methods=knowledge.teardown_methods)

    def _view(self) -> "Optional[ModuleView]":
        """The project index's view of this file when the cache holds an index (written by the
        last ``unbounded-lint`` run); None, and file-local analysis, otherwise."""
        if self.filename in ("stdin", "-"):
            return None
        try:
            from .index.stored import cache_roots_for, stored_view

            return stored_view(self.filename, cache_roots_for(self.filename))
        except Exception:  # noqa: BLE001 - the index is an aid; never fail flake8 over it
            return None

    def run(self) -> Iterator[Tuple[int, int, str, Type[UnboundedLintChecker]]]:
        from .engine import lint_tree

        if not isinstance(self.tree, ast.Module):
            return
        text = "".join(self.lines)
        try:
            findings = lint_tree(self.tree, text, self.filename, self.settings(), index=self._view())
        except RecursionError:
            return
        for f in findings:
            yield f.line, f.column - 1, f"{f.code} {f.message}", type(self)


def _max_length(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number < 1:
        _usage_error(f"argument --max-length (unbounded-lint): must be a positive integer, got {value!r}")
    return number


def _min_confidence(value: Any) -> Confidence:
    try:
        return Confidence.parse(str(value))
    except ValueError:
        _usage_error(f"argument --min-confidence (unbounded-lint): invalid choice: {value!r} "
                     "(choose from 'low', 'medium', 'high')")


def _project_config() -> Optional[Config]:
    """The ``[tool.unbounded-lint]`` table found from the current folder, for its knowledge keys."""
    from .config import ConfigError, find_pyproject, load_config

    try:
        pyproject = find_pyproject(os.getcwd())
        return load_config(pyproject) if pyproject is not None else None
    except ConfigError as exc:
        _usage_error(f"unbounded-lint: {exc}")
