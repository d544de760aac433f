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

# The Language Server's handlers, registered with pygls by decorator and called by the client.
did_open
did_change
did_save
did_close
code_action
hover
# pytest calls its hooks by name (the `pytest --ubl-watch` plugin).
pytest_addoption
pytest_configure
pytest_sessionfinish
pytest_terminal_summary
session
# The import system and the watched program call these: a loader's get_code, a module's
# __package__, wrappers' __wrapped__, and the probe's entry points named in generated code.
get_code
__package__
__wrapped__
from_site
watch_class
KINDS  # evidence.sites: the documented set of site kinds
Body  # fix.cst: a type alias used in annotations
write_atomically  # fixer.write_atomically: the public write helper kept for API users
signum  # a signal handler's required parameter
FATES  # index.facts: the documented set of an instance's fates
real_name  # index.view.ModuleView: the query for a re-exported name, used by tests and callers
