"""Property tests: generated programs never break the engine or the fixer.

* ``hypothesmith`` programs (from the grammar, and from libcst nodes): ``lint_source`` never
  raises and returns findings or a one-line error; ``fix_source`` never raises, its output
  parses, and fixing again changes nothing.
* A structured strategy writes leaky classes with random names, indentation, newlines and
  uses of each container (append in a method, ``pop(0)``, slicing, ``json.dumps``, a len
  check, a reset in another method, ...): the fixer never writes unparsable code, never
  changes a file for which it reports no fix, and leaves no fixable finding behind.

Examples per test: 30 by default (CI-friendly); set ``UBL_HYPOTHESIS_EXAMPLES`` for more.
"""

from __future__ import annotations

import ast
import io
import keyword
import os
import tokenize
from typing import List, Optional, Tuple

import hypothesmith
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from unbounded_lint.engine import lint_source
from unbounded_lint.fixer import fix_source
from unbounded_lint.types import ALL_CODES, Settings

# generated programs, hundreds of examples
pytestmark = [pytest.mark.slow]

EXAMPLES = int(os.environ.get("UBL_HYPOTHESIS_EXAMPLES", "30"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                          HealthCheck.data_too_large])
EVERY_RULE = Settings(select=ALL_CODES)

LEAKY_TAIL = """

class GeneratedLeak:
    def __init__(self):
        self.fills = []
        self.index = {}

    def on_fill(self, fill):
        self.fills.append(fill)
        self.index[fill] = len(self.fills)
        return self.fills[-3:]
"""


def to_bytes(source: str) -> bytes:
    return source.encode("utf-8", "surrogatepass")


def parses(data: bytes) -> bool:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
        ast.parse(text.lstrip("\ufeff"))
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError):
        return False
    return True


def check_lint(data: bytes) -> None:
    for config in (Settings(), EVERY_RULE):
        result = lint_source(data, "gen.py", config)
        if result.error is not None:
            assert isinstance(result.error, str) and result.error.strip()
            assert "\n" not in result.error, result.error
            assert result.findings == ()
            assert "Traceback" not in result.error
            assert not result.error.startswith("internal error"), result.error
        else:
            assert isinstance(result.findings, tuple)
            for finding in result.findings:
                assert finding.code in ALL_CODES and finding.line >= 1 and finding.column >= 1


def check_fix(data: bytes, config: Optional[Settings] = None) -> None:
    outcome = fix_source(data, "gen.py", config or Settings(), unsafe=True)
    if outcome.fixed == 0:
        assert outcome.source == data, "the fixer changed a file for which it reports no fix"
    if not parses(data):
        assert outcome.source == data
        return
    assert parses(outcome.source), outcome.source.decode("utf-8", "replace")
    again = fix_source(outcome.source, "gen.py", config, unsafe=True)
    assert again.fixed == 0 and again.source == outcome.source, "a second --fix changed something"


# --------------------------------------------------------------------------- hypothesmith

@PROFILE
@given(hypothesmith.from_grammar())
def test_grammar_programs_lint(source: str) -> None:
    check_lint(to_bytes(source))


@PROFILE
@given(hypothesmith.from_grammar())
def test_grammar_programs_fix(source: str) -> None:
    data = to_bytes(source)
    check_fix(data)
    # with a leak appended the fixer has something to do next to the generated code
    if parses(data) and not source.rstrip().endswith("\\"):
        check_fix(data + LEAKY_TAIL.encode())


@PROFILE
@given(hypothesmith.from_node())
def test_node_programs_lint_and_fix(source: str) -> None:
    data = to_bytes(source)
    check_lint(data)
    check_fix(data)
    if parses(data):
        check_fix(data + LEAKY_TAIL.encode())


# --------------------------------------------------------------------------- structured leaks

RESERVED = {"self", "item", "items", "key", "value", "total", "json", "deque", "collections", "len",
            "list", "dict", "set", "print", "sorted", "sum", "x", "cls", "super", "object", "type",
            "id", "iter", "next", "range", "match", "case", "_", "dq", "field", "dataclass", "lock",
            "threading", "note"}
IDENT = st.from_regex(r"[a-z\u00e9\u00fc][a-z0-9_\u00e9]{0,7}", fullmatch=True).filter(
    lambda s: s.isidentifier() and not keyword.iskeyword(s) and s not in RESERVED and not s.startswith("do_"))

LIST_USES = ["append", "extend", "iadd", "insert0", "pop0", "del0", "slice", "json",
             "len_check", "reset", "iterate", "index", "sort", "sum", "in", "clear_finally", "pop"]
DICT_USES = ["setitem", "setdefault", "update", "get", "len_check", "reset", "iterate",
             "json", "pop_key", "in"]
SET_USES = ["add", "discard", "in", "len_check", "reset", "iterate"]
# uses that are one simple statement, so they can be wrapped in any context
SIMPLE = {"append": "{a}.append(item)", "extend": "{a}.extend([item, item])", "iadd": "{a} += [item]",
          "insert0": "{a}.insert(0, item)", "sort": "{a}.sort()", "setitem": "{a}[key] = value",
          "setdefault": "{a}.setdefault(key, value)", "update": "{a}.update({{key: value}})",
          "add": "{a}.add(item)", "discard": "{a}.discard(item)", "pop": "{a}.pop() if {a} else None",
          "pop_key": "{a}.pop(key, None)", "get": "{a}.get(key)", "in": "item in {a}"}
WRAPPERS = ["plain", "plain", "for", "with", "if_else", "try", "oneline_if", "semicolon", "comment",
            "multiline", "backslash", "lambda", "nested_def"]


def _is_expression(code: str) -> bool:
    try:
        ast.parse(code, mode="eval")
    except SyntaxError:
        return False
    return True


def wrap(stmt: str, how: str, b: str, i: str) -> List[str]:
    """``stmt`` (one simple statement) at body depth ``b``, inside the context ``how``."""
    if how == "for":
        return [f"{b}for item in items or ():", f"{b}{i}{stmt}"]
    if how == "with":
        return [f"{b}with lock:", f"{b}{i}{stmt}"]
    if how == "if_else":
        return [f"{b}if key is None:", f"{b}{i}pass", f"{b}elif item:", f"{b}{i}{stmt}", f"{b}else:",
                f"{b}{i}{stmt}"]
    if how == "try":
        return [f"{b}try:", f"{b}{i}{stmt}", f"{b}except (KeyError, ValueError):", f"{b}{i}raise"]
    if how == "oneline_if":
        return [f"{b}if item is not None: {stmt}"]
    if how == "semicolon":
        return [f"{b}note = 'caf\u00e9 \u20ac'; {stmt}"]
    if how == "comment":
        return [f"{b}{stmt}  # caf\u00e9: keep every one"]
    if how == "multiline" and stmt.endswith(")") and "(" in stmt:
        head, _, rest = stmt.partition("(")
        return [f"{b}{head}(", f"{b}{i}{rest[:-1]},", f"{b})"] if rest[:-1] else [f"{b}{stmt}"]
    if how == "backslash" and "." in stmt:
        head, _, rest = stmt.partition(".")
        return [f"{b}{head} \\", f"{b}{i}.{rest}"]
    if how == "lambda" and _is_expression(stmt):
        return [f"{b}callback = lambda item, key=key, value=value: {stmt}", f"{b}callback(item)"]
    if how == "nested_def":
        return [f"{b}def inner(item=item, key=key, value=value):", f"{b}{i}{stmt}", f"{b}inner()"]
    return [f"{b}{stmt}"]


def use_method(kind: str, attr: str, use: str, n: int, i: str, how: str, is_async: bool) -> List[str]:
    """One method (lines at class depth) that uses ``self.<attr>`` in the given way."""
    a = f"self.{attr}"
    head = f"{i}{'async ' if is_async else ''}def do_{use}_{n}(self, item=None, items=None, key=None, value=None):"
    b = i * 2
    if use in SIMPLE:
        return [head] + wrap(SIMPLE[use].format(a=a), how, b, i)
    bodies = {
        "pop0": [f"{b}if {a}:", f"{b}{i}return {a}.pop(0)", f"{b}return None"],
        "del0": [f"{b}if {a}:", f"{b}{i}del {a}[0]"],
        "slice": [f"{b}return {a}[-5:]"],
        "json": [f"{b}return json.dumps({'list' if kind == 'set' else ''}({a}))"],
        "len_check": [f"{b}if len({a}) > 100:", f"{b}{i}return True", f"{b}return False"],
        "reset": [f"{b}{a} = {'[]' if kind == 'list' else '{}' if kind == 'dict' else 'set()'}"],
        "iterate": [f"{b}total = 0", f"{b}for x in {a}:", f"{b}{i}total += 1", f"{b}return total"],
        "index": [f"{b}return {a}[0] if {a} else None"],
        "sum": [f"{b}return sum({a}) + len({a})"],
        "clear_finally": [f"{b}try:", f"{b}{i}return list({a})", f"{b}finally:", f"{b}{i}{a}.clear()"],
    }
    return [head] + bodies[use]


CREATIONS = {"list": ["[]", "list()", "[0, 1]"], "dict": ["{}", "dict()", "{'a': 1}"], "set": ["set()"]}
USES = {"list": LIST_USES, "dict": DICT_USES, "set": SET_USES}


@st.composite
def leaky_modules(draw) -> str:  # type: ignore[no-untyped-def]
    indent = draw(st.sampled_from(["    ", "  ", "\t"]))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    lines: List[str] = []
    if draw(st.booleans()):
        lines.append('"""A generated module."""')
    if draw(st.booleans()):
        lines.append("from __future__ import annotations")
    lines.append("import json")
    lines.append("import threading")
    header = draw(st.sampled_from(["", "from collections import deque", "import collections",
                                   "from collections import deque as dq", "from collections import OrderedDict"]))
    if header:
        lines.append(header)
    lines += ["", "lock = threading.Lock()", ""]
    used_names = set()
    counter = 0
    for c in range(draw(st.integers(1, 3))):
        cname = "C" + draw(IDENT) + str(c)
        lines += ["", f"class {cname}:"]
        attrs: List[Tuple[str, str]] = []
        init: List[str] = []
        for _ in range(draw(st.integers(1, 3))):
            attr = draw(IDENT.filter(lambda s: s not in used_names))
            used_names.add(attr)
            kind = draw(st.sampled_from(["list", "list", "dict", "set"]))
            creation = draw(st.sampled_from(CREATIONS[kind]))
            if draw(st.integers(0, 4)) == 0:  # a class attribute
                lines.append(f"{indent}{attr} = {creation}")
            else:
                init.append(f"{indent * 2}self.{attr} = {creation}")
            attrs.append((attr, kind))
        if init:
            lines += [f"{indent}def __init__(self):"] + init
        for attr, kind in attrs:
            uses = draw(st.lists(st.sampled_from(USES[kind]), min_size=1, max_size=5))
            for use in uses:
                counter += 1
                how = draw(st.sampled_from(WRAPPERS))
                lines.append("")
                lines += use_method(kind, attr, use, counter, indent, how, draw(st.integers(0, 5)) == 0)
    if draw(st.booleans()):  # a module-level global grown in a function
        g = "G_" + draw(IDENT).upper()
        kind = draw(st.sampled_from(["list", "dict"]))
        lines += ["", f"{g} = {CREATIONS[kind][0]}", "", "", "def remember(key, value):"]
        lines.append(f"{indent}{g}.append(value)" if kind == "list" else f"{indent}{g}[key] = value")
    if draw(st.booleans()):  # a local grown in a long-running loop
        local = draw(IDENT)
        lines += ["", "", "def run(source):", f"{indent}{local} = []", f"{indent}while True:",
                  f"{indent * 2}{local}.append(source())"]
        if draw(st.booleans()):
            lines.append(f"{indent * 2}print({local}[-2:])")
    return newline.join(lines) + newline


@settings(max_examples=EXAMPLES * 2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(leaky_modules(), st.sampled_from([10, 1000]))
# a receiver continued over a backslash: the trim must not copy the raw "self \\\n .c" text
@example("class A:\n    def __init__(self):\n        self.c = {}\n\n"
         "    def put(self, key, value):\n        self \\\n            .c[key] = value\n", 10)
# insert(0, v) -> appendleft(v) on a receiver continued over a backslash in a CRLF file: only the
# method name and its first argument are rewritten, the receiver keeps its own newlines
@example("class A:\r\n    b = []\r\n\r\n    def put(self, item):\r\n        self \\\r\n"
         "            .b.insert(0, item)\r\n", 10)
# the same front rewrite where another fix in the file needs libcst (a one-line suite): the
# rename is placed on the call node, not spliced as text
@example("class Ca1:\n    a = []\n\n    def do_iadd(self, item=None):\n"
         "        if item is not None: self.a += [item]\n\n"
         "class Ca2:\n    h = []\n\n    def do_insert0(self, item=None):\n        self.h.insert(0, item)\n", 10)
def test_structured_leaks_fix_cleanly(source: str, max_length: int) -> None:
    data = source.encode()
    compile(source, "gen.py", "exec")  # the strategy itself must write valid code
    config = Settings(max_length=max_length)
    before = lint_source(data, "gen.py", config)
    assert before.error is None, before.error
    outcome = fix_source(data, "gen.py", config, unsafe=True)
    assert outcome.error is None, f"{outcome.error}\n{source}"
    if outcome.fixed == 0:
        assert outcome.source == data, "the fixer changed a file for which it reports no fix"
        assert not [f for f in before.findings if f.fixable], "fixable findings were not fixed"
        return
    fixed = outcome.source.decode()
    try:
        ast.parse(fixed)
    except SyntaxError as exc:  # pragma: no cover - the failure message
        pytest.fail(f"unparsable fix ({exc}):\n{fixed}")
    # the file's own newline and indentation are kept
    if "\r\n" in source:
        assert fixed.count("\n") == fixed.count("\r\n"), fixed
    if source.count("\t"):
        assert not [line for line in fixed.splitlines() if line.startswith(" ")], fixed
    # nothing that was fixable is still reported, and a second fix is a no-op
    after = lint_source(outcome.source, "gen.py", config)
    assert after.error is None, after.error
    was_fixable = {(f.code, f.container) for f in before.findings if f.fixable}
    still = [f for f in after.findings if (f.code, f.container) in was_fixable]
    assert not still, f"still reported after --fix: {[(f.line, f.code, f.message) for f in still]}\n{fixed}"
    assert not [f for f in after.findings if f.fixable], [(f.line, f.code, f.message) for f in after.findings]
    again = fix_source(outcome.source, "gen.py", config, unsafe=True)
    assert again.fixed == 0 and again.source == outcome.source
