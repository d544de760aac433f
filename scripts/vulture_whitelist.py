"""Names vulture cannot see being used (run: ``vulture src/unbounded_lint scripts/vulture_whitelist.py``).

Each is used from outside the package's own code: by flake8 (the plugin class and its option
hooks), by libcst (visitor hooks called by name), by users of the public API (``Settings.enabled``,
the ``Edit`` alias, the rule examples and the heuristics' documentation read by the docs
generator and the tests), or by Python itself (a module ``__getattr__``).
"""
# ruff: noqa: B018, F821
from unbounded_lint.analysis.heuristics.base import Heuristic
from unbounded_lint.flake8_plugin import UnboundedLintChecker
from unbounded_lint.rules.base import Rule
from unbounded_lint.types import Settings

UnboundedLintChecker
UnboundedLintChecker.add_options
UnboundedLintChecker.parse_options
Heuristic.doc
Heuristic.fires
Rule.valid
Rule.invalid
Settings.enabled
Edit  # types.Edit: the documented union of edit types
__getattr__  # types.__getattr__: ALL_CODES and DEFAULT_SELECT, read from the rules
METADATA_DEPENDENCIES  # libcst reads it on a transformer class
leave_Module  # libcst visitor hooks
leave_IndentedBlock
leave_SimpleStatementSuite
