"""Scheduling and caching never change a finding.

The same findings (the full JSON report) come out with one process or a pool, cold or from
the cache, with the cheap skip pass on or off. The cache is invalidated by every input that
changes findings (content, settings, tool version), survives corrupt entries, marks itself
git-ignored, honours ``UNBOUNDED_LINT_CACHE_DIR`` and answers a warm run without importing
libcst. A worker's memory stays flat over many files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import unbounded_lint
from unbounded_lint import cache as cache_mod
from unbounded_lint import cli, engine, runner
from unbounded_lint.cache import Cache, settings_key
from unbounded_lint.types import Confidence, FileResult, Finding, Settings
from _support import clean_env

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ["tests/fixtures", "examples"]
ALL_RULES = ["--extend-select", "UBL007,UBL008"]




class Run:
    def __init__(self, proc: "subprocess.CompletedProcess[str]") -> None:
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def json(self) -> List[dict]:
        return json.loads(self.stdout)

    def __repr__(self) -> str:
        return f"rc={self.rc}\n--- stdout\n{self.stdout[-2000:]}\n--- stderr\n{self.stderr[-2000:]}"


def run_cli(cwd: Path, *args: str, env: Optional[Dict[str, str]] = None, timeout: float = 120) -> Run:
    proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--isolated", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env or clean_env())
    return Run(proc)


def cache_entries(folder: Path) -> List[Path]:
    """The cache's pack files (one per settings key)."""
    return sorted(p for p in folder.rglob("*.json"))


# --------------------------------------------------------------------------- same findings

@pytest.fixture(scope="module")
def reference() -> Run:
    run = run_cli(ROOT, "--format", "json", "--no-cache", "-j", "1", *ALL_RULES, *CORPUS)
    assert run.rc == 1, run
    assert run.stderr == "", run
    assert len(run.json()) > 100
    return run


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("skip_pass", ["1", "0"])
def test_same_findings_with_any_jobs_and_skip_pass(reference: Run, jobs: str, skip_pass: str) -> None:
    run = run_cli(ROOT, "--format", "json", "--no-cache", "-j", jobs, *ALL_RULES, *CORPUS,
                  env=clean_env(UNBOUNDED_LINT_SKIP_PASS=skip_pass))
    assert (run.rc, run.stderr) == (reference.rc, reference.stderr), run
    assert run.stdout == reference.stdout


@pytest.mark.slow
def test_same_findings_cold_and_warm(reference: Run, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    outputs = []
    for jobs, skip in (("2", "1"), ("1", "1"), ("2", "1"), ("1", "0")):
        run = run_cli(ROOT, "--format", "json", "--cache-dir", str(folder), "-j", jobs, *ALL_RULES, *CORPUS,
                      env=clean_env(UNBOUNDED_LINT_SKIP_PASS=skip))
        assert (run.rc, run.stderr) == (reference.rc, reference.stderr), run
        outputs.append(run.stdout)
        assert cache_entries(folder), "the cache stayed empty"
    assert outputs == [reference.stdout] * len(outputs)
    # the text report (with the [*] fixable marks) is the same cold and warm
    cold = run_cli(ROOT, "--no-cache", *ALL_RULES, *CORPUS)
    warm = run_cli(ROOT, "--cache-dir", str(folder), *ALL_RULES, *CORPUS)
    assert (warm.rc, warm.stdout, warm.stderr) == (cold.rc, cold.stdout, cold.stderr)


def test_warm_run_answers_every_file_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("UNBOUNDED_LINT_CACHE_DIR", raising=False)
    args = ["--isolated", "--format", "json", "--cache-dir", str(tmp_path / "c"), "-j", "1", *ALL_RULES, *CORPUS]
    rc = cli.main(args)
    cold, err = capsys.readouterr()
    assert (rc, err) == (1, "")

    def must_not_run(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("a warm run linted a file instead of reading the cache")

    monkeypatch.setattr(runner, "lint_one", must_not_run)
    rc = cli.main(args)
    warm, err = capsys.readouterr()
    assert (rc, err) == (1, "")
    assert warm == cold


# --------------------------------------------------------------------------- invalidation

LEAK = """\
class Bot:
    def __init__(self):
        self.fills = []
        self.seen = {}

    def on_fill(self, fill):
        self.fills.append(fill)
"""
DICT_LEAK = "        self.seen[fill] = 1\n"


class InProcess:
    """``cli.main`` in this process (much faster than a subprocess for many small runs)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, cwd: Path, *args: str) -> Run:
        self.monkeypatch.chdir(cwd)
        self.capsys.readouterr()
        rc = cli.main(["--isolated", "-j", "1", *args])
        out, err = self.capsys.readouterr()
        return Run(subprocess.CompletedProcess(args, rc, out, err))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("UNBOUNDED_LINT_CACHE_DIR", raising=False)
    monkeypatch.delenv("UNBOUNDED_LINT_SKIP_PASS", raising=False)
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "bot.py").write_text(LEAK)
    return tmp_path / "proj"


@pytest.fixture
def lint(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    main = InProcess(capsys, monkeypatch)

    def run(project: Path, folder: Path, *args: str) -> Run:
        result = main(project, "--format", "json", "--cache-dir", str(folder), *args, ".")
        assert "Traceback" not in result.stderr, result
        return result

    return run


def codes(run: Run) -> List[tuple]:
    return [(f["path"], f["line"], f["code"]) for f in run.json()]


def test_edit_gives_fresh_findings(project: Path, tmp_path: Path, lint) -> None:
    folder = tmp_path / "cache"
    assert codes(lint(project, folder)) == [("bot.py", 7, "UBL001")]
    (project / "bot.py").write_text(LEAK + DICT_LEAK)
    assert codes(lint(project, folder)) == [("bot.py", 7, "UBL001"), ("bot.py", 8, "UBL002")]
    (project / "bot.py").write_text(LEAK.replace("self.fills.append(fill)", "pass"))
    run = lint(project, folder)
    assert (run.rc, codes(run)) == (0, [])
    (project / "bot.py").write_text(LEAK)  # back to the first content: a cache hit, same answer
    assert codes(lint(project, folder)) == [("bot.py", 7, "UBL001")]


def test_max_length_gives_fresh_findings(project: Path, tmp_path: Path, lint) -> None:
    folder = tmp_path / "cache"
    first = lint(project, folder).json()
    assert "the last 1000 items" in first[0]["message"]
    second = lint(project, folder, "--max-length", "50").json()
    assert "the last 50 items" in second[0]["message"], second
    assert "1000" not in second[0]["message"]
    third = lint(project, folder).json()
    assert third == first


@pytest.mark.parametrize("args, expected", [
    (["--select", "UBL002"], [("bot.py", 8, "UBL002")]),
    (["--ignore", "UBL001"], [("bot.py", 8, "UBL002")]),
    (["--select", "UBL001"], [("bot.py", 7, "UBL001")]),
    (["--select", "UBL003"], []),
])
def test_selection_gives_fresh_findings(project: Path, tmp_path: Path, lint, args: List[str], expected: list) -> None:
    (project / "bot.py").write_text(LEAK + DICT_LEAK)
    folder = tmp_path / "cache"
    assert codes(lint(project, folder)) == [("bot.py", 7, "UBL001"), ("bot.py", 8, "UBL002")]
    assert codes(lint(project, folder, *args)) == expected
    assert codes(lint(project, folder)) == [("bot.py", 7, "UBL001"), ("bot.py", 8, "UBL002")]


def test_min_confidence_changes_the_key() -> None:
    settings = Settings()
    assert settings_key(settings) != settings_key(Settings(min_confidence=Confidence.HIGH))
    assert settings_key(settings) != settings_key(Settings(min_confidence=Confidence.LOW))
    assert settings_key(settings) == settings_key(Settings())


def _result(path: str = "bot.py") -> FileResult:
    finding = Finding(path=path, line=7, column=9, end_line=7, end_column=32, code="UBL001",
                      message="'self.fills' grows without bound (append)", container="Bot.fills")
    return FileResult(path, (finding,), source_hash="ab" * 32)


def test_version_upgrade_gives_a_fresh_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = Settings()
    before = settings_key(settings)
    store = Cache(str(tmp_path / "cache"))
    store.put(_result(), settings)
    store.flush()
    assert Cache(str(tmp_path / "cache")).get("bot.py", "ab" * 32, settings) is not None
    folders_before = {p.name for p in (tmp_path / "cache").iterdir() if p.is_dir()}

    # an upgrade installs new code: both the package's and the cache module's view of the version
    monkeypatch.setattr(unbounded_lint, "__version__", "999.0.0")
    monkeypatch.setattr(cache_mod, "__version__", "999.0.0", raising=False)
    after = settings_key(settings)
    assert after != before
    fresh = Cache(str(tmp_path / "cache"))
    assert fresh.get("bot.py", "ab" * 32, settings) is None, "an entry of the old version was served"
    fresh.put(_result(), settings)
    fresh.flush()
    folders_after = {p.name for p in (tmp_path / "cache").iterdir() if p.is_dir()}
    assert len(folders_after - folders_before) == 1


def test_engine_version_gives_a_fresh_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = settings_key(Settings())
    monkeypatch.setattr(engine, "ENGINE_VERSION", engine.ENGINE_VERSION + "-next")
    assert settings_key(Settings()) != before


def test_same_content_in_two_files_keeps_each_path(project: Path, tmp_path: Path, lint) -> None:
    (project / "twin.py").write_text(LEAK)
    folder = tmp_path / "cache"
    cold = lint(project, folder)
    warm = lint(project, folder)
    assert codes(warm) == codes(cold) == [("bot.py", 7, "UBL001"), ("twin.py", 7, "UBL001")]


def test_cached_parse_error_is_still_reported(project: Path, tmp_path: Path, lint) -> None:
    (project / "broken.py").write_text("def f(:\n    pass\n")
    folder = tmp_path / "cache"
    cold = lint(project, folder)
    warm = lint(project, folder)
    assert cold.rc == warm.rc == 2
    assert cold.stderr == warm.stderr and cold.stderr.startswith("broken.py: cannot parse")
    assert codes(warm) == codes(cold) == [("bot.py", 7, "UBL001")]


GARBAGE = {
    "binary": b"\x00\xff\xfe garbage \x80\x81",
    "empty": b"",
    "truncated": b'{"error": null, "noqa": 0, "findings": [[7, 9, 7, 32, "UBL0',
    "null": b"null",
    "list": b"[]",
    "empty_object": b"{}",
    "wrong_row": b'{"error": null, "noqa": 0, "findings": [[1, 2]]}',
    "wrong_types": b'{"error": null, "noqa": 0, "findings": 5}',
    "bad_confidence": b'{"error": null, "noqa": 0, "findings": [[7, 9, 7, 32, "UBL001", "m", "c", 99, "f", null]]}',
    "bad_fix": b'{"error": null, "noqa": 0, "findings": [[7, 9, 7, 32, "UBL001", "m", "c", 2, "f", []]]}',
    "deeply_nested": b"[" * 100_000 + b"]" * 100_000,
}


def read_pack(pack: Path) -> dict:
    """A pack's JSON body (after the line that authenticates it)."""
    header, _, body = pack.read_bytes().partition(b"\n")
    assert header.startswith(cache_mod.MAGIC + b" "), header
    return json.loads(body)


def sign_pack(pack: Path, data: dict) -> None:
    """Write ``data`` as a pack authenticated with this user's key, as the tool would."""
    body = json.dumps(data).encode("utf-8")
    mac = cache_mod.pack_mac(cache_mod.user_key(), pack.parent.name, body)
    pack.write_bytes(cache_mod.MAGIC + b" " + mac.encode("ascii") + b"\n" + body)


def pack_entries(pack: Path) -> dict:
    data = read_pack(pack)
    assert isinstance(data, dict) and isinstance(data["entries"], dict), pack
    return data["entries"]


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


# Any bytes can replace the whole pack; only JSON values can stand for one entry inside it.
CORRUPTIONS = [("whole-pack", kind) for kind in sorted(GARBAGE)] + [
    ("each-entry", kind) for kind in sorted(GARBAGE) if _is_json(GARBAGE[kind])]


@pytest.mark.parametrize("where,kind", CORRUPTIONS, ids=[f"{w}-{k}" for w, k in CORRUPTIONS])
def test_corrupt_entries_are_survived_and_rewritten(project: Path, tmp_path: Path, lint, kind: str,
                                                    where: str) -> None:
    for i in range(6):
        (project / f"bot{i}.py").write_text(LEAK.replace("Bot", f"Bot{i}") + (DICT_LEAK if i % 2 else ""))
    (project / "clean.py").write_text("X = 1\n")
    folder = tmp_path / "cache"
    cold = lint(project, folder)
    packs = cache_entries(folder)
    assert len(packs) == 1 and len(pack_entries(packs[0])) == 8
    if where == "whole-pack":
        packs[0].write_bytes(GARBAGE[kind])
    else:
        # signed with the user's key: the entries themselves must be survived, not just the MAC
        value = json.loads(GARBAGE[kind])
        data = read_pack(packs[0])
        data["entries"] = {digest: value for digest in data["entries"]}
        sign_pack(packs[0], data)
    warm = lint(project, folder)
    assert (warm.rc, warm.stdout, warm.stderr) == (cold.rc, cold.stdout, cold.stderr), warm
    rewritten = cache_entries(folder)
    assert len(rewritten) == 1
    entries = pack_entries(rewritten[0])
    assert len(entries) == 8
    for entry in entries.values():
        assert isinstance(entry, dict) and isinstance(entry["findings"], list), entry
    assert (warm.rc, warm.stdout) == (lint(project, folder).rc, lint(project, folder).stdout)


def test_pack_keeps_a_bounded_number_of_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_mod, "MAX_ENTRIES", 5)
    settings = Settings()
    for i in range(12):
        store = Cache(str(tmp_path / "cache"))
        store.put(FileResult(f"f{i}.py", (), source_hash=f"{i:064x}"), settings)
        store.flush()
    store = Cache(str(tmp_path / "cache"))
    kept = [i for i in range(12) if store.get(f"f{i}.py", f"{i:064x}", settings) is not None]
    assert kept == [7, 8, 9, 10, 11]


def test_unusable_cache_dir_never_fails_a_run(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the cache folder should be\n")
    cold = run_cli(project, "--format", "json", "--no-cache", ".")
    run = run_cli(project, "--format", "json", "--cache-dir", str(blocker), ".")
    assert (run.rc, run.stdout, run.stderr) == (cold.rc, cold.stdout, cold.stderr), run
    assert blocker.read_text() == "a file where the cache folder should be\n"


def test_cache_dir_gets_a_gitignore(project: Path, tmp_path: Path, lint) -> None:
    folder = tmp_path / "deep" / "cache"
    lint(project, folder)
    ignore = folder / ".gitignore"
    assert ignore.is_file()
    lines = [line.strip() for line in ignore.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert lines == ["*"]


def test_env_var_chooses_the_cache_dir(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "from_env"
    run = run_cli(project, "--format", "json", ".", env=clean_env(UNBOUNDED_LINT_CACHE_DIR=str(folder)))
    assert run.rc == 1, run
    assert cache_entries(folder), "UNBOUNDED_LINT_CACHE_DIR was not used"
    assert (folder / ".gitignore").is_file()
    assert not (project / ".unbounded_lint_cache").exists()
    # --cache-dir wins over the environment variable
    other = tmp_path / "from_flag"
    run = run_cli(project, "--format", "json", "--cache-dir", str(other), ".",
                  env=clean_env(UNBOUNDED_LINT_CACHE_DIR=str(tmp_path / "unused")))
    assert run.rc == 1 and cache_entries(other) and not (tmp_path / "unused").exists(), run


@pytest.mark.slow
def test_concurrent_runs_share_a_cache(tmp_path: Path, reference: Run) -> None:
    folder = tmp_path / "cache"
    procs = [subprocess.Popen([sys.executable, "-m", "unbounded_lint", "--isolated", "--format", "json",
                               "--cache-dir", str(folder), "-j", "2", *ALL_RULES, *CORPUS],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=clean_env()) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outs):
        assert (proc.returncode, err) == (1, ""), err
        assert out == reference.stdout
    assert not [p for p in folder.rglob("*.tmp")], "temporary cache files left behind"


LIBCST_PROBE = (
    "import sys; from unbounded_lint.cli import main; rc = main({args!r}); "
    "assert 'libcst' not in sys.modules, 'libcst imported'; sys.exit(rc)"
)


@pytest.mark.slow
def test_warm_run_does_not_import_libcst(tmp_path: Path) -> None:
    folder = str(tmp_path / "cache")
    args = ["--isolated", "--format", "json", "--cache-dir", folder, *ALL_RULES, *CORPUS]
    for phase in ("cold", "warm"):
        proc = subprocess.run([sys.executable, "-c", LIBCST_PROBE.format(args=args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120, env=clean_env())
        assert proc.returncode == 1, (phase, proc.stderr[-2000:])
        assert "libcst imported" not in proc.stderr


# --------------------------------------------------------------------------- memory

MEMORY_PROBE = textwrap.dedent("""
    import resource, sys
    from unbounded_lint.runner import lint_files
    from unbounded_lint.types import Settings

    paths = sys.argv[1:]
    settings = Settings()
    peaks = []
    total = 0
    for start in range(0, len(paths), 100):
        results = lint_files(paths[start:start + 100], lambda p: settings, jobs=1, timeout=60)
        total += sum(len(r.findings) for r in results)
        assert not [r.error for r in results if r.error], [r.error for r in results if r.error][:3]
        peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(total, peaks[1], peaks[-1])
""")

MODULE = '''\
"""Generated module {i}: a service with a few containers, bounded and not."""
import collections
import queue


class Service{i}:
    def __init__(self, name_{i}):
        self.name_{i} = name_{i}
        self.history_{i} = []
        self.index_{i} = {{}}
        self.bounded_{i} = collections.deque(maxlen={n})
        self.inbox_{i} = queue.Queue()
        self.pending_{i} = []

    def record_{i}(self, item):
        self.history_{i}.append((item, "{text}"))
        self.index_{i}[item] = len(self.history_{i})
        self.bounded_{i}.append(item)
        self.inbox_{i}.put(item)

    def take_{i}(self):
        if len(self.pending_{i}) > {n}:
            self.pending_{i}.pop(0)
        self.pending_{i}.append(self.name_{i})
        return sorted(self.history_{i})[:{n}]


def helper_{i}(values):
    out = []
    for v in values:
        out.append(v * {n})
    return out
'''


@pytest.mark.slow
def test_worker_memory_stays_flat(tmp_path: Path) -> None:
    paths = []
    for i in range(2000):
        path = tmp_path / f"m{i:04d}.py"
        path.write_text(MODULE.format(i=i, n=10 + i, text="x" * (i % 97)))
        paths.append(str(path))
    proc = subprocess.run([sys.executable, "-c", MEMORY_PROBE, *paths], capture_output=True, text=True,
                          timeout=300, env=clean_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    total, after_200, after_2000 = map(int, proc.stdout.split())
    assert total >= 2000 * 3
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    growth_mb = (after_2000 - after_200) * unit / 1024 / 1024
    assert growth_mb < 30, f"peak RSS grew by {growth_mb:.1f} MB between file 200 and file 2000"


# --------------------------------------------------------------------------- file stats

STATS_LEAK = ("class Bot:\n    def __init__(self):\n        self.history = []\n\n"
              "    def on_tick(self, t):\n        self.history.append(t)\n")
STATS_QUIET = STATS_LEAK.replace("append", "remove")  # the same size: a removal, no finding


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    reads: List[str] = []
    real = runner.read_timed

    def counted(path: str, max_size: int, timeout: float):  # type: ignore[no-untyped-def]
        reads.append(path)
        return real(path, max_size, timeout)

    monkeypatch.setattr(runner, "read_timed", counted)
    return reads


def _lint(paths: List[str], cache: Cache) -> List[FileResult]:
    return runner.lint_files(paths, lambda p: Settings(), jobs=1, cache=cache)


def test_a_warm_run_reads_no_unchanged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file stats give an unchanged file's hash: a warm run neither reads nor hashes it."""
    paths = []
    for i in range(5):
        (tmp_path / f"m{i}.py").write_text(STATS_LEAK if i % 2 else STATS_QUIET)
        paths.append(str(tmp_path / f"m{i}.py"))
    reads = _counting_reads(monkeypatch)
    cold = _lint(paths, Cache(str(tmp_path / "cache")))
    assert sorted(reads) == sorted(paths)
    reads.clear()
    warm = _lint(paths, Cache(str(tmp_path / "cache")))
    assert reads == []
    assert [(r.path, r.findings) for r in warm] == [(r.path, r.findings) for r in cold]
    assert sum(len(r.findings) for r in warm) == 2


def test_an_edit_that_keeps_size_and_modification_time_is_seen(tmp_path: Path) -> None:
    """Tools that restore timestamps cannot hide an edit: the status-change time moves."""
    import os

    path = tmp_path / "bot.py"
    path.write_text(STATS_QUIET)
    assert len(STATS_QUIET) == len(STATS_LEAK)
    before = os.stat(path)
    assert [r.findings for r in _lint([str(path)], Cache(str(tmp_path / "cache")))] == [()]
    path.write_text(STATS_LEAK)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = _lint([str(path)], Cache(str(tmp_path / "cache")))
    assert [f.code for f in after[0].findings] == ["UBL001"]


def test_file_stats_that_do_not_verify_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stats file planted or damaged in the cache folder is not trusted: every file is read."""
    path = tmp_path / "bot.py"
    path.write_text(STATS_LEAK)
    cache_dir = tmp_path / "cache"
    _lint([str(path)], Cache(str(cache_dir)))
    stats_file = cache_dir / cache_mod.STATS_NAME
    assert stats_file.is_file()
    body = stats_file.read_bytes()
    stats_file.write_bytes(body.replace(b'"files"', b'"filez"', 1))  # breaks the MAC
    reads = _counting_reads(monkeypatch)
    again = _lint([str(path)], Cache(str(cache_dir)))
    assert reads == [str(path)]
    assert [f.code for f in again[0].findings] == ["UBL001"]
