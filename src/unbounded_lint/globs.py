"""Glob patterns for ``exclude``, ``extend-exclude`` and ``per-file-ignores``.

The pattern language is described in ``config``'s docstring. A pattern compiles once to a
matcher: a regular expression when it has at most ``MAX_REGEX_STARS`` wildcards, else an
automaton that tracks every pattern position at once, because a backtracking regex takes
exponential time on patterns such as ``*a*a*a*a*a*b`` (a hostile configuration must not hang
the walk). Both accept exactly the same paths (a test compares them on random patterns).
"""

from __future__ import annotations

import functools
import os
import re
from typing import List, Optional, Protocol, Sequence, Tuple

__all__ = ["MAX_REGEX_STARS", "Matcher", "glob_match", "compile_glob"]

# A glob compiles to tokens: (kind, text). Kinds: "lit" (one literal character), "any" ("?"),
# "class" ("[...]", text is the regex class), "star" ("*"), "gstar" ("**") and "gslash" ("**/",
# zero or more folders).
Token = Tuple[str, str]
# Up to this many star tokens the backtracking regex stays fast on any path; beyond, a pattern
# such as "*a*a*a*a*a*b" takes exponential time in ``re``, and an automaton matches instead.
MAX_REGEX_STARS = 2


def _glob_tokens(pattern: str) -> List[Token]:
    i, n, out = 0, len(pattern), []
    while i < n:
        char = pattern[i]
        if char == "*":
            run = i
            while i < n and pattern[i] == "*":
                i += 1
            if i - run == 1:
                out.append(("star", ""))
            elif i < n and pattern[i] == "/":  # '**/' : zero or more folders
                i += 1
                out.append(("gslash", ""))
            else:
                out.append(("gstar", ""))
            continue
        if char == "?":
            out.append(("any", ""))
        elif char == "[":
            end = pattern.find("]", i + 2 if pattern.startswith("[!", i) or pattern.startswith("[]", i) else i + 1)
            if end == -1:
                out.append(("lit", char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(("class", "[" + body.replace("\\", "\\\\") + "]"))
                i = end
        else:
            out.append(("lit", char))
        i += 1
    return out


class Matcher(Protocol):
    """A compiled glob: ``re.Pattern`` or ``_GlobAutomaton``; truthy ``match`` on a match."""

    def match(self, text: str) -> object: ...


_REGEX_OF = {"any": "[^/]", "star": "[^/]*", "gstar": ".*", "gslash": "(?:.*/)?"}


@functools.lru_cache(maxsize=512)
def compile_glob(pattern: str) -> "Matcher":
    """A matcher with ``.match(text)`` for ``pattern``; raises ``re.error`` for a bad class."""
    tokens = _glob_tokens(pattern)
    parts = [re.escape(text) if kind == "lit" else text if kind == "class" else _REGEX_OF[kind]
             for kind, text in tokens]
    regex = re.compile("".join(parts) + r"\Z", re.DOTALL)  # also validates every class
    if sum(kind in ("star", "gstar", "gslash") for kind, _ in tokens) <= MAX_REGEX_STARS:
        return regex
    return _GlobAutomaton(tokens)


class _GlobAutomaton:
    """Matches glob tokens by tracking every pattern position at once (Thompson's method):
    time grows with len(pattern) * len(text), whatever the pattern."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = list(tokens)
        self.classes = {i: re.compile(text) for i, (kind, text) in enumerate(tokens) if kind == "class"}

    def _closure(self, states: set) -> set:
        # Stars and '**/' may match nothing; an entered '**/' (state ~i) may not.
        todo = list(states)
        while todo:
            state = todo.pop()
            if state >= 0 and state < len(self.tokens) and self.tokens[state][0] in ("star", "gstar", "gslash"):
                if state + 1 not in states:
                    states.add(state + 1)
                    todo.append(state + 1)
        return states

    def _step(self, state: int, char: str) -> List[int]:
        index = ~state if state < 0 else state
        if index >= len(self.tokens):
            return []
        kind, text = self.tokens[index]
        if kind == "lit":
            return [index + 1] if char == text else []
        if kind == "any":
            return [index + 1] if char != "/" else []
        if kind == "class":
            return [index + 1] if self.classes[index].fullmatch(char) else []
        if kind == "star":
            return [index] if char != "/" else []
        if kind == "gstar":
            return [index]
        return [~index, index + 1] if char == "/" else [~index]  # gslash

    def match(self, text: str) -> bool:
        states = self._closure({0})
        for char in text:
            states = self._closure({nxt for state in states for nxt in self._step(state, char)})
            if not states:
                return False
        return len(self.tokens) in states


def glob_match(pattern: str, rel_path: str, abs_path: Optional[str] = None) -> bool:
    """Whether ``pattern`` matches the file ``rel_path`` (forward slashes) or a parent folder.

    See the module docstring for the pattern language. ``abs_path`` is used for absolute
    patterns.
    """
    pat = pattern.replace("\\", "/") if os.sep == "\\" else pattern
    while pat.startswith("./"):
        pat = pat[2:]
    if len(pat) > 1:
        pat = pat.rstrip("/")
    if pat.startswith("/") or re.match(r"^[A-Za-z]:/", pat):
        target = abs_path if abs_path is not None else rel_path
        return _match_prefixes(compile_glob(pat), target)
    regex = compile_glob(pat)
    if "/" not in pat:
        return any(regex.match(part) for part in rel_path.split("/") if part not in ("", "."))
    return _match_prefixes(regex, rel_path)


def _match_prefixes(regex: Matcher, path: str) -> bool:
    parts = path.split("/")
    for end in range(len(parts), 0, -1):
        prefix = "/".join(parts[:end])
        if prefix and regex.match(prefix):
            return True
    return False
