"""The analysis is linear in the number of containers of a class: a class with tens of
thousands of growing attributes must not make it quadratic (issue 15)."""

from __future__ import annotations

import ast
import time
from typing import List

import pytest

from unbounded_lint.analysis.facts import analyse_module
from unbounded_lint.engine import split_lines


def _big_class(n: int) -> str:
    lines = ["class Big:", "    def __init__(self):"]
    lines += [f"        self.a{i} = []" for i in range(n)]
    lines += ["", "    def grow(self, x, k):"]
    for i in range(n):
        lines.append(f"        self.a{i}.append(x)")
        lines.append(f"        q{i} = self.a{i}")
    return "\n".join(lines) + "\n"


def _analyse(n: int) -> float:
    """Seconds to analyse the class and judge every growth site (best of two)."""
    text = _big_class(n)
    tree = ast.parse(text)
    lines = split_lines(text)
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        facts = analyse_module(tree, lines)
        for c in facts.containers.values():
            facts.bound_reason(c)
            for ev in facts.growths(c):
                facts.verdict(c, ev)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.slow
def test_analysis_is_linear_in_attributes_per_class() -> None:
    small, large = 2_000, 8_000
    times: List[float] = [_analyse(small), _analyse(large)]
    # four times the attributes: about four times the work; quadratic would be sixteen
    assert times[1] < 8 * times[0] + 0.05, f"{small} attrs: {times[0]:.3f}s, {large} attrs: {times[1]:.3f}s"


def test_every_attribute_is_its_own_container() -> None:
    text = _big_class(300)
    facts = analyse_module(ast.parse(text), split_lines(text))
    assert sum(1 for c in facts.containers.values() if c.is_attr) == 300
