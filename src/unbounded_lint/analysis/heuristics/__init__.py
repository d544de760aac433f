"""The registry of precision heuristics, in the order their reasons are preferred.

Each heuristic is a named, documented predicate (see ``base.Heuristic``) that may lower a
finding's confidence; it never hides one. ``Settings.disabled_heuristics`` (the
``disable-heuristics`` key, ``--disable-heuristics``) switches any of them off by name.
"""

from __future__ import annotations

from typing import Dict, Tuple, Union

from .base import (CacheContext, FileContext, FrontOpContext, Heuristic, SiteContext, Verdict,
                   judge, merge)
from .caches import IMMUTABLE_VALUE_TYPE
from .front_ops import CREATION_NOT_VISIBLE, ONE_OFF_FRONT_OP
from .index import INDEX_TRANSIENT_OWNER
from .keys import FIXED_KEY, REGISTRY_NAME, WARN_ONCE
from .locals import COUNTED_LOOP, LOOP_CAN_END, LOOP_RESULT
from .owners import RETURNED_COLLECTION, SHORT_LIVED_OWNER, TEST_FILE, is_test_file
from .setup import (CONFIGURED_BY_OWNER, IMPORT_TIME_CALL, IMPORT_TIME_INSTANCES,
                    REGISTRATION_DECORATOR, REGISTRATION_WRAPPER, SETUP_METHOD)

# The growth of a container that outlives its call (UBL001, UBL002, UBL003, UBL007, and the
# owner of a front operation for UBL004).
CONTAINER_HEURISTICS: Tuple[Heuristic[SiteContext], ...] = (
    LOOP_RESULT, COUNTED_LOOP, REGISTRY_NAME, WARN_ONCE, FIXED_KEY, SETUP_METHOD,
    CONFIGURED_BY_OWNER, REGISTRATION_DECORATOR, REGISTRATION_WRAPPER, IMPORT_TIME_CALL,
    IMPORT_TIME_INSTANCES, SHORT_LIVED_OWNER, RETURNED_COLLECTION, LOOP_CAN_END,
    INDEX_TRANSIENT_OWNER,
)
# The owner heuristics that still apply to a front operation on an attribute or global outside
# any loop: those that say the operation runs once (a set-up method, import time) or that the
# owner does not live long. How the list grows (returned, filled at set-up, keyed by names) says
# nothing about a front operation, which is O(n) each time it runs (contract v3: `pop(0)` FIFOs
# are never hidden by a heuristic); inside a loop none applies, since the operation repeats.
FRONT_OP_OWNER_HEURISTICS: Tuple[Heuristic[SiteContext], ...] = (
    SETUP_METHOD, REGISTRATION_DECORATOR, IMPORT_TIME_CALL, IMPORT_TIME_INSTANCES,
    SHORT_LIVED_OWNER, INDEX_TRANSIENT_OWNER,
)
FRONT_OP_HEURISTICS: Tuple[Heuristic[FrontOpContext], ...] = (ONE_OFF_FRONT_OP, CREATION_NOT_VISIBLE)
CACHE_HEURISTICS: Tuple[Heuristic[CacheContext], ...] = (IMMUTABLE_VALUE_TYPE,)
FILE_HEURISTICS: Tuple[Heuristic[FileContext], ...] = (TEST_FILE,)

AnyHeuristic = Union[Heuristic[SiteContext], Heuristic[FrontOpContext], Heuristic[CacheContext],
                     Heuristic[FileContext]]
_ALL: Tuple[AnyHeuristic, ...] = (*CONTAINER_HEURISTICS, *FRONT_OP_HEURISTICS, *CACHE_HEURISTICS,
                                  *FILE_HEURISTICS)
HEURISTICS: Dict[str, AnyHeuristic] = {h.name: h for h in _ALL}

__all__ = ["CACHE_HEURISTICS", "CONTAINER_HEURISTICS", "FILE_HEURISTICS", "FRONT_OP_HEURISTICS",
           "FRONT_OP_OWNER_HEURISTICS",
           "HEURISTICS", "CacheContext", "FileContext", "FrontOpContext", "Heuristic",
           "SiteContext", "Verdict", "is_test_file", "judge", "merge"]
