"""Making paths and messages safe to print into a terminal or a CI log.

A file name is attacker-controlled in any repository a CI job checks out: a name holding a
newline and ``::error ...`` would start a GitHub Actions workflow command of its own, an ESC
would drive the terminal, a right-to-left override would reorder what a reviewer reads. And
a name that is not valid UTF-8 reaches Python as lone surrogates ("surrogateescape"), which
crash any UTF-8 writer.

``escape_for_log`` writes every such character as a visible escape (``\\n``, ``\\x1b``,
``\\u202e``); an undecodable byte becomes ``\\xNN``. Printable text, including non-ASCII
letters, is left alone.
"""

from __future__ import annotations

import re

__all__ = ["escape_for_log", "escape_surrogates"]

# C0 and C1 controls, DEL, the Unicode line/paragraph separators, the bidirectional
# overrides and isolates, and lone surrogates (undecodable bytes of a file name).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_for_log(text: str) -> str:
    """``text`` with control, bidi and undecodable characters written as escapes."""
    return _UNSAFE.sub(_escape, text)


def escape_surrogates(text: str) -> str:
    """Only undecodable bytes escaped: for JSON, whose own escaping covers control characters."""
    return _SURROGATE.sub(_escape, text)
