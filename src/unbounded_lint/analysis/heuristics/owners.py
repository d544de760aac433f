"""Heuristics on the owner of an attribute: short-lived objects and what they hand back."""

from __future__ import annotations

import re
from typing import Optional

from ...types import Confidence
from ..model import ClassInfo
from .base import FileContext, Heuristic, SiteContext

TRANSIENT_SUFFIXES = ("Visitor", "Transformer", "Builder", "Parser", "Compiler", "Collector",
                      "Generator", "Writer", "Formatter", "Printer", "Renderer", "Serializer",
                      "Encoder", "Decoder", "Lexer", "Tokenizer", "Analyzer", "Analyser",
                      "Checker", "Walker", "Emitter", "Translator", "Finder", "Resolver",
                      "Validator", "Inspector", "Extractor", "Scanner", "Linter", "Codegen",
                      # one request, one reply, one batch, one exchange: per-interaction objects
                      "Result", "Results", "Request", "Response", "Batch", "Assignment",
                      "Conversation", "Config", "Workflow", "Attempt")
# ``_LegacyRecordBatchBuilderPy``, ``ParserImpl``: the pure-Python or implementation variant of
# a class keeps the role its name ends in before the marker.
_VARIANT_MARKER = re.compile(r"(?:Py|Impl|Base)_*$")
TEST_DOUBLE_WORDS = ("Stub", "Mock", "Fake", "Dummy")
_TEST_WORD = re.compile(r"[a-z]Test(?:[A-Z]|$)")  # AgentTestWrapper, ClientTest
TRANSIENT_BASES = frozenset({
    "ast.NodeVisitor", "ast.NodeTransformer", "libcst.CSTVisitor", "libcst.CSTTransformer",
    "unittest.TestCase", "unittest.IsolatedAsyncioTestCase", "html.parser.HTMLParser",
    "argparse.Action", "argparse.ArgumentParser", "string.Formatter", "json.JSONEncoder",
    "json.JSONDecoder",
})


def is_transient_class(info: ClassInfo) -> bool:
    """Named or derived like an object that lives for one job: a visitor, a builder, a request,
    a test double or a test case."""
    name = info.name
    return _VARIANT_MARKER.sub("", name).endswith(TRANSIENT_SUFFIXES) \
        or name.startswith("Test") \
        or bool(_TEST_WORD.search(name)) \
        or any(word in name for word in TEST_DOUBLE_WORDS) \
        or any(qn in TRANSIENT_BASES or qn.endswith("TestCase") for qn in info.base_qualnames)


def _short_lived(ctx: SiteContext) -> Optional[str]:
    c = ctx.container
    if not c.is_attr:
        return None
    for info in ctx.facts.family_classes(c.family):
        if is_transient_class(info):
            return f"a short-lived owner: {info.name} looks like a visitor, builder, request or test"
    return None


def _hands_back(ctx: SiteContext) -> Optional[str]:
    c = ctx.container
    if not c.is_attr:
        return None
    if any(r.func is not None and not r.func.is_ctor for r in c.returned):
        return "the owner hands the collection back to its caller"
    return None


def is_test_file(path: str) -> bool:
    """``test_*.py``, ``*_test.py``, ``conftest.py``."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    return stem.startswith("test_") or stem.endswith("_test") or stem == "conftest"


def _test_file(ctx: FileContext) -> Optional[str]:
    return "in a test file: a test process is short-lived" if is_test_file(ctx.path) else None


SHORT_LIVED_OWNER = Heuristic[SiteContext](
    name="short-lived-owner",
    tier=Confidence.LOW,
    doc="The owner is a class named like an object that lives for one job (a visitor, builder, "
        "parser, serializer..., or one interaction: `...Result`, `...Request`, `...Response`, "
        "`...Batch`, `...Config`, `...Workflow`, `...Attempt`; a trailing `Py`, `Impl` or "
        "`Base` is ignored), a test double or harness (`Stub`, `Mock`, `Fake`, "
        "`AgentTestWrapper`), or a subclass of `ast.NodeVisitor`, `unittest.TestCase` and "
        "similar.",
    predicate=_short_lived,
    fires=("class TreeVisitor:\n    def __init__(self):\n        self.names = []\n\n"
           "    def visit(self, n):\n        self.names.append(n)\n",),
    quiet=("class Bot:\n    def __init__(self):\n        self.names = []\n\n"
           "    def visit(self, n):\n        self.names.append(n)\n",),
)

RETURNED_COLLECTION = Heuristic[SiteContext](
    name="returned-collection",
    tier=Confidence.LOW,
    doc="A method other than the constructor returns the attribute itself: the owner builds "
        "the collection for its caller, which decides how long it lives.",
    predicate=_hands_back,
    fires=("class Store:\n    def __init__(self):\n        self.tokens = []\n\n"
           "    def add(self, t):\n        self.tokens.append(t)\n\n"
           "    def result(self):\n        return self.tokens\n",),
    quiet=("class Feed:\n    def __init__(self):\n        self.tokens = []\n\n"
           "    def add(self, t):\n        self.tokens.append(t)\n",),
)

TEST_FILE = Heuristic[FileContext](
    name="test-file",
    tier=Confidence.LOW,
    doc="Every finding in a test file (`test_*.py`, `*_test.py`, `conftest.py`) is `low`: a "
        "test process is short-lived.",
    predicate=_test_file,
)
