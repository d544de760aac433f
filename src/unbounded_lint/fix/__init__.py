"""Fixing: ``plan`` (typed edits per finding and their fix class), ``splice`` (placing edits
as text), ``cst`` (placing them with libcst where text cannot), ``imports`` (isort-ordered
imports), ``style`` (the project's line length) and ``apply`` (choosing, applying, verifying
and writing).

Nothing is imported here, so that the rules can import ``fix.plan`` without pulling in the
engine that ``apply`` needs.
"""
