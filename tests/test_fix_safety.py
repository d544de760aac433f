"""Fix safety (issue 14): two fix classes, and ``--fix`` applies bounding fixes only where the
analysis is sure (``fix-level``).

Every example below is a case seen on real code (django, twisted, tornado) where a bounding
fix would drop data the program still needs when the finding is wrong. At the default level
(``high``) the fix is held back unless the finding is ``high``; ``--fix-level all`` applies it.
"""

from __future__ import annotations

import ast
import textwrap
from typing import List, Tuple

import pytest

from unbounded_lint.engine import SourceError, lint_source
from unbounded_lint.fix.apply import FixOptions, apply_edits, fix_source, verify_module
from unbounded_lint.types import Applicability, Confidence, FixLevel, RenameCall, Settings

DEFAULT = FixOptions()
ALL = FixOptions(FixLevel.ALL)


def _src(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode("utf-8")


def _fixable(source: bytes, code: str) -> List[Tuple[Confidence, Applicability]]:
    findings = lint_source(source, "mod.py", Settings()).findings
    return [(f.confidence, f.fix.applicability) for f in findings if f.code == code and f.fix is not None]


# ----------------------------------------------------------------- the examples of the issue

MTIME_DICT = _src('''
    import os


    class StatReloader:
        def __init__(self, files):
            self.files = files
            self.mtimes = {}

        def snapshot(self):
            for path in self.files:
                mtime = os.stat(path).st_mtime
                if self.mtimes.get(path) != mtime:
                    self.mtimes[path] = mtime
                    yield path
''')

BYTE_PARTS = _src('''
    class LineReceiver:
        def __init__(self):
            self.parts = []

        def data_received(self, data):
            self.parts.append(data)

        def message(self):
            return b"".join(self.parts)
''')

PENDING_DEFERREDS = _src('''
    class Deferred:
        def callback(self, value):
            pass


    class Lock:
        def __init__(self):
            self._waiting = []

        def acquire(self):
            d = Deferred()
            self._waiting.append(d)
            return d

        def release(self):
            for d in self._waiting:
                d.callback(self)
''')

USER_TABLE = _src('''
    class UserStore:
        def __init__(self):
            self.users = {}

        def add(self, user_id, user):
            self.users[user_id] = user

        def get(self, user_id):
            return self.users[user_id]
''')

SERVER_SOCKETS = _src('''
    import socket


    class Server:
        def __init__(self):
            self.sockets = []

        def listen(self, port):
            sock = socket.socket()
            sock.bind(("127.0.0.1", port))
            self.sockets.append(sock)

        def stop(self):
            for sock in self.sockets:
                sock.close()
''')

CASES = [
    pytest.param(MTIME_DICT, "UBL002", id="mtime-dict-eviction"),
    pytest.param(BYTE_PARTS, "UBL001", id="byte-parts-trim"),
    pytest.param(PENDING_DEFERREDS, "UBL001", id="pending-deferreds-maxlen"),
    pytest.param(USER_TABLE, "UBL002", id="user-table-eviction"),
    pytest.param(SERVER_SOCKETS, "UBL001", id="server-sockets-trim"),
]


@pytest.mark.parametrize("source,code", CASES)
def test_data_dropping_fix_is_unsafe_and_held_back(source: bytes, code: str) -> None:
    fixable = _fixable(source, code)
    assert fixable, "the example must have a fix to hold back"
    assert all(applicability is Applicability.UNSAFE for _, applicability in fixable)
    assert all(confidence is not Confidence.HIGH for confidence, _ in fixable)
    outcome = fix_source(source, "mod.py", options=DEFAULT)
    assert outcome.source == source and outcome.fixed == 0
    assert [reason for f, reason in outcome.held if f.code == code], outcome.held
    assert all("unsafe fix on a" in reason for _, reason in outcome.held)


@pytest.mark.parametrize("source,code", CASES)
def test_data_dropping_fix_applies_with_unsafe_fixes(source: bytes, code: str) -> None:
    outcome = fix_source(source, "mod.py", unsafe=True)
    assert outcome.error is None and outcome.source != source
    assert any(f.code == code for f in outcome.applied)
    ast.parse(outcome.source)


PUBLIC_POP_FRONT = _src('''
    class Window:
        def __init__(self, size):
            self.size = size
            self.prices = []

        def push(self, price):
            self.prices.append(price)
            if len(self.prices) > self.size:
                self.prices.pop(0)
''')


def test_public_list_to_deque_is_unsafe() -> None:
    """Other modules may use ``window.prices`` as a list (slicing, ``+``): the type change is
    unsafe even though nothing is dropped."""
    assert _fixable(PUBLIC_POP_FRONT, "UBL004") == [(Confidence.MEDIUM, Applicability.UNSAFE)]
    assert fix_source(PUBLIC_POP_FRONT, "mod.py", options=DEFAULT).source == PUBLIC_POP_FRONT
    fixed = fix_source(PUBLIC_POP_FRONT, "mod.py", options=ALL).source.decode()
    assert "self.prices = deque()" in fixed and "self.prices.popleft()" in fixed


def test_private_pop_front_is_safe_and_applied_by_default() -> None:
    source = PUBLIC_POP_FRONT.replace(b"self.prices", b"self._prices")
    assert _fixable(source, "UBL004") == [(Confidence.MEDIUM, Applicability.SAFE)]
    outcome = fix_source(source, "mod.py", options=DEFAULT)
    fixed = outcome.source.decode()
    assert outcome.fixed == 1 and "self._prices = deque()" in fixed and "self._prices.popleft()" in fixed
    assert "maxlen" not in fixed  # nothing is dropped: the list was bounded by its own check


def test_public_growing_list_keeps_its_type() -> None:
    """A public list is trimmed, never turned into a deque, whatever the fix level."""
    source = _src('''
        class Bot:
            def __init__(self):
                self.history = []

            def on_tick(self, price):
                self.history.append(price)
    ''')
    fixed = fix_source(source, "mod.py", options=ALL).source.decode()
    assert "deque" not in fixed
    assert "del self.history[:-1000]" in fixed


def test_user_annotation_is_never_rewritten() -> None:
    source = _src('''
        from typing import List


        class Meter:
            def __init__(self):
                self._readings: List[float] = []

            def add(self, value: float) -> None:
                self._readings.append(value)
    ''')
    fixed = fix_source(source, "mod.py", options=ALL).source.decode()
    assert "self._readings: List[float] = []" in fixed
    assert "deque" not in fixed and "del self._readings[:-1000]" in fixed


def test_unclosed_figure_fix_is_safe() -> None:
    source = _src('''
        import matplotlib.pyplot as plt


        def render(data, path):
            fig = plt.figure()
            plt.plot(data)
            fig.savefig(path)
    ''')
    assert _fixable(source, "UBL005") == [(Confidence.HIGH, Applicability.SAFE)]
    outcome = fix_source(source, "mod.py", options=FixOptions(FixLevel.SAFE))
    assert outcome.fixed == 1 and outcome.source.decode().endswith("    plt.close(fig)\n")


# ----------------------------------------------------------------- the levels

HIGH_GLOBAL = _src('''
    EVENTS = []


    def pump(feed):
        while True:
            EVENTS.append(feed.read())
''')


def test_high_finding_gets_its_bounding_fix_by_default() -> None:
    assert _fixable(HIGH_GLOBAL, "UBL001") == [(Confidence.HIGH, Applicability.UNSAFE)]
    outcome = fix_source(HIGH_GLOBAL, "mod.py", options=DEFAULT)
    assert outcome.fixed == 1 and b"del EVENTS[:-1000]" in outcome.source


def test_fix_level_safe_holds_back_even_high_findings() -> None:
    outcome = fix_source(HIGH_GLOBAL, "mod.py", options=FixOptions(FixLevel.SAFE))
    assert outcome.source == HIGH_GLOBAL
    assert [reason for _, reason in outcome.held] == ["unsafe fix (fix-level safe)"]


def test_fix_level_evidence_applies_fixes_the_evidence_confirmed() -> None:
    finding = next(f for f in lint_source(USER_TABLE, "mod.py").findings if f.code == "UBL002")
    assert finding.held_back(FixLevel.EVIDENCE) == "unsafe fix on a medium finding"
    # The runtime evidence (another part of the tool) sets evidence_verdict on the finding.
    object.__setattr__(finding, "evidence_verdict", "grows")
    assert finding.held_back(FixLevel.EVIDENCE) is None
    assert finding.held_back(FixLevel.HIGH) == "unsafe fix on a medium finding"
    object.__setattr__(finding, "evidence_verdict", "plateau")
    assert finding.held_back(FixLevel.EVIDENCE) is not None


def test_fix_level_evidence_from_a_watch_report_end_to_end(tmp_path) -> None:
    """``--fix --fix-level evidence --evidence watch.json``: the bounding fix of a medium
    finding that watch saw grow is applied; one it saw plateau is held back (and lowered)."""
    import json
    import subprocess
    import sys

    (tmp_path / "mod.py").write_bytes(_src('''
        class Users:
            def __init__(self):
                self.table = {}
                self.sessions = {}

            def add(self, key, value):
                self.table[key] = value

            def login(self, sid, user):
                self.sessions[sid] = user
    '''))
    findings = {f.line: f for f in lint_source((tmp_path / "mod.py").read_bytes(), "mod.py").findings}
    assert {f.code for f in findings.values()} == {"UBL002"}
    assert {str(f.confidence) for f in findings.values()} == {"medium"}
    grows, plateau = sorted(findings)
    report = {"findings": [
        {"path": "mod.py", "line": grows, "code": "UBL002", "verdict": "grows", "summary": "confirmed"},
        {"path": "mod.py", "line": plateau, "code": "UBL002", "verdict": "plateau", "summary": "plateau"},
    ]}
    (tmp_path / "watch.json").write_text(json.dumps(report))
    base = [sys.executable, "-m", "unbounded_lint", "--isolated", "--no-cache", "--fix", "mod.py"]
    held = subprocess.run(base + ["--fix-level", "evidence"], cwd=tmp_path, capture_output=True, text=True)
    assert "if len(self.table)" not in (tmp_path / "mod.py").read_text(), held.stderr
    proc = subprocess.run(base + ["--fix-level", "evidence", "--evidence", "watch.json"], cwd=tmp_path,
                          capture_output=True, text=True)
    text = (tmp_path / "mod.py").read_text()
    assert "if len(self.table) > 1000:" in text, proc.stderr
    assert "if len(self.sessions)" not in text, proc.stderr


def test_line_length_holds_back_a_fix_that_would_be_too_long() -> None:
    source = _src('''
        class Registry:
            def __init__(self):
                self.entries_by_a_rather_long_descriptive_name = {}

            def add(self, key, value):
                self.entries_by_a_rather_long_descriptive_name[key] = value
    ''')
    outcome = fix_source(source, "mod.py", options=FixOptions(FixLevel.ALL, line_length=79))
    assert outcome.source == source
    assert [reason for _, reason in outcome.held] == ["the fixed line would be longer than 79 characters"]
    assert fix_source(source, "mod.py", options=FixOptions(FixLevel.ALL, line_length=140)).fixed == 1


# ----------------------------------------------------------------- issue 17.3: verified module

@pytest.mark.parametrize("first_line", ["import os; _events = []", '"""Events."""; _events = []'],
                         ids=["import-shared-line", "docstring-shared-line"])
def test_import_goes_above_a_shared_line(first_line: str) -> None:
    source = (first_line + "\n\n\ndef on_event(e):\n    _events.append(e)\n\n\n"
              "def drain():\n    while _events:\n        _events.pop(0)\n").encode()
    outcome = fix_source(source, "probe.py", options=ALL)
    assert outcome.error is None and outcome.fixed >= 1, outcome
    text = outcome.source.decode()
    assert "from collections import deque\n" in text.splitlines(keepends=True)
    namespace: dict = {}
    exec(compile(text, "probe.py", "exec"), namespace)  # would raise NameError before the fix
    namespace["on_event"](1)
    assert list(namespace["_events"]) == [1]
    if first_line.startswith('"""'):
        assert ast.get_docstring(ast.parse(text)) == "Events."


def test_verify_module_refuses_a_name_used_before_its_import() -> None:
    with pytest.raises(SourceError, match="'deque' on line 1 before the import"):
        verify_module("x = deque()\nfrom collections import deque\n", ["deque"])
    verify_module("from collections import deque\nx = deque()\n", ["deque"])
    # use inside a function body runs later: fine
    verify_module("def f():\n    return deque()\nfrom collections import deque\n", ["deque"])


def test_rename_call_edit_keeps_the_receiver() -> None:
    source = b"q = []\nq.append(1)\nq.pop(0)\n"
    edit = RenameCall(((3, 0), (3, 8)), (3, 2), None, "popleft")
    assert apply_edits(source, [edit]) == b"q = []\nq.append(1)\nq.popleft()\n"


def test_failed_verification_keeps_the_file_and_exits_1(tmp_path, monkeypatch, capsys) -> None:
    """A fix whose result would use a name before binding it is refused: the original stays
    and the run says so, with exit status 1 (findings left unfixed)."""
    from unbounded_lint import cli
    from unbounded_lint.fix import apply

    def misplaced(text, imports, line_length):  # the probe's defect: the import after the use
        return text + "".join(f"from {i.module} import {i.name}\n" for i in imports)

    monkeypatch.setattr(apply, "add_imports", misplaced)
    path = tmp_path / "probe.py"
    source = (b"_events = []\n\n\ndef on_event(e):\n    _events.append(e)\n\n\n"
              b"def drain():\n    while _events:\n        _events.pop(0)\n")
    path.write_bytes(source)
    status = cli.main(["--no-cache", "--isolated", "--fix", "--fix-level", "all", str(path)])
    assert status == 1
    assert path.read_bytes() == source
    assert "before the import the fix adds; the original is kept" in capsys.readouterr().err


# ----------------------------------------------------------------- what the CLI says

def _run(cwd, *argv: str):
    import os
    import subprocess
    import sys

    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", *argv], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


def _project(tmp_path, config: str = "") -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.unbounded-lint]\n" + config, encoding="utf-8")
    (tmp_path / "store.py").write_bytes(USER_TABLE)  # medium: unsafe eviction held back
    (tmp_path / "hot.py").write_bytes(HIGH_GLOBAL)  # high: the trim is applied


def test_cli_summary_counts_fixed_remaining_and_held_back(tmp_path) -> None:
    _project(tmp_path)
    r = _run(tmp_path, "--fix", "--show-fixes", ".")
    assert r.returncode == 1, r
    assert "Fixed 1 finding in 1 file." in r.stderr
    assert "Found 2 findings (1 fixed, 1 remaining)." in r.stderr
    assert "1 fix held back: unsafe fix on a medium finding (1)" in r.stderr
    # --show-fixes: the file, the lines it changed, each fix with its class
    assert "hot.py: 1 fix, lines 7-8\n  6: UBL001 [unsafe, high] trim to the last 1000 items" in r.stdout
    assert "store.py:6:9: UBL002" in r.stdout and (tmp_path / "store.py").read_bytes() == USER_TABLE


def test_config_fix_level_and_cli_override(tmp_path) -> None:
    _project(tmp_path, 'fix-level = "safe"\n')
    r = _run(tmp_path, "--fix", ".")
    assert (tmp_path / "hot.py").read_bytes() == HIGH_GLOBAL, r
    assert "2 fixes held back: unsafe fix (fix-level safe) (2)" in r.stderr
    r = _run(tmp_path, "--fix", "--fix-level", "all", ".")
    assert "Found 2 findings (2 fixed, 0 remaining)." in r.stderr, r
    assert r.returncode == 0


def test_text_marker_and_json_follow_the_level(tmp_path) -> None:
    import json

    _project(tmp_path)
    text = _run(tmp_path, ".").stdout
    assert "hot.py:6:9: UBL001" in text and text.split("hot.py:6:9: UBL001")[1].split("\n")[0].endswith("[*]")
    assert not text.split("store.py:6:9: UBL002")[1].split("\n")[0].endswith("[*]")
    assert "1 unsafe fix is held back at fix-level high" in text
    data = {d["path"]: d for d in json.loads(_run(tmp_path, "--format", "json", ".").stdout)}
    assert (data["hot.py"]["fixable"], data["hot.py"]["fix_safety"]) == (True, "unsafe")
    assert (data["store.py"]["fixable"], data["store.py"]["fix_safety"]) == (False, "unsafe")
    data = {d["path"]: d for d in json.loads(_run(tmp_path, "--format", "json", "--unsafe-fixes", ".").stdout)}
    assert data["store.py"]["fixable"] is True


def test_sarif_fixes_carry_the_class_and_validate(tmp_path) -> None:
    import json
    from pathlib import Path

    import jsonschema

    _project(tmp_path)
    log = json.loads(_run(tmp_path, "--format", "sarif", ".").stdout)
    schema = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(log, schema)
    [result] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "UBL002"]
    [fix] = result["fixes"]
    assert fix["properties"]["applicability"] == "unsafe"
    assert fix["description"]["text"] == "evict the oldest key beyond 1000 (unsafe fix)"
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "store.py"
    [replacement] = change["replacements"]
    assert replacement["deletedRegion"]["startLine"] == 7
    assert replacement["insertedContent"]["text"] == (
        "        if len(self.users) > 1000:\n            self.users.pop(next(iter(self.users)))\n")


def test_diff_names_the_fix_class(tmp_path) -> None:
    _project(tmp_path)
    r = _run(tmp_path, "--diff", ".")
    assert r.returncode == 1
    assert r.stdout.startswith("# hot.py:6: UBL001 unsafe fix on a high finding: trim to the last 1000 items")
    assert "store.py" not in r.stdout  # held back at the default level


def test_changed_lines_are_found_in_linear_time() -> None:
    from unbounded_lint.fix.apply import changed_lines, line_hunks

    old = b"a\nb\nc\nd\n"
    assert changed_lines(old, b"a\nb\nnew\nnew2\nc\nd\n") == [3, 4]
    assert changed_lines(old, b"a\nB\nc\nd\n") == [2]
    assert changed_lines(old, b"a\nc\nd\n") == []
    assert line_hunks(["a\n", "b\n", "c\n", "d\n"], ["a\n", "c\n", "d\n"]) == [(1, 2, 1, 1)]
    # thousands of small insertions (a class with many trimmed lists) stay fast
    lines = [f"x{i}.append(v)\n" for i in range(20000)]
    fixed = [line for i, x in enumerate(lines) for line in (x, f"if len(x{i}) > 9:\n", f"    del x{i}[:-9]\n")]
    assert len(line_hunks(lines, fixed)) == 20000


@pytest.mark.parametrize("name,text,expected", [
    ("pyproject.toml", "[tool.ruff]\nline-length = 100\n", 100),
    ("pyproject.toml", "[tool.black]\nline-length = 99\n", 99),
    ("pyproject.toml", "[tool.isort]\nline_length = 98\n", 98),
    ("ruff.toml", "line-length = 97\n", 97),
    ("setup.cfg", "[flake8]\nmax-line-length = 79\n", 79),
    ("tox.ini", "[flake8]\nmax_line_length = 120\n", 120),
    (".flake8", "[flake8]\nmax-line-length = 110\n", 110),
    ("pyproject.toml", "[tool.ruff]\nline-length = 99999999999999999999\n", 88),  # nonsense: ignored
    ("pyproject.toml", "[project]\nname = 'x'\n", 88),
], ids=lambda v: str(v)[:20])
def test_project_line_length_is_read_from_the_linters_configuration(tmp_path, name, text, expected) -> None:
    from unbounded_lint.fix.style import line_length_for

    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    assert line_length_for(str(tmp_path / "pkg" / "mod.py")) == expected


def test_sarif_fixes_of_a_warm_run_are_the_cold_run_fixes(tmp_path) -> None:
    """The result cache keeps a fix's edits: a run answered from the cache renders the same
    SARIF ``fixes`` as the run that filled it."""
    import json
    import os
    import subprocess
    import sys

    _project(tmp_path)
    cache = tmp_path / "cache"

    def sarif() -> dict:
        r = subprocess.run([sys.executable, "-m", "unbounded_lint", "--cache-dir", str(cache),
                            "--format", "sarif", "."], cwd=tmp_path, capture_output=True, text=True,
                           env=dict(os.environ, NO_COLOR="1"), timeout=120)
        assert r.returncode == 1, r
        return json.loads(r.stdout)

    cold = sarif()
    assert any((cache / name).is_dir() for name in os.listdir(cache))  # the cache was filled
    warm = sarif()
    fixes = [r.get("fixes") for r in cold["runs"][0]["results"]]
    assert fixes and all(fixes), fixes
    assert warm == cold
