"""Confidence that depends on where the code lives, not on its shape."""

from __future__ import annotations

import pytest

from unbounded_lint.engine import is_test_file, lint_source
from unbounded_lint.types import Confidence, Settings

LEAK = b"""\
class Bot:
    def __init__(self):
        self.history = []

    def on_message(self, msg):
        self.history.append(msg)
"""


@pytest.mark.parametrize("path", ["tests/test_bot.py", "bot_test.py", "src/pkg/conftest.py",
                                  "C:\\\\repo\\\\tests\\\\test_bot.py"])
def test_test_files_are_low_confidence(path: str) -> None:
    """A test process is short-lived: what its code accumulates is shown only at low."""
    assert is_test_file(path)
    assert lint_source(LEAK, path, Settings()).findings == ()
    low = lint_source(LEAK, path, Settings(min_confidence=Confidence.LOW)).findings
    assert [(f.code, f.confidence) for f in low] == [("UBL001", Confidence.LOW)]


@pytest.mark.parametrize("path", ["bot.py", "tests/bot.py", "contest.py", "latest.py",
                                  "testing.py", "attest_results.py"])
def test_other_files_keep_their_confidence(path: str) -> None:
    assert not is_test_file(path)
    findings = lint_source(LEAK, path, Settings()).findings
    assert [(f.code, f.confidence) for f in findings] == [("UBL001", Confidence.MEDIUM)]


SERVICE = b'''
class Bot:
    def __init__(self):
        self.running = True
        self.history = []
        self.seen = {}
        self.filters = {}

    def run(self, feed):
        while self.running:
            tick = feed.next()
            self.on_tick(tick)
            self.seen[tick.id] = tick

    def on_tick(self, tick):
        self._record(tick)

    def _record(self, tick):
        self.history.append(tick)

    def add_filter(self, key, check):
        self.filters[key] = check
'''


def test_high_is_what_the_service_loop_does() -> None:
    """``high`` (which plain ``--fix`` repairs with an unsafe fix) is for growth inside the
    owner's long-running loop or in a method the loop calls, directly or not; another method
    of the same class (a registration API user code calls) is the default level."""
    findings = lint_source(SERVICE, "bot.py", Settings()).findings
    levels = {f.container: f.confidence for f in findings}
    assert levels == {"Bot.history": Confidence.HIGH, "Bot.seen": Confidence.HIGH,
                      "Bot.filters": Confidence.MEDIUM}
