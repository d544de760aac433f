"""flake8 adapter: a thin shim over the engine, reusing the ``ast`` tree flake8 already parsed.

flake8 applies ``--select``/``--ignore``/``# noqa`` itself; this plugin reports every code and
registers UBL007/UBL008 as ignored by default (like flake8-bugbear's opinionated B9xx codes),
so ``flake8 --extend-select UBL007`` turns them on. Options: ``--max-length`` and
``--min-confidence``, also read from flake8's config (``max-length = 500``). flake8 itself is
never imported here, so the core package does not depend on it.
"""

from __future__ import annotations

import ast
from typing import Any, Iterator, Sequence, Tuple, Type

from . import __version__
from .types import ALL_CODES, Confidence, Settings


class UnboundedLintChecker:
    """flake8 fills the constructor by parameter name; ``tree`` makes it an AST plugin."""

    name = "unbounded-lint"
    version = __version__
    max_length = 1000
    min_confidence = Confidence.MEDIUM

    def __init__(self, tree: ast.AST, filename: str = "stdin", lines: Sequence[str] = ()) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser: Any) -> None:
        parser.add_option("--max-length", type=int, default=1000, parse_from_config=True,
                          help="unbounded-lint: the bound its fixes use (default: %(default)s)")
        parser.add_option("--min-confidence", default="medium", parse_from_config=True,
                          choices=["low", "medium", "high"],
                          help="unbounded-lint: hide findings below this confidence (default: %(default)s)")
        parser.extend_default_ignore(["UBL007", "UBL008"])

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.max_length = int(getattr(options, "max_length", 1000) or 1000)
        cls.min_confidence = Confidence.parse(str(getattr(options, "min_confidence", "medium") or "medium"))

    def run(self) -> Iterator[Tuple[int, int, str, Type["UnboundedLintChecker"]]]:
        from .engine import lint_tree

        if not isinstance(self.tree, ast.Module):
            return
        text = "".join(self.lines)
        settings = Settings(select=ALL_CODES, max_length=self.max_length, min_confidence=self.min_confidence)
        try:
            findings = lint_tree(self.tree, text, self.filename, settings)
        except RecursionError:
            return
        for f in findings:
            yield f.line, f.column - 1, f"{f.code} {f.message}", type(self)
