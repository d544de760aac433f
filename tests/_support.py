"""Sources and helpers shared by several test modules."""

from __future__ import annotations

import os
from typing import Dict

# UBL001 (10:5), UBL002 (11:5) by default; UBL007 (6:5) and UBL008 (19:2, the decorator
# expression after '@') only when selected.
MIXED_SRC = """\
import queue
from functools import cache

H = []
D = {}
Q = queue.Queue()


def f(x):
    H.append(x)
    D[x] = 1
    Q.put(x)


def g():
    return Q.get()


@cache
def h(x):
    return x
"""


def clean_env(**extra: str) -> Dict[str, str]:
    """The environment for a CLI subprocess: no UNBOUNDED_LINT_* settings, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNBOUNDED_LINT")}
    env["NO_COLOR"] = "1"
    env["PYTHONSAFEPATH"] = "1"  # python -m must not import the generated files (copy.py ...)
    env.update(extra)
    return env
