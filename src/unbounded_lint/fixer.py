"""The stable import path of the fixer's public API; the code lives in ``fix.apply``."""

from __future__ import annotations

from .fix.apply import (
                        FixOptions,
                        FixOutcome,
                        WriteError,
                        apply_edits,
                        changed_lines,
                        encode_like,
                        fix_source,
                        unified_diff,
                        write_atomically,
)

__all__ = ["FixOptions", "FixOutcome", "WriteError", "apply_edits", "changed_lines", "encode_like", "fix_source",
           "unified_diff", "write_atomically"]
