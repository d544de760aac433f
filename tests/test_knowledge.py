"""Configuration that carries knowledge (short-/long-lived classes, bounded containers, extra
words) and the "because" every finding carries, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from _support import clean_env

from unbounded_lint.config import ConfigError, load_config
from unbounded_lint.engine import lint_source
from unbounded_lint.knowledge import entries_for, module_name
from unbounded_lint.types import Confidence, Settings

JOBS = '''\
class QueryPlan:
    def __init__(self):
        self.parts = []

    def add(self, part):
        self.parts.append(part)


class PluginBuilder:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)


CALLS = []


def record(x):
    CALLS.append(x)


class Bot:
    def __init__(self):
        self.symbols = []
        self.quotes = {}
        self.buf = []

    def watch(self, symbol):
        self.symbols.append(symbol)

    def quote(self, tenant_id, q):
        self.quotes[tenant_id] = q

    def track(self, k):
        self.buf.append(k)

    def release(self):
        self.buf.clear()
'''

KNOWLEDGE = '''\
[tool.unbounded-lint]
short-lived-classes = ["app.jobs:QueryPlan"]
long-lived-classes = ["app.jobs:PluginBuilder"]
bounded-containers = ["app.jobs:CALLS", "app.jobs:Bot.symbols"]
extend-fixed-key-words = ["tenant"]
extend-teardown-methods = ["release"]
'''


def run(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, env=clean_env(), input=stdin, check=False)


def findings(cwd: Path, *args: str) -> Dict[str, Dict[str, Any]]:
    """JSON findings keyed by "CODE line"."""
    proc = run(cwd, "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    data: List[Dict[str, Any]] = json.loads(proc.stdout)
    return {f"{f['code']} {f['line']}": f for f in data}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    pkg = tmp_path / "src" / "app"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "jobs.py").write_text(JOBS)
    (tmp_path / "pyproject.toml").write_text(KNOWLEDGE)
    return tmp_path


def test_without_the_configuration_the_analysis_guesses(project: Path) -> None:
    found = findings(project, "--isolated", "src")
    assert set(found) == {"UBL001 6", "UBL001 21", "UBL001 31", "UBL002 34"}
    assert found["UBL002 34"]["confidence"] == "medium"


def test_declared_knowledge_changes_the_findings(project: Path) -> None:
    found = findings(project, "src", "--min-confidence", "low")
    # config-short-lived: QueryPlan lives for one query
    assert found["UBL001 6"]["confidence"] == "low"
    assert found["UBL001 6"]["heuristics"] == ["config-short-lived"]
    assert "QueryPlan is declared short-lived" in found["UBL001 6"]["because"]
    # config-long-lived: named like a builder, declared long-lived: raised back to medium
    assert found["UBL001 14"]["confidence"] == "medium"
    assert found["UBL001 14"]["heuristics"] == ["short-lived-owner", "config-long-lived"]
    # config-bounded: a global and an attribute bounded elsewhere are dropped
    assert "UBL001 21" not in found and "UBL001 31" not in found
    # extend-fixed-key-words: tenant_id is a fixed key space
    assert found["UBL002 34"]["confidence"] == "low"
    # extend-teardown-methods: clear() in release() runs at the end only, so buf is unbounded
    assert found["UBL001 37"]["confidence"] == "medium"


def test_hidden_findings_are_counted_in_the_summary(project: Path) -> None:
    proc = run(project, "src")
    assert proc.returncode == 1
    assert "Found 2 findings (2 more below --min-confidence)." in proc.stdout


def test_every_key_is_also_a_flag(project: Path) -> None:
    found = findings(project, "--isolated", "src", "--min-confidence", "low",
                     "--short-lived-classes", "QueryPlan", "--long-lived-classes", "PluginBuilder",
                     "--bounded-containers", "app.jobs:CALLS,Bot.symbols",
                     "--extend-fixed-key-words", "tenant", "--extend-teardown-methods", "release")
    assert found["UBL001 6"]["heuristics"] == ["config-short-lived"]
    assert found["UBL001 14"]["heuristics"] == ["short-lived-owner", "config-long-lived"]
    assert "UBL001 21" not in found and "UBL001 31" not in found
    assert found["UBL002 34"]["confidence"] == "low" and "UBL001 37" in found


def test_entries_of_another_module_do_not_apply(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.unbounded-lint]\nbounded-containers = ["other.mod:CALLS"]\n')
    assert "UBL001 21" in findings(project, "src")


def test_src_roots_decide_the_module_name(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.unbounded-lint]\nsrc = ["."]\nbounded-containers = ["src.app.jobs:CALLS"]\n')
    assert "UBL001 21" not in findings(project, "src")
    # the flag replaces the key: with the default roots the module is app.jobs again
    assert "UBL001 21" in findings(project, "src", "--src", ".,src")


def test_fix_leaves_a_declared_bounded_container_alone(project: Path) -> None:
    proc = run(project, "--fix", "--fix-level", "all", "src")
    assert proc.returncode in (0, 1), proc.stderr
    text = (project / "src" / "app" / "jobs.py").read_text()
    assert "del CALLS" not in text and "deque(maxlen" not in text.split("CALLS = ")[1].split("\n")[0]
    assert "if len(self.buf) > 1000" in text or "self.buf = deque(maxlen=1000)" in text


def test_the_cache_is_keyed_by_the_knowledge(project: Path, tmp_path: Path) -> None:
    cache = ["--cache-dir", str(tmp_path / "cache")]

    def codes() -> List[str]:
        proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--format", "json", *cache, "src"],
                              cwd=project, capture_output=True, text=True, env=clean_env(), check=False)
        return sorted(f"{f['code']} {f['line']}" for f in json.loads(proc.stdout))

    first = codes()
    (project / "pyproject.toml").write_text('[tool.unbounded-lint]\nmax-length = 1000\n')
    second = codes()
    assert first != second and "UBL001 21" in second and "UBL001 21" not in first


@pytest.mark.parametrize("path, expected", [
    ("src/app/jobs.py", "app.jobs"),
    ("app/jobs.py", "app.jobs"),
    ("src/app/__init__.py", "app"),
    ("src/app/stubs.pyi", "app.stubs"),
    ("tools/run.py", "tools.run"),
])
def test_module_name(tmp_path: Path, path: str, expected: str) -> None:
    assert module_name(str(tmp_path / path), str(tmp_path)) == expected


def test_module_name_outside_the_project(tmp_path: Path) -> None:
    assert module_name(str(tmp_path / "elsewhere" / "x.py"), str(tmp_path / "proj")) == "x"


def test_entries_for_picks_the_module_and_bare_names() -> None:
    entries = ("app.jobs:Bot.symbols", "other:Bot", "Anywhere")
    assert entries_for(entries, "app.jobs") == frozenset({"Bot.symbols", "Anywhere"})


@pytest.mark.parametrize("toml, message", [
    ('short-lived-class = ["A"]', "did you mean 'short-lived-classes'?"),
    ('bounded-containers = ["app.jobs:"]', "is not of the form 'pkg.module:Name'"),
    ('bounded-containers = "CALLS"', "must be a list of containers"),
    ('extend-fixed-key-words = ["Tenant_ID"]', "is not a word"),
    ('extend-teardown-methods = ["re lease"]', "is not a method name"),
    ('short-lived-classes = ["A"]\nlong-lived-classes = ["A"]', "in both short-lived-classes and long-lived-classes"),
])
def test_invalid_knowledge_is_a_config_error(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.unbounded-lint]\n{toml}\n")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("?", r"\?")):
        load_config(path)
    proc = run(tmp_path, ".")
    assert proc.returncode == 2 and message in proc.stderr


# ----------------------------------------------------------------------------- because


@pytest.mark.parametrize("source, because", [
    (("class Bot:\n    def __init__(self):\n        self.h = []\n\n    def on_tick(self, x):\n        self.h.append(x)\n\n\n"
      "bot = Bot()\n"),
     "instance attribute of Bot, whose instance 'bot' is created at module level; grown in on_tick()"),
    (("class Bot:\n    def __init__(self):\n        self.h = []\n        self.running = True\n\n    def run(self, feed):\n"
      "        while self.running:\n            self.h.append(feed())\n"),
     ("instance attribute of Bot, which runs a long-running loop; grown in run() inside the "
      "`while self.running:` loop at line 7")),
    ("class Bot:\n    h = []\n\n    def add(self, x):\n        self.h.append(x)\n",
     "class attribute of Bot, shared by every instance for the life of the class; grown in add()"),
    ("H = []\n\ndef f(x):\n    H.append(x)\n", "module global 'H', alive for the whole process; grown in f()"),
    ("def run(feed):\n    seen = []\n    while True:\n        seen.append(feed())\n",
     "local of run() grown inside the `while True:` loop at line 3, which may never end"),
    ("import functools\n\nclass A:\n    @functools.cache\n    def f(self, x):\n        return x\n",
     "method f() is cached on its class: the cache holds every instance it was called on, for the life of the class"),
    ("import matplotlib.pyplot as plt\n\ndef refresh(d):\n    fig = plt.figure()\n    fig.savefig(d)\n",
     "figure made in refresh(); pyplot keeps every figure alive until plt.close() is called"),
])
def test_because_names_the_owner_and_what_makes_it_long_lived(source: str, because: str) -> None:
    result = lint_source(source.encode(), "m.py", Settings())
    assert [f.because for f in result.findings] == [because]


def test_because_says_what_lowered_a_finding() -> None:
    source = "class TreeVisitor:\n    def __init__(self):\n        self.seen = []\n\n    def visit(self, n):\n        self.seen.append(n)\n"
    result = lint_source(source.encode(), "m.py", Settings(min_confidence=Confidence.LOW))
    (finding,) = result.findings
    assert finding.because.endswith("; lowered to low: a short-lived owner: TreeVisitor looks like a visitor, builder, request or test")
    assert lint_source(source.encode(), "m.py", Settings()).below_confidence == 1


def test_show_reasons_in_text(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("H = []\n\ndef f(x):\n    H.append(x)\n")
    proc = run(tmp_path, "--isolated", "--show-reasons", "m.py")
    assert proc.stdout.splitlines()[:2] == [
        "m.py:4:5: UBL001 'H' grows without bound (append); trim to the last 1000 items after each growth [medium]",
        "    because: module global 'H', alive for the whole process; grown in f()",
    ]


def test_a_disabled_config_heuristic_does_nothing() -> None:
    """``disabled_heuristics`` (the --disable-heuristics setting) switches each step off."""
    from types import SimpleNamespace

    from unbounded_lint.knowledge import apply_knowledge
    from unbounded_lint.owners import Owner
    from unbounded_lint.types import Finding

    finding = Finding("m.py", 1, 1, 1, 2, "UBL001", "grows", because="instance attribute of A")
    owner = Owner("instance attribute", ("A",), ("A.x",), "instance attribute of A")
    on = SimpleNamespace(bounded_containers=frozenset({"A.x"}), short_lived_classes=frozenset({"A"}),
                         long_lived_classes=frozenset(), disabled_heuristics=frozenset())
    assert apply_knowledge(finding, owner, on) is None  # type: ignore[arg-type]
    off = SimpleNamespace(**{**vars(on), "disabled_heuristics": frozenset({"config-bounded"})})
    lowered = apply_knowledge(finding, owner, off)  # type: ignore[arg-type]
    assert lowered is not None and lowered.heuristics == ("config-short-lived",)
    both = SimpleNamespace(**{**vars(on), "disabled_heuristics": frozenset({"config-bounded", "config-short-lived"})})
    assert apply_knowledge(finding, owner, both) == finding  # type: ignore[arg-type]
