"""Splitting identifiers into lower-case words, which several heuristics and roles match on."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Tuple

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


# A module-level function of a string: the cache holds no instance, and identifiers repeat
# across the files of a run, so 8192 entries cover a project's vocabulary.
@lru_cache(maxsize=8192)
def name_words(name: str) -> Tuple[str, ...]:
    """``_eventHandlers`` -> ("event", "handlers")."""
    return tuple(w.lower() for w in _WORD.findall(name))


def has_word(name: str, vocabulary: "frozenset[str]") -> bool:
    """Whether a word of ``name``, singular or plural (``-s``, ``-ies``), is in ``vocabulary``."""
    for word in name_words(name):
        if word in vocabulary or (word.endswith("s") and word[:-1] in vocabulary) \
                or (word.endswith("ies") and word[:-3] + "y" in vocabulary):
            return True
    return False
