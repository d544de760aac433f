"""The project index: cross-module fixtures through the CLI, incremental extraction, a
corrupt index, and the link step's verdicts."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from unbounded_lint.index import FactStore, build_index, extract_source
from unbounded_lint.index.store import STORE_DIR, STORE_NAME

PROJECTS = Path(__file__).parent / "fixtures" / "project"


def run_cli(folder: Path, *extra: str) -> List[Tuple[str, str]]:
    """(file name, code) of every finding the CLI reports on ``folder``."""
    cmd = [sys.executable, "-m", "unbounded_lint", "--isolated", "--no-cache", "--format", "json",
           "--exit-zero", *extra, str(folder)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return sorted((os.path.basename(item["path"]), item["code"]) for item in json.loads(out))


# (fixture folder, findings with the index, findings analysing each file alone, extra args)
CASES = [
    ("transient_owner", [], [("models.py", "UBL001")], ()),
    ("kept_per_entry", [], [("flow.py", "UBL001")], ()),
    ("project_containers", [("feed.py", "UBL001"), ("feed.py", "UBL002")], [], ()),
    ("bounded_elsewhere", [], [("site.py", "UBL002")], ()),
    ("fixed_keys", [], [("counter.py", "UBL002"), ("counter.py", "UBL002")], ()),
    ("reexport", [("prices.py", "UBL006")], [], ()),
    ("constructed_by_subclasses", [("base.py", "UBL001")], [("base.py", "UBL001")] * 3, ()),
]


@pytest.mark.parametrize("folder, with_index, alone, extra", CASES, ids=[c[0] for c in CASES])
def test_cross_module_fixture(folder: str, with_index: list, alone: list, extra: tuple) -> None:
    assert run_cli(PROJECTS / folder, *extra) == with_index
    assert run_cli(PROJECTS / folder, "--no-project-index", *extra) == alone


def test_transient_owner_is_lowered_not_hidden() -> None:
    findings = run_cli(PROJECTS / "transient_owner", "--min-confidence", "low")
    assert findings == [("models.py", "UBL001")]


def test_lowered_finding_names_its_heuristic() -> None:
    from unbounded_lint.runner import lint_files
    from unbounded_lint.types import Confidence, Settings

    folder = PROJECTS / "transient_owner" / "shop"
    paths = [str(folder / name) for name in ("__init__.py", "models.py", "router.py")]
    results = lint_files(paths, lambda _: Settings(min_confidence=Confidence.LOW), jobs=1)
    (finding,) = [f for r in results for f in r.findings]
    assert finding.heuristics == ("index-transient-owner",)
    assert "MatchInfo instances are built per call" in finding.because


def _files(folder: Path) -> List[Tuple[str, bytes, str]]:
    out = []
    for path in sorted(folder.rglob("*.py")):
        source = path.read_bytes()
        out.append((str(path), source, hashlib.sha256(source).hexdigest()))
    return out


def test_a_change_to_one_file_re_extracts_that_file_only(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    for src in (PROJECTS / "project_containers").rglob("*.py"):
        dest = project / src.relative_to(PROJECTS / "project_containers")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src.read_bytes())
    extracted: List[str] = []

    def run(jobs):  # type: ignore[no-untyped-def]
        extracted.extend(job[0] for job in jobs)
        return [extract_source(*job) for job in jobs]

    cache = str(tmp_path / "cache")
    store = FactStore(cache)
    build_index(_files(project), store, run)
    store.flush()
    assert len(extracted) == 3
    extracted.clear()
    feed = project / "shop" / "feed.py"
    feed.write_text(feed.read_text() + "\n# changed\n")
    store = FactStore(cache)
    index, _ = build_index(_files(project), store, run)
    assert extracted == [str(feed)]
    assert index.view("shop.feed").container_kind("BarList") == "list"


def test_corrupt_index_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / STORE_DIR).mkdir(parents=True)
    (cache / STORE_DIR / STORE_NAME).write_text("{not json")
    folder = PROJECTS / "project_containers"
    cmd = [sys.executable, "-m", "unbounded_lint", "--isolated", "--cache-dir", str(cache),
           "--format", "json", "--exit-zero", str(folder)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    assert len(json.loads(out)) == 2
    data = json.loads((cache / STORE_DIR / STORE_NAME).read_bytes().partition(b"\n")[2])
    assert len(data["files"]) == 3


def test_warm_run_answers_from_the_cache(tmp_path: Path) -> None:
    folder = PROJECTS / "project_containers"
    cmd = [sys.executable, "-m", "unbounded_lint", "--isolated", "--cache-dir", str(tmp_path),
           "--format", "json", "--exit-zero", str(folder)]
    cold = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    warm = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    assert cold == warm and len(json.loads(warm)) == 2


def _copy_project(src: Path, dest: Path) -> None:
    for path in src.rglob("*.py"):
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (dest / "pyproject.toml").write_text("[tool.unbounded-lint]\n")


def test_stdin_uses_the_stored_index_and_falls_back_without_it(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    _copy_project(PROJECTS / "transient_owner", project)
    models = project / "shop" / "models.py"

    def stdin_run(*extra: str) -> list:
        cmd = [sys.executable, "-m", "unbounded_lint", "--format", "json", "--exit-zero",
               "--stdin-filename", str(models), *extra, "-"]
        out = subprocess.run(cmd, input=models.read_bytes(), check=True, capture_output=True, cwd=project).stdout
        return [item["code"] for item in json.loads(out)]

    assert stdin_run() == ["UBL001"]  # no index in the cache yet: file-local
    subprocess.run([sys.executable, "-m", "unbounded_lint", "--exit-zero", "."], check=True,
                   capture_output=True, cwd=project)
    assert stdin_run() == []  # the stored index knows MatchInfo is built per call
    assert stdin_run("--no-project-index") == ["UBL001"]


def test_flake8_uses_the_stored_index(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    project = tmp_path / "proj"
    _copy_project(PROJECTS / "transient_owner", project)

    def flake8_codes() -> list:
        proc = subprocess.run([sys.executable, "-m", "flake8", "-j", "1", "--select", "UBL", "shop"],
                              capture_output=True, text=True, cwd=project)
        return [line.split()[1] for line in proc.stdout.splitlines()]

    assert flake8_codes() == ["UBL001"]
    subprocess.run([sys.executable, "-m", "unbounded_lint", "--exit-zero", "."], check=True,
                   capture_output=True, cwd=project)
    assert flake8_codes() == []


def test_fix_acts_on_what_the_indexed_run_reports(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    _copy_project(PROJECTS / "transient_owner", project)
    models = project / "shop" / "models.py"
    before = models.read_bytes()
    # --unsafe-fixes: the trim of a list is an unsafe fix, held back at the default fix level
    subprocess.run([sys.executable, "-m", "unbounded_lint", "--fix", "--unsafe-fixes", "--exit-zero", "."],
                   check=True, capture_output=True, cwd=project)
    assert models.read_bytes() == before  # lowered to low by the index: not reported, not fixed
    subprocess.run([sys.executable, "-m", "unbounded_lint", "--fix", "--unsafe-fixes", "--exit-zero",
                    "--no-project-index", "."], check=True, capture_output=True, cwd=project)
    assert b"del self.parts[:-1000]" in models.read_bytes()


def test_long_lived_owner_says_why() -> None:
    from unbounded_lint.runner import lint_files
    from unbounded_lint.types import Settings

    folder = PROJECTS / "project_containers" / "shop"
    paths = [str(folder / name) for name in ("__init__.py", "models.py", "feed.py")]
    findings = [f for r in lint_files(paths, lambda _: Settings(), jobs=1) for f in r.findings]
    assert [f.code for f in findings] == ["UBL001", "UBL002"]
    for finding in findings:
        assert finding.heuristics == ()
        assert finding.because == "instance attribute of Feed: Feed is created at module level in shop.feed"


def test_because_is_added_without_a_second_lint(tmp_path: Path) -> None:
    from unbounded_lint.runner import lint_files
    from unbounded_lint.types import Settings

    (tmp_path / "bot.py").write_text("class Bot:\n    def __init__(self):\n        self.history = []\n\n"
                                     "    def on_tick(self, x):\n        self.history.append(x)\n")
    (tmp_path / "main.py").write_text("from bot import Bot\n\nbot = Bot()\n")
    results = lint_files([str(tmp_path / "bot.py"), str(tmp_path / "main.py")], lambda _: Settings(), jobs=1)
    (finding,) = [f for r in results for f in r.findings]
    assert finding.because == "instance attribute of Bot: Bot is created at module level in main"


def test_warm_run_keys_the_cache_from_the_snapshot_without_linking(tmp_path: Path) -> None:
    from unbounded_lint.index import RunIndex

    files = _files(PROJECTS / "project_containers")
    cache = str(tmp_path / "cache")
    cold = RunIndex(files, FactStore(cache))
    digests = {path: cold.digest(path) for path, _, _ in files}
    assert any(digests.values())
    (tmp_path / "cache" / STORE_DIR / STORE_NAME).unlink()  # the facts are not needed...
    extracted: List[str] = []

    def run(jobs):  # type: ignore[no-untyped-def]
        extracted.extend(job[0] for job in jobs)
        return [extract_source(*job) for job in jobs]

    warm = RunIndex(files, FactStore(cache), run)
    assert {path: warm.digest(path) for path, _, _ in files} == digests
    assert extracted == []  # ...to key the result cache
    feed = next(path for path, _, _ in files if path.endswith("feed.py"))
    assert warm.view(feed) is not None and warm.view(feed).digest == digests[feed]
    assert len(extracted) == 3  # a file to lint links the project (here: from scratch)


def test_index_transient_owner_is_a_registry_heuristic() -> None:
    """It is switched off by name like any other heuristic; then the finding keeps its tier."""
    from unbounded_lint.analysis.heuristics import HEURISTICS

    assert "index-transient-owner" in HEURISTICS
    assert run_cli(PROJECTS / "transient_owner", "--disable-heuristics", "index-transient-owner") \
        == [("models.py", "UBL001")]


def test_long_lived_classes_undoes_index_transient_owner(tmp_path: Path) -> None:
    """A class the project declares long-lived is not lowered by the index either."""
    project = tmp_path / "proj"
    _copy_project(PROJECTS / "transient_owner", project)
    (project / "pyproject.toml").write_text('[tool.unbounded-lint]\nlong-lived-classes = ["MatchInfo"]\n')
    cmd = [sys.executable, "-m", "unbounded_lint", "--no-cache", "--format", "json", "--exit-zero", "."]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=project).stdout
    assert [item["code"] for item in json.loads(out)] == ["UBL001"]


def test_a_planted_fact_store_is_not_trusted(tmp_path: Path) -> None:
    """The stored facts and snapshot are authenticated like the result cache: a store written by
    someone else (here: a valid one with its MAC line altered) is an empty one."""
    cache = str(tmp_path / "cache")
    store = FactStore(cache)
    build_index(_files(PROJECTS / "project_containers"), store)
    store.flush()
    assert FactStore(cache).files
    path = tmp_path / "cache" / STORE_DIR / STORE_NAME
    header, _, body = path.read_bytes().partition(b"\n")
    last = b"0" if header[-1:] != b"0" else b"1"
    path.write_bytes(header[:-1] + last + b"\n" + body)
    assert not FactStore(cache).files


def test_only_grown_unknown_creations_ask_the_index_again() -> None:
    """A module linted alone is linted again with its view only where the view can change it:
    a project container matters only where something it creates grows (the run skips the
    second lint of every other module that merely calls a project factory)."""
    import ast

    from unbounded_lint.analysis.facts import analyse_module
    from unbounded_lint.analysis.index_seam import needs_view, open_questions
    from unbounded_lint.index.view import ModuleView

    source = ("from shop.models import BarList, make_table, make_report\n\n"
              "class Feed:\n    def __init__(self):\n        self.bars = BarList()\n"
              "        self.table = make_table()\n\n"
              "    def on_bar(self, bar):\n        self.bars.append(bar)\n"
              "        print(self.table)\n\n"
              "def report():\n    return make_report()\n")
    facts = analyse_module(ast.parse(source), source.splitlines(True))
    questions = open_questions(facts)
    assert "BarList" in questions and "make_table" not in questions
    grown = ModuleView(module="feed", containers=(("BarList", "list"),))
    idle = ModuleView(module="feed", containers=(("make_table", "dict"), ("make_report", "dict")))
    assert needs_view((), grown, questions)
    assert not needs_view((), idle, questions)
    assert needs_view((), idle)  # without the questions, every used container counts


def test_a_local_grown_outside_a_service_loop_asks_nothing() -> None:
    """A local's growth is a finding only inside a long-running loop: a project list built and
    filled once per call cannot change the module's findings, so it does not ask the index."""
    import ast

    from unbounded_lint.analysis.facts import analyse_module
    from unbounded_lint.analysis.index_seam import open_questions

    source = ("from shop.models import BarList, Batch\n\n"
              "def handle(request):\n    info = BarList()\n    info.append(request)\n    return len(info)\n\n"
              "def serve(source):\n    batch = Batch()\n    while True:\n        batch.append(source.get())\n")
    questions = open_questions(analyse_module(ast.parse(source), source.splitlines(True)))
    assert questions == frozenset({"Batch"})


def test_calls_that_run_later_are_marked() -> None:
    """A method's calls through ``self`` are index facts; one made in a nested function or a
    method handed on as a callback runs later (``*``), so it never makes a helper part of
    construction."""
    import ast

    from unbounded_lint.index.extract import extract

    source = ("class Bot:\n    def __init__(self, bus):\n        self._setup()\n"
              "        bus.on('tick', self._on_tick)\n"
              "        def later():\n            self._flush()\n        bus.on('stop', later)\n\n"
              "    def _setup(self):\n        pass\n")
    facts = extract(ast.parse(source), "bot")
    methods = dict(facts.classes[0].methods)
    assert sorted(methods["__init__"]) == ["*_flush", "*_on_tick", "_setup"]
    assert methods["_setup"] == ()
