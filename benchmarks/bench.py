#!/usr/bin/env python3
"""Speed benchmark: unbounded-lint against flake8 + flake8-bugbear, ruff and fixit.

Run ``python benchmarks/bench.py --help`` for the options and see ``benchmarks/README.md`` for
what is measured and how. In short:

1. Two virtual environments are created under ``benchmarks/.venv/``: ``tools`` holds the pinned
   competitors from ``requirements-bench.txt``; ``ubl`` holds a snapshot of this repository's
   working tree (see ``setup_ubl_venv``). They are kept apart so that flake8 does not also load
   unbounded-lint's flake8 plugin (flake8 runs every installed plugin, whatever ``--select``
   says).
2. The wheels pinned in ``corpus.txt`` are downloaded into ``benchmarks/.corpus/wheels`` and
   their ``.py`` files (only those) are unpacked into ``benchmarks/.corpus/tree``.
3. Every tool is timed on that same tree, with the same number of worker processes/threads,
   ``--runs`` times; the median wall time, lines per second, CPU time and peak RSS are
   reported and written to ``benchmarks/RESULTS.md``.

This script only uses the standard library. It is not part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
CORPUS_FILE = BENCH_DIR / "corpus.txt"
REQUIREMENTS_FILE = BENCH_DIR / "requirements-bench.txt"
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
# RESULTS.md from this line on holds numbers of the other benchmarks (many_attributes.py,
# soak.py), recorded by hand; rewriting the speed report keeps them.

WORK_DIR = BENCH_DIR / ".corpus"  # git-ignored
WHEEL_DIR = WORK_DIR / "wheels"
TREE_DIR = WORK_DIR / "tree"
SAMPLE_DIR = WORK_DIR / "fixit-sample"
FIX_DIR = WORK_DIR / "fix-copy"
LOG_DIR = WORK_DIR / "logs"
MANIFEST_FILE = WORK_DIR / "manifest.json"
RESULTS_JSON = WORK_DIR / "results.json"

VENV_ROOT = BENCH_DIR / ".venv"  # git-ignored
TOOLS_VENV = VENV_ROOT / "tools"
UBL_VENV = VENV_ROOT / "ubl"

TARGET_PYTHON = "3.11"  # the wheels are the ones pip picks for CPython 3.11

# Directory names that at least one of the tools skips by default (ruff's and flake8's default
# excludes). They are pruned from the unpacked tree so that every tool sees exactly the same
# files; the pruning is reported. Directories whose name starts with "." are pruned as well.
PRUNE_DIR_NAMES = frozenset(
    {
        "__pycache__", "__pypackages__", "_build", "buck-out", "build", "CVS", "dist",
        "node_modules", "site-packages", "venv",
    }
)

# Names of the benchmark cases, in the order they run.
CASE_KEYS = (
    "ubl-cold", "ubl-warm", "ubl-fix", "flake8-bugbear", "ruff-cold", "ruff-warm", "fixit",
)

# The findings exit code of every tool is 1; 0 means "nothing found".
OK_RETURN_CODES = (0, 1)
# unbounded-lint exits 2 when it reports a per-file error (a file it could not lint) and still
# lints the rest; that run counts, with the errors noted. A crash or a usage error does not.
UBL_RETURN_CODES = (0, 1, 2)
CRASH_MARKERS = ("Traceback (most recent call last)", "internal error", "usage:")

# Targets from the issue, evaluated at the end (see README.md).
TARGET_COLD_VS_FLAKE8 = 4.0  # unbounded-lint cold throughput >= 4x flake8 + bugbear
TARGET_COLD_VS_FIXIT = 10.0  # >= 10x fixit lint
TARGET_WARM_VS_RUFF = 5.0  # unbounded-lint warm time <= 5x ruff warm time
TARGET_RSS_MB = 250.0  # peak RSS per worker process < 250 MB
TARGET_FIX_VS_COLD = 3.0  # --fix on a fresh copy <= 3x cold check time

# fixit has no option for its number of worker processes: it uses trailrunner's
# ProcessPoolExecutor, whose default is os.cpu_count(). This shim pins it to --jobs and then
# runs fixit's own command line (``fixit lint PATHS``) unchanged.
FIXIT_SHIM = r"""
import multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
import trailrunner
workers = int(sys.argv.pop(1))
trailrunner.Trailrunner.DEFAULT_EXECUTOR = staticmethod(lambda: ProcessPoolExecutor(
    workers, mp_context=multiprocessing.get_context("spawn")))
from fixit.cli import main
sys.argv[0] = "fixit"
main()
"""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def rel(path: Path) -> str:
    """A path relative to the repository root (never write this machine's absolute paths)."""
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def venv_bin(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def run_checked(argv: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    log("$ " + " ".join(shlex.quote(rel(Path(a)) if a.startswith("/") else a) for a in argv))
    return subprocess.run(list(argv), check=True, **kwargs)


def sha256_text(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Environments
# --------------------------------------------------------------------------------------------


def ensure_venv(venv: Path, python: str, install: Sequence[str], stamp: str) -> None:
    """Create ``venv`` with ``python`` and ``pip install`` ``install`` unless already done."""
    stamp_file = venv / ".bench-stamp"
    if venv_bin(venv, "python").exists() and stamp_file.exists():
        if stamp_file.read_text() == stamp:
            return
    if not venv_bin(venv, "python").exists():
        venv.parent.mkdir(parents=True, exist_ok=True)
        run_checked([python, "-m", "venv", str(venv)])
    run_checked([str(venv_bin(venv, "python")), "-m", "pip", "install", "--quiet", *install])
    stamp_file.write_text(stamp)


def setup_tools_venv(python: str) -> None:
    requirements = REQUIREMENTS_FILE.read_text()
    ensure_venv(
        TOOLS_VENV, python, ["-r", str(REQUIREMENTS_FILE)], sha256_text(python, requirements)
    )


SNAPSHOT_FILES = ("pyproject.toml", "README.md", "LICENSE", "LICENSE.txt", "setup.cfg")
SNAPSHOT_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def source_digest() -> str:
    """A hash of the working tree's packaging files and src/ (uncommitted changes included)."""
    digest = hashlib.sha256()
    paths = [REPO_ROOT / name for name in SNAPSHOT_FILES if (REPO_ROOT / name).is_file()]
    paths += sorted(
        p for p in (REPO_ROOT / "src").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p)
        and p.suffix != ".pyc"
    )
    for path in paths:
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def setup_ubl_venv(python: str) -> Optional[str]:
    """Install a snapshot of the working tree into its own venv; an error message on failure.

    Not ``pip install -e``: with an editable install, edits to src/ during a benchmark run
    change the code being measured between runs (and invalidate the warm cache halfway). The
    snapshot is a copy of pyproject.toml, README.md and src/ as they are now, uncommitted
    changes included, installed normally; it is redone whenever those files change.
    """
    digest = source_digest()
    stamp = sha256_text(python, digest)
    stamp_file = UBL_VENV / ".bench-stamp"
    if venv_bin(UBL_VENV, "python").exists() and stamp_file.exists():
        if stamp_file.read_text() == stamp:
            return None
    ubl_python = str(venv_bin(UBL_VENV, "python"))
    try:
        if not venv_bin(UBL_VENV, "python").exists():
            VENV_ROOT.mkdir(parents=True, exist_ok=True)
            run_checked([python, "-m", "venv", str(UBL_VENV)])
        with tempfile.TemporaryDirectory(prefix="ubl-snapshot-") as tmp:
            snapshot = Path(tmp) / "unbounded-lint"
            shutil.copytree(REPO_ROOT / "src", snapshot / "src", ignore=SNAPSHOT_IGNORE)
            for name in SNAPSHOT_FILES:
                if (REPO_ROOT / name).is_file():
                    shutil.copy2(REPO_ROOT / name, snapshot / name)
            run_checked([ubl_python, "-m", "pip", "install", "--quiet", str(snapshot)])
            run_checked([ubl_python, "-m", "pip", "install", "--quiet", "--no-deps",
                         "--force-reinstall", str(snapshot)])
    except (subprocess.CalledProcessError, OSError) as exc:
        stamp_file.unlink(missing_ok=True)
        return f"installing a snapshot of the repository failed ({exc})"
    commit = command_output(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"])
    dirty = command_output(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "src",
                            "pyproject.toml"])
    (UBL_VENV / ".bench-source.json").write_text(json.dumps(
        {"commit": commit, "uncommitted_changes": bool(dirty), "digest": digest[:12]}))
    stamp_file.write_text(stamp)
    return None


# --------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------


def read_corpus() -> List[Tuple[str, str]]:
    packages = []
    for raw in CORPUS_FILE.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.!+_-]+)", line)
        if not match:
            raise SystemExit(f"{rel(CORPUS_FILE)}: cannot parse {raw!r} (want name==version)")
        packages.append((match.group(1), match.group(2)))
    return packages


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_wheel(name: str, version: str) -> Optional[Path]:
    if not WHEEL_DIR.is_dir():
        return None
    for wheel in sorted(WHEEL_DIR.glob("*.whl")):
        parts = wheel.name.split("-")
        if len(parts) >= 3 and normalize(parts[0]) == normalize(name) and parts[1] == version:
            return wheel
    return None


def count_lines(data: bytes) -> int:
    """Physical lines: newline characters, plus one for an unterminated last line."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def is_pruned(member: str) -> bool:
    directories = member.split("/")[:-1]
    return any(d in PRUNE_DIR_NAMES or d.startswith(".") for d in directories)


MARKER_PYPROJECT = """\
# Written by benchmarks/bench.py. Marks the root of the benchmark corpus, so that tools stop
# looking upward for configuration here: unbounded-lint and fixit take the nearest
# pyproject.toml with their table (empty: defaults) as the project root; ruff and flake8 are
# run with --isolated.
[tool.unbounded-lint]

[tool.fixit]
root = true
"""


def write_marker(directory: Path) -> None:
    """Make ``directory`` a project root of its own: a pyproject.toml and an empty git repo.

    The corpus lives in a git-ignored folder of this repository; tools that respect
    .gitignore (unbounded-lint asks ``git ls-files``, trailrunner and ruff read .gitignore
    files up to the repository root) would otherwise skip the whole tree. An empty nested
    repository stops that and makes the tree look like an ordinary checkout.
    """
    (directory / "pyproject.toml").write_text(MARKER_PYPROJECT)
    if not (directory / ".git").exists():
        subprocess.run(["git", "init", "--quiet", str(directory)], check=True)


def ensure_corpus(packages: List[Tuple[str, str]]) -> dict:
    """Download and unpack the corpus unless the manifest says it is already there."""
    key = sha256_text(
        CORPUS_FILE.read_text(), ",".join(sorted(PRUNE_DIR_NAMES)), MARKER_PYPROJECT, "v2"
    )
    if MANIFEST_FILE.exists() and TREE_DIR.is_dir():
        manifest = json.loads(MANIFEST_FILE.read_text())
        if manifest.get("key") == key:
            log(f"corpus up to date: {manifest['total_lines']:,} lines in "
                f"{manifest['total_files']:,} .py files")
            return manifest

    missing = [f"{n}=={v}" for n, v in packages if find_wheel(n, v) is None]
    if missing:
        WHEEL_DIR.mkdir(parents=True, exist_ok=True)
        run_checked(
            [str(venv_bin(TOOLS_VENV, "python")), "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "--python-version", TARGET_PYTHON, "-d", str(WHEEL_DIR),
             *missing]
        )

    if TREE_DIR.exists():
        shutil.rmtree(TREE_DIR)
    TREE_DIR.mkdir(parents=True)
    write_marker(TREE_DIR)
    manifest = {"key": key, "packages": [], "files": {}, "pruned": []}
    for name, version in packages:
        wheel = find_wheel(name, version)
        if wheel is None:
            raise SystemExit(f"no wheel for {name}=={version} in {rel(WHEEL_DIR)}")
        top = f"{normalize(name)}-{version}"
        n_files = n_lines = 0
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.endswith(".py"):
                    continue
                if is_pruned(info.filename):
                    manifest["pruned"].append(f"{top}/{info.filename}")
                    continue
                data = archive.read(info)
                target = TREE_DIR / top / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                lines = count_lines(data)
                manifest["files"][f"{top}/{info.filename}"] = lines
                n_files += 1
                n_lines += lines
        manifest["packages"].append(
            {"name": name, "version": version, "wheel": wheel.name, "files": n_files,
             "lines": n_lines}
        )
        log(f"unpacked {name}=={version}: {n_files:,} .py files, {n_lines:,} lines")
    manifest["total_files"] = len(manifest["files"])
    manifest["total_lines"] = sum(manifest["files"].values())
    if manifest["pruned"]:
        log(f"pruned {len(manifest['pruned'])} .py files in directories some tool excludes")
    MANIFEST_FILE.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    log(f"corpus: {manifest['total_lines']:,} lines in {manifest['total_files']:,} .py files")
    return manifest


def build_fixit_sample(manifest: dict, fraction: float) -> Tuple[Path, int, int]:
    """Hard-link every k-th file (sorted by path) into SAMPLE_DIR. Returns (dir, files, lines)."""
    files = sorted(manifest["files"])
    if fraction >= 1.0:
        return TREE_DIR, len(files), manifest["total_lines"]
    stride = max(1, round(1.0 / fraction))
    chosen = files[::stride]
    if SAMPLE_DIR.exists():
        shutil.rmtree(SAMPLE_DIR)
    SAMPLE_DIR.mkdir(parents=True)
    write_marker(SAMPLE_DIR)
    for relpath in chosen:
        target = SAMPLE_DIR / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(TREE_DIR / relpath, target)
        except OSError:
            shutil.copyfile(TREE_DIR / relpath, target)
    lines = sum(manifest["files"][f] for f in chosen)
    log(f"fixit sample: one file in {stride}: {len(chosen):,} files, {lines:,} lines")
    return SAMPLE_DIR, len(chosen), lines


def preread(directory: Path) -> None:
    """Read every file once so that all tools start with the same (warm) OS page cache."""
    total = 0
    for path in directory.rglob("*.py"):
        total += len(path.read_bytes())
    log(f"pre-read {total / 1e6:.1f} MB of source from {rel(directory)}")


# --------------------------------------------------------------------------------------------
# Measuring one run
# --------------------------------------------------------------------------------------------

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU seconds all processes of the machine have spent so far (from /proc/stat)."""
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()
    except OSError:
        return float("nan")
    # cpu user nice system idle iowait irq softirq steal ...
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[1:8])
    return (user + nice + system + irq + softirq) / CLOCK_TICKS


class SessionRssSampler(threading.Thread):
    """Polls /proc and records the peak of the summed RSS of every process in a session."""

    def __init__(self, session_id: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.session_id = session_id
        self.interval = interval
        self.peak_bytes = 0
        self.peak_processes = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        total = count = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2:].split()
            # fields[0] is the state (field 3 of proc(5)); session is field 6, rss field 24.
            if int(fields[3]) == self.session_id:
                total += int(fields[21]) * PAGE_SIZE
                count += 1
        if total > self.peak_bytes:
            self.peak_bytes = total
        self.peak_processes = max(self.peak_processes, count)

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


@dataclasses.dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the process and its reaped descendants
    maxrss_mb: float  # largest single process (see README)
    session_rss_mb: float  # sampled peak of the sum over all processes
    processes: int
    returncode: int
    output_lines: int
    stderr_lines: int
    background_cores: float  # CPU used by *other* processes during the run, in cores


class RunFailed(Exception):
    pass


def run_measured(
    argv: Sequence[str], cwd: Path, env: Dict[str, str], log_stem: str, timeout: float,
    rss_interval: float, ok_returncodes: Sequence[int] = OK_RETURN_CODES,
    traceback_is_crash: bool = True,
) -> Run:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    out_path = LOG_DIR / f"{log_stem}.out"
    err_path = LOG_DIR / f"{log_stem}.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        busy_before = busy_cpu_seconds()
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                list(argv), cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            raise RunFailed(f"could not start {argv[0]}: {exc}") from None
        sampler = SessionRssSampler(proc.pid, rss_interval)
        sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        busy_after = busy_cpu_seconds()
        timer.cancel()
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
    stderr_text = err_path.read_text(errors="replace")
    if timed_out.is_set():
        raise RunFailed(f"timed out after {timeout:.0f} s")
    crashed = any(marker in stderr_text for marker in CRASH_MARKERS) and traceback_is_crash
    if proc.returncode not in ok_returncodes or crashed:
        tail = "\n".join(stderr_text.strip().splitlines()[-6:])
        raise RunFailed(f"exit code {proc.returncode}; stderr ends with:\n{tail}")
    with open(out_path, "rb") as handle:
        output_lines = sum(1 for _ in handle)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(
        wall=wall,
        cpu=cpu,
        maxrss_mb=usage.ru_maxrss * 1024 / 1e6,  # Linux reports KiB
        session_rss_mb=sampler.peak_bytes / 1e6,
        processes=sampler.peak_processes,
        returncode=proc.returncode,
        output_lines=output_lines,
        stderr_lines=len(stderr_text.splitlines()),
        background_cores=max(0.0, (busy_after - busy_before - cpu) / wall) if wall > 0 else 0.0,
    )


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Case:
    key: str
    tool: str
    mode: str  # "cold", "warm" or "fix"
    argv: List[str]
    display: str  # the command as documented (no absolute paths)
    cwd: Path
    env: Dict[str, str]
    files: int
    lines: int
    parallelism: str
    prime: Optional[Callable[[], None]] = None  # once, untimed, before the timed runs
    before_each: Optional[Callable[[], None]] = None  # untimed, before every timed run
    after_all: Optional[Callable[[], str]] = None  # returns a note
    sample: bool = False
    ok_returncodes: Tuple[int, ...] = OK_RETURN_CODES
    traceback_is_crash: bool = True  # a Python traceback on stderr means the tool crashed


@dataclasses.dataclass
class CaseResult:
    key: str
    tool: str
    mode: str
    display: str
    files: int
    lines: int
    parallelism: str
    runs: List[Run] = dataclasses.field(default_factory=list)
    error: Optional[str] = None
    note: str = ""
    sample: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.median

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        if self.ok:
            data["median"] = self.median
            data["lines_per_second"] = self.lines_per_second
        return data


def base_env(venv: Path) -> Dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(venv)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def build_cases(args: argparse.Namespace, manifest: dict) -> List[Case]:
    jobs = str(args.jobs)
    files, lines = manifest["total_files"], manifest["total_lines"]
    tools_env = base_env(TOOLS_VENV)
    ruff_env = dict(tools_env, RAYON_NUM_THREADS=jobs)
    ubl_env = base_env(UBL_VENV)
    ubl_env.pop("UNBOUNDED_LINT_CACHE_DIR", None)  # the cache goes to the tree's root
    ubl = str(venv_bin(UBL_VENV, "unbounded-lint"))
    ruff = str(venv_bin(TOOLS_VENV, "ruff"))
    ruff_args = ["check", "--isolated", "--select", "B019,SIM115", "--output-format", "concise"]
    ruff_display = " ".join(ruff_args)
    cases: List[Case] = []

    def clear_ubl_cache() -> None:
        for name in (".unbounded_lint_cache", ".unbounded-lint-cache"):
            remove(TREE_DIR / name)

    def prime_ubl() -> None:
        clear_ubl_cache()
        run_measured([ubl, "-j", jobs, "."], TREE_DIR, ubl_env, "ubl-warm-prime", args.timeout,
                     args.rss_interval, UBL_RETURN_CODES)

    def fresh_fix_copy() -> None:
        remove(FIX_DIR)
        shutil.copytree(TREE_DIR, FIX_DIR, ignore=shutil.ignore_patterns(".*cache*"))

    def count_fixed() -> str:
        changed = sum(
            1 for relpath in manifest["files"]
            if (FIX_DIR / relpath).read_bytes() != (TREE_DIR / relpath).read_bytes()
        )
        remove(FIX_DIR)
        return f"--fix rewrote {changed:,} of {files:,} files (last run)"

    cases.append(Case(
        "ubl-cold", "unbounded-lint", "cold", [ubl, "--no-cache", "-j", jobs, "."],
        f"unbounded-lint --no-cache -j {jobs} .", TREE_DIR, ubl_env, files, lines,
        f"-j {jobs}", ok_returncodes=UBL_RETURN_CODES))
    cases.append(Case(
        "ubl-warm", "unbounded-lint", "warm", [ubl, "-j", jobs, "."],
        f"unbounded-lint -j {jobs} .  (after one untimed priming run)", TREE_DIR, ubl_env,
        files, lines, f"-j {jobs}", prime=prime_ubl, ok_returncodes=UBL_RETURN_CODES))
    cases.append(Case(
        "ubl-fix", "unbounded-lint", "fix", [ubl, "--fix", "--no-cache", "-j", jobs, "."],
        f"unbounded-lint --fix --no-cache -j {jobs} .  (on a fresh copy of the tree each run)",
        FIX_DIR, ubl_env, files, lines, f"-j {jobs}", before_each=fresh_fix_copy,
        after_all=count_fixed, ok_returncodes=UBL_RETURN_CODES))
    cases.append(Case(
        "flake8-bugbear", "flake8 + flake8-bugbear", "cold",
        [str(venv_bin(TOOLS_VENV, "flake8")), "--isolated", "--select", "B", "-j", jobs, "."],
        f"flake8 --isolated --select B -j {jobs} .", TREE_DIR, tools_env, files, lines,
        f"-j {jobs}"))
    cases.append(Case(
        "ruff-cold", "ruff", "cold", [ruff, *ruff_args, "--no-cache", "."],
        f"ruff {ruff_display} --no-cache .", TREE_DIR, ruff_env, files, lines,
        f"RAYON_NUM_THREADS={jobs}"))
    cases.append(Case(
        "ruff-warm", "ruff", "warm", [ruff, *ruff_args, "."],
        f"ruff {ruff_display} .  (after one untimed priming run)", TREE_DIR, ruff_env, files,
        lines, f"RAYON_NUM_THREADS={jobs}",
        prime=lambda: (remove(TREE_DIR / ".ruff_cache"),
                       run_measured([ruff, *ruff_args, "."], TREE_DIR, ruff_env,
                                    "ruff-warm-prime", args.timeout, args.rss_interval))))
    sample_dir, sample_files, sample_lines = build_fixit_sample(manifest, args.fixit_sample)

    def fixit_exceptions() -> str:
        logs = [LOG_DIR / f"fixit-{i}.out" for i in range(args.runs, 0, -1)]
        last = next((path for path in logs if path.exists()), None)
        text = last.read_text(errors="replace") if last else ""
        failed = len(re.findall(r"^\S+: EXCEPTION: ", text, re.MULTILINE))
        return f"fixit could not lint {failed} of {sample_files:,} files (exceptions, last run)"
    cases.append(Case(
        "fixit", "fixit", "cold",
        [str(venv_bin(TOOLS_VENV, "python")), "-c", FIXIT_SHIM, jobs, "lint", "."],
        f"fixit lint .  ({jobs} worker processes" +
        (f"; on a {args.fixit_sample:.0%} sample of the files" if sample_dir != TREE_DIR else "")
        + ")",
        sample_dir, tools_env, sample_files, sample_lines, f"{jobs} workers (shim)",
        sample=sample_dir != TREE_DIR, after_all=fixit_exceptions,
        # fixit exits with 1 for lint errors, | 2 when some file raised (e.g. a syntax error
        # libcst cannot parse); it prints those per-file tracebacks on stdout, not stderr.
        ok_returncodes=(0, 1, 2, 3)))
    return cases


def ubl_preflight(env: Dict[str, str], jobs: int, manifest: dict, timeout: float) -> Optional[str]:
    """Check that the unbounded-lint CLI runs at all. Returns an error message, or None."""
    ubl = venv_bin(UBL_VENV, "unbounded-lint")
    if not ubl.exists():
        return "the `unbounded-lint` console script is not installed"
    one_file = sorted(manifest["files"])[0]
    for argv in ([str(ubl), "--help"], [str(ubl), "--no-cache", "-j", str(jobs), one_file]):
        try:
            proc = subprocess.run(argv, cwd=TREE_DIR, env=env, capture_output=True, text=True,
                                  timeout=min(timeout, 300))
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"`{' '.join(argv[1:])}` could not run: {exc}"
        expected = (0,) if argv[1] == "--help" else OK_RETURN_CODES
        if proc.returncode not in expected or "Traceback (most recent call last)" in proc.stderr:
            tail = proc.stderr.strip().splitlines()[-1:] or ["(no stderr)"]
            return (f"`unbounded-lint {' '.join(argv[1:2])}...` exited {proc.returncode}: "
                    f"{tail[0][:200]}")
    return None


def verify_discovery(manifest: dict, include_ubl: bool) -> Dict[str, object]:
    """Ask each competitor which files it would lint in the tree; they must all match."""
    expected = manifest["total_files"]
    found: Dict[str, object] = {}
    try:
        proc = subprocess.run(
            [str(venv_bin(TOOLS_VENV, "ruff")), "check", "--isolated", "--show-files", "."],
            cwd=TREE_DIR, capture_output=True, text=True, env=base_env(TOOLS_VENV))
        found["ruff"] = sum(1 for line in proc.stdout.splitlines() if line.endswith(".py"))
    except OSError as exc:
        found["ruff"] = f"error: {exc}"
    snippets = {
        "flake8": "from flake8.discover_files import expand_paths\n"
                  "from flake8.defaults import EXCLUDE\n"
                  "print(sum(1 for _ in expand_paths(paths=['.'], stdin_display_name='stdin',"
                  " filename_patterns=['*.py'], exclude=list(EXCLUDE))))",
        "fixit": "import trailrunner, pathlib\n"
                 "print(sum(1 for _ in trailrunner.walk(pathlib.Path('.'))))",
    }
    interpreters = {"flake8": TOOLS_VENV, "fixit": TOOLS_VENV}
    if include_ubl and venv_bin(UBL_VENV, "python").exists():
        # unbounded-lint has no --show-files; this uses its (internal) discovery function and is
        # skipped quietly if that API has changed.
        snippets["unbounded-lint"] = (
            "import os\n"
            "from unbounded_lint.config import discover_files, find_pyproject, load_config\n"
            "config = load_config(find_pyproject(os.path.abspath('.')), {})\n"
            "print(len(discover_files(['.'], config)))")
        interpreters["unbounded-lint"] = UBL_VENV
    for tool, code in snippets.items():
        venv = interpreters[tool]
        proc = subprocess.run([str(venv_bin(venv, "python")), "-c", code], cwd=TREE_DIR,
                              capture_output=True, text=True, env=base_env(venv))
        if proc.returncode == 0 and proc.stdout.strip().isdigit():
            found[tool] = int(proc.stdout)
        elif tool == "unbounded-lint":
            log("file discovery: unbounded-lint's discover_files API is not available; skipped")
        else:
            found[tool] = f"error: {proc.stderr[-200:]}"
    for tool, count in found.items():
        status = "ok" if count == expected else f"MISMATCH (expected {expected})"
        log(f"file discovery: {tool} sees {count} files: {status}")
    return found


def run_cases(cases: List[Case], args: argparse.Namespace) -> Dict[str, CaseResult]:
    """Time every case ``args.runs`` times, round-robin.

    Round ``i`` runs every case once before round ``i + 1`` starts, so that load from other
    processes on a shared machine is spread over all tools instead of hitting whichever tool
    happened to run at a busy moment. Warm cases are primed before the first round (the cold
    cases neither read nor write the caches, and ``--fix`` works on a separate copy).
    """
    results = {
        case.key: CaseResult(case.key, case.tool, case.mode, case.display, case.files,
                             case.lines, case.parallelism, sample=case.sample)
        for case in cases
    }
    for case in cases:
        log(f"{case.key}: {case.display}")
        if case.prime:
            log(f"{case.key}: priming run (untimed)")
            try:
                case.prime()
            except RunFailed as exc:
                results[case.key].error = f"priming run failed: {exc}"
                log(f"{case.key}: FAILED: {exc}")
    stopped = set()
    for index in range(args.runs):
        for case in cases:
            result = results[case.key]
            if result.error or case.key in stopped:
                continue
            spent = sum(r.wall for r in result.runs)
            if result.runs and args.max_case_seconds and (
                    spent + spent / len(result.runs) > args.max_case_seconds):
                log(f"{case.key}: no more runs after {len(result.runs)} "
                    f"(--max-case-seconds {args.max_case_seconds:g})")
                stopped.add(case.key)
                continue
            try:
                if case.before_each:
                    case.before_each()
                run = run_measured(case.argv, case.cwd, case.env, f"{case.key}-{index + 1}",
                                   args.timeout, args.rss_interval, case.ok_returncodes,
                                   case.traceback_is_crash)
            except RunFailed as exc:
                result.error = str(exc)
                log(f"{case.key}: FAILED: {exc}")
                continue
            result.runs.append(run)
            log(f"{case.key}: run {index + 1}/{args.runs}: {run.wall:.2f} s wall, "
                f"{run.cpu:.1f} s CPU, max RSS {run.maxrss_mb:.0f} MB/process, "
                f"{run.session_rss_mb:.0f} MB all processes, exit {run.returncode}, "
                f"{run.output_lines} output lines, other processes used "
                f"{run.background_cores:.2f} cores")
    for case in cases:
        result = results[case.key]
        notes = []
        if case.tool == "unbounded-lint" and any(r.returncode == 2 for r in result.runs):
            notes.append(f"exited 2 after reporting {result.runs[-1].stderr_lines} per-file "
                         f"error lines on stderr (see {rel(LOG_DIR)}/{case.key}-*.err)")
        if case.after_all and result.runs:
            try:
                notes.append(case.after_all())
            except OSError as exc:
                notes.append(f"(could not inspect the output: {exc})")
        result.note = "; ".join(notes)
    return results


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def command_output(argv: Sequence[str], env: Optional[Dict[str, str]] = None) -> str:
    try:
        proc = subprocess.run(list(argv), capture_output=True, text=True, env=env, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (proc.stdout or proc.stderr).strip()


def machine_description() -> Dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""

    def cpu_field(name: str) -> str:
        match = re.search(rf"^{name}\s*:\s*(.*)$", cpuinfo, re.MULTILINE)
        return match.group(1).strip() if match else "?"

    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    os_release = Path("/etc/os-release").read_text() if Path("/etc/os-release").exists() else ""
    pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)"?', os_release, re.MULTILINE)
    python = str(venv_bin(TOOLS_VENV, "python"))
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": f"{os.cpu_count()} (nproc: {len(os.sched_getaffinity(0))})",
        "cpu model": cpu_field("model name"),
        "cpu MHz": cpu_field("cpu MHz"),
        "cache size": cpu_field("cache size"),
        "memory": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
        "os": f"{pretty.group(1) if pretty else platform.system()}, "
              f"kernel {platform.release()}",
        "python": command_output([python, "-c", "import sys; print(sys.version.split()[0])"]) +
                  f" ({platform.python_implementation()})",
    }


def tool_versions() -> Dict[str, str]:
    python = str(venv_bin(TOOLS_VENV, "python"))
    code = ("import importlib.metadata as m\n"
            "for d in ('flake8', 'flake8-bugbear', 'ruff', 'fixit', 'libcst'):\n"
            "    print(d, m.version(d))")
    versions = dict(line.split(" ", 1)
                    for line in command_output([python, "-c", code]).splitlines()
                    if " " in line)
    ubl_python = venv_bin(UBL_VENV, "python")
    if ubl_python.exists():
        versions["unbounded-lint"] = command_output([
            str(ubl_python), "-c",
            "import importlib.metadata as m; print(m.version('unbounded-lint'))"])
        versions["libcst (unbounded-lint venv)"] = command_output([
            str(ubl_python), "-c", "import importlib.metadata as m; print(m.version('libcst'))"])
    source = UBL_VENV / ".bench-source.json"
    if source.exists():
        info = json.loads(source.read_text())
        versions["unbounded-lint source"] = (
            f"snapshot of commit {info['commit']}"
            + (" with uncommitted changes" if info["uncommitted_changes"] else "")
            + f" (src digest {info['digest']})")
    return versions


def fmt_seconds(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def cpu_median(result: CaseResult) -> float:
    return statistics.median(r.cpu for r in result.runs)


def evaluate_targets(results: Dict[str, CaseResult]) -> List[Tuple[str, str, str, str]]:
    """(target, measured by wall time, the same by CPU time, status) for each target.

    The status follows the wall-time number, as the targets are stated; the CPU-time number
    (the tools' own user + system time) is shown beside it because it is far less affected by
    other processes on a shared machine, and a disagreement is flagged.
    """
    rows: List[Tuple[str, str, str, str]] = []

    def get(key: str) -> Optional[CaseResult]:
        result = results.get(key)
        return result if result is not None and result.ok else None

    def status(ok: bool, cpu_ok: Optional[bool] = None) -> str:
        text = "met" if ok else "**not met**"
        if cpu_ok is not None and cpu_ok != ok:
            text += " (by CPU time: " + ("met" if cpu_ok else "**not met**") + ")"
        return text

    def missing(*needed: Tuple[Optional[CaseResult], str]) -> str:
        absent = [name for result, name in needed if result is None]
        return "pending (" + ", ".join(f"`{n}` not measured" for n in absent) + ")"

    cold, warm, fix = get("ubl-cold"), get("ubl-warm"), get("ubl-fix")
    flake8, ruff_warm, fixit = get("flake8-bugbear"), get("ruff-warm"), get("fixit")

    name = f"cold throughput ≥ {TARGET_COLD_VS_FLAKE8:g}× flake8 + bugbear (same -j)"
    if cold and flake8:
        ratio = cold.lines_per_second / flake8.lines_per_second
        cpu_ratio = (cold.lines / cpu_median(cold)) / (flake8.lines / cpu_median(flake8))
        rows.append((name, f"{ratio:.2f}×", f"{cpu_ratio:.2f}×",
                     status(ratio >= TARGET_COLD_VS_FLAKE8, cpu_ratio >= TARGET_COLD_VS_FLAKE8)))
    else:
        rows.append((name, "–", "–", missing((cold, "ubl-cold"), (flake8, "flake8-bugbear"))))

    name = f"cold throughput ≥ {TARGET_COLD_VS_FIXIT:g}× `fixit lint`"
    if cold and fixit:
        ratio = cold.lines_per_second / fixit.lines_per_second
        cpu_ratio = (cold.lines / cpu_median(cold)) / (fixit.lines / cpu_median(fixit))
        rows.append((name, f"{ratio:.2f}×", f"{cpu_ratio:.2f}×",
                     status(ratio >= TARGET_COLD_VS_FIXIT, cpu_ratio >= TARGET_COLD_VS_FIXIT)))
    else:
        rows.append((name, "–", "–", missing((cold, "ubl-cold"), (fixit, "fixit"))))

    name = f"warm time ≤ {TARGET_WARM_VS_RUFF:g}× ruff's warm time"
    if warm and ruff_warm:
        ratio = warm.median / ruff_warm.median
        cpu_ratio = cpu_median(warm) / max(cpu_median(ruff_warm), 1e-9)
        rows.append((name, f"{ratio:.2f}×", f"{cpu_ratio:.2f}×",
                     status(ratio <= TARGET_WARM_VS_RUFF, cpu_ratio <= TARGET_WARM_VS_RUFF)))
    else:
        rows.append((name, "–", "–", missing((warm, "ubl-warm"), (ruff_warm, "ruff-warm"))))

    name = f"peak RSS per worker process < {TARGET_RSS_MB:g} MB"
    measured = [r for r in (cold, warm, fix) if r]
    if measured:
        parts = ", ".join(f"{r.mode} {max(x.maxrss_mb for x in r.runs):.0f} MB" for r in measured)
        worst = max(x.maxrss_mb for r in measured for x in r.runs)
        rows.append((name, parts, "–", status(worst < TARGET_RSS_MB)))
    else:
        rows.append((name, "–", "–", missing((None, "ubl-cold"))))

    name = f"`--fix` on a fresh copy ≤ {TARGET_FIX_VS_COLD:g}× cold check time"
    if fix and cold:
        ratio = fix.median / cold.median
        cpu_ratio = cpu_median(fix) / cpu_median(cold)
        rows.append((name, f"{ratio:.2f}×", f"{cpu_ratio:.2f}×",
                     status(ratio <= TARGET_FIX_VS_COLD, cpu_ratio <= TARGET_FIX_VS_COLD)))
    else:
        rows.append((name, "–", "–", missing((fix, "ubl-fix"), (cold, "ubl-cold"))))
    return rows


def render_results(
    args: argparse.Namespace, manifest: dict, results: List[CaseResult], machine: Dict[str, str],
    versions: Dict[str, str], discovery: Dict[str, object], ubl_error: Optional[str],
) -> str:
    by_key = {r.key: r for r in results}
    corpus_lines = manifest["total_lines"]
    out: List[str] = []
    w = out.append
    w("# unbounded-lint speed benchmark: results")
    w("")
    w("Generated by `python benchmarks/bench.py " + " ".join(args.argv_for_report) + "`"
      f" on {machine['date']}. See `benchmarks/README.md` for the method.")
    w("")
    if ubl_error:
        w(f"**Preliminary: unbounded-lint could not be measured** ({ubl_error}). Its rows, the "
          "ratios and the targets are pending; the other tools' baseline numbers below are "
          "final for this corpus and machine. Re-run the script once the CLI works.")
        w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    for key, value in machine.items():
        w(f"| {key} | {value} |")
    w(f"| worker processes / threads per tool | {args.jobs} (`--jobs`) |")
    w("")
    w("Tool versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    w("")
    w("## Corpus")
    w("")
    w(f"Wheels for CPython {TARGET_PYTHON} pinned in `benchmarks/corpus.txt`; only their `.py` "
      "files are unpacked, and every tool lints that same tree. Lines are physical lines "
      "(newline count, plus one for an unterminated last line), counted over all `.py` files.")
    w("")
    w("| package | version | .py files | .py lines |")
    w("|---|---|---:|---:|")
    for package in manifest["packages"]:
        w(f"| {package['name']} | {package['version']} | {package['files']:,} | "
          f"{package['lines']:,} |")
    w(f"| **total** | | **{manifest['total_files']:,}** | **{corpus_lines:,}** |")
    w("")
    if manifest["pruned"]:
        w(f"{len(manifest['pruned'])} `.py` files inside directories that some tool excludes by "
          "default (`build`, `dist`, ...) were left out of the tree so all tools see the same "
          "files.")
        w("")
    disc = ", ".join(f"{tool} {count}" for tool, count in discovery.items())
    w(f"Files each competitor discovers in the tree (expected {manifest['total_files']:,}): "
      f"{disc}.")
    w("")
    w("## Results")
    w("")
    w(f"Up to {args.runs} timed runs per case, made round-robin (see the *runs* column; "
      "`--max-case-seconds` stops slow cases early); times are medians of wall-clock time. "
      "*Ratio to unbounded-lint* = unbounded-lint's lines/s ÷ the tool's lines/s in the same "
      "mode (cold rows against `ubl-cold`, warm rows against `ubl-warm`); on the same lines "
      "that is the tool's time ÷ unbounded-lint's time. Above 1, unbounded-lint is faster.")
    w("")
    w("| case | tool | mode | command (run in the tree's root) | parallelism | files | lines |")
    w("|---|---|---|---|---|---:|---:|")
    for result in results:
        w(f"| `{result.key}` | {result.tool} | {result.mode} | `{result.display}` | "
          f"{result.parallelism} | {result.files:,} | {result.lines:,} |")
    w("")
    w("| case | runs | median s | min–max s | lines/s | CPU s | lines per CPU s | processes "
      "| peak RSS / process MB | peak RSS all processes MB | other load (cores) | exit "
      "| output lines | ratio to unbounded-lint |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    reference = {"cold": by_key.get("ubl-cold"), "warm": by_key.get("ubl-warm"),
                 "fix": by_key.get("ubl-fix")}
    for result in results:
        if not result.ok:
            reason = "pending" if result.tool == "unbounded-lint" else "failed"
            w(f"| `{result.key}` | {reason} | | | | | | | | | | | | |")
            continue
        walls = [r.wall for r in result.runs]
        cpu = statistics.median(r.cpu for r in result.runs)
        ref = reference.get(result.mode)
        if result.tool == "unbounded-lint":
            cold = by_key.get("ubl-cold")
            ratio = "1 (reference)" if result.mode != "fix" else (
                f"{result.median / cold.median:.2f}× cold check" if cold and cold.ok else "–")
        elif ref is not None and ref.ok:
            ratio = f"{ref.lines_per_second / result.lines_per_second:.2f}"
        else:
            ratio = "pending"
        session = max(r.session_rss_mb for r in result.runs)
        codes = ",".join(str(c) for c in sorted({r.returncode for r in result.runs}))
        w(f"| `{result.key}` | {len(result.runs)} | {fmt_seconds(result.median)} | "
          f"{fmt_seconds(min(walls))}–{fmt_seconds(max(walls))} | "
          f"{result.lines_per_second:,.0f} | {cpu:.1f} | "
          f"{result.lines / cpu if cpu else float('nan'):,.0f} | "
          f"{max(r.processes for r in result.runs) or 'n/a'} | "
          f"{max(r.maxrss_mb for r in result.runs):.0f} | "
          f"{f'{session:.0f}' if session else 'n/a'} | "
          f"{statistics.median(r.background_cores for r in result.runs):.2f} | {codes} | "
          f"{result.runs[-1].output_lines:,} | {ratio} |")
    w("")
    loads = [r.background_cores for result in results if result.ok for r in result.runs]
    if loads and max(loads) > 0.25:
        w(f"**The machine was not idle:** other processes used {min(loads):.2f}–{max(loads):.2f} "
          f"of its {os.cpu_count()} cores during the timed runs (*other load*), so wall times are "
          "pessimistic for every tool and noisy; *lines per CPU s* and the CPU-time column of "
          "the targets are the steadier comparison.")
        w("")
    fixit = by_key.get("fixit")
    if fixit and fixit.ok and fixit.sample:
        estimate = corpus_lines / fixit.lines_per_second
        w(f"fixit ran on a deterministic {args.fixit_sample:.0%} sample (one file in every "
          f"{round(1 / args.fixit_sample)}, in path order: {fixit.files:,} files, "
          f"{fixit.lines:,} lines). At its measured {fixit.lines_per_second:,.0f} lines/s the "
          f"whole corpus would take about {estimate:,.0f} s ({estimate / 60:.1f} min) per run "
          "(extrapolated, not measured).")
        w("")
    for result in results:
        if result.note:
            w(f"{result.tool} {result.mode}: {result.note}.")
            w("")
    failures = [r for r in results if r.error]
    if failures:
        w("Failures:")
        w("")
        for result in failures:
            first = result.error.splitlines()
            w(f"* `{result.key}`: " + " / ".join(line.strip() for line in first if line.strip())[:400])
        w("")
    w("## Targets (2 cores)")
    w("")
    w("Status by wall time (median), as the targets are stated; the same ratio computed from "
      "the tools' own CPU time is shown beside it because it is much less affected by other "
      "load on the machine.")
    w("")
    w("| target | measured (wall time) | same by CPU time | status |")
    w("|---|---|---|---|")
    for name, measured, cpu_measured, state in evaluate_targets(by_key):
        w(f"| {name} | {measured} | {cpu_measured} | {state} |")
    w("")
    w("## Notes")
    w("")
    w(f"* Same tree, same parallelism: flake8 and unbounded-lint get `-j {args.jobs}`; ruff has "
      f"no jobs option, so `RAYON_NUM_THREADS={args.jobs}` sizes its thread pool; fixit has no "
      f"option either (it starts `os.cpu_count()` processes), so a small shim runs its own "
      f"`fixit lint` command line with a {args.jobs}-process pool. The *CPU s* column (user + "
      "system time of the tool and all its reaped worker processes) shows how much of the "
      "parallelism each tool used.")
    w("* *Cold* means no lint cache: `--no-cache` for unbounded-lint and ruff; flake8 and fixit "
      "have no cache. *Warm* means a second run over an unchanged tree after one untimed priming "
      "run that filled the cache. The OS page cache is warm for every run (the tree is read "
      "once before the first measurement).")
    w("* *Peak RSS / process* is `ru_maxrss` from `wait4()` on the tool's main process: the "
      "larger of the main process's own peak and the peak of its largest reaped child. That is "
      "the peak of the single biggest process (for `-j N` tools, the biggest worker or the "
      "parent), which is what the per-worker target is about. It is not a sum. *Peak RSS all "
      f"processes* is the sum of RSS over the tool's process session, sampled from /proc every "
      f"{args.rss_interval:g} s (a lower bound on the true peak).")
    w("* *Other load* is the CPU time that processes other than the tool used during its runs "
      "(from /proc/stat, in cores, median over runs). On a machine that is not idle the wall "
      "times are inflated by it; *lines per CPU s* (lines ÷ the tool's own CPU time) is much "
      "less sensitive to it.")
    w("* *Processes* is the largest number of processes of the tool's session seen at one "
      "time by the same sampler (the main process plus its workers; spawn-based pools also "
      "have a resource-tracker process).")
    w("* *Output lines* is the number of lines the tool printed on stdout in the last run "
      "(roughly its number of findings); it is there as a sanity check, the rule sets differ.")
    w("* flake8 runs every installed plugin (pycodestyle, pyflakes, mccabe, bugbear) and only "
      "filters the reports by `--select B`, which is what a `flake8 --select B` user pays for.")
    w("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time unbounded-lint against flake8+bugbear, ruff and fixit on a pinned "
                    "corpus of real packages (see benchmarks/README.md).")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per case (default 3)")
    parser.add_argument("--jobs", "-j", type=int, default=2,
                        help="worker processes/threads for every tool (default 2)")
    parser.add_argument("--fixit-sample", type=float, default=0.03, metavar="FRACTION",
                        help="run fixit on every (1/FRACTION)th file only and extrapolate; "
                             "1 runs it on the whole corpus (default 0.03)")
    parser.add_argument("--only", default="",
                        help="comma-separated cases to run, out of: " + ", ".join(CASE_KEYS))
    parser.add_argument("--skip", default="", help="comma-separated cases to leave out")
    parser.add_argument("--max-case-seconds", type=float, default=0, metavar="S",
                        help="stop a case's timed runs early (after at least one) when the "
                             "next run would take it past S seconds; 0 = no limit (default)")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds before a single run is killed (default 3600)")
    parser.add_argument("--rss-interval", type=float, default=0.1,
                        help="seconds between samples of the summed RSS (default 0.1)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter for the benchmark venvs (default: the running one)")
    parser.add_argument("--no-write", action="store_true",
                        help="do not rewrite benchmarks/RESULTS.md")
    parser.add_argument("--prepare-only", action="store_true",
                        help="set up the venvs and the corpus, then stop")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite RESULTS.md from the last run's .corpus/results.json")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.jobs < 1 or not 0 < args.fixit_sample <= 1:
        parser.error("--runs and --jobs must be >= 1 and --fixit-sample in (0, 1]")
    selected = [k.strip() for k in args.only.split(",") if k.strip()] or list(CASE_KEYS)
    skipped = {k.strip() for k in args.skip.split(",") if k.strip()}
    unknown = (set(selected) | skipped) - set(CASE_KEYS)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; known: {', '.join(CASE_KEYS)}")
    args.cases = [k for k in CASE_KEYS if k in selected and k not in skipped]
    raw = list(sys.argv[1:] if argv is None else argv)
    args.argv_for_report = [a for a in raw if not a.startswith(("--python", "--report-only"))]
    return args


# Other benchmark scripts (upstream.py) keep their own sections at the end of RESULTS.md, after
# this marker; rewriting the speed report must not delete their measurements.
OTHER_SECTIONS_MARKER = "<!-- sections below are written by other benchmark scripts -->"


def write_results_file(report: str) -> None:
    kept = ""
    if RESULTS_FILE.exists():
        old = RESULTS_FILE.read_text()
        if OTHER_SECTIONS_MARKER in old:
            kept = "\n" + old[old.index(OTHER_SECTIONS_MARKER):]
    RESULTS_FILE.write_text(report.rstrip("\n") + "\n" + kept)
    log(f"wrote {rel(RESULTS_FILE)}")


def report_only(args: argparse.Namespace) -> int:
    if not RESULTS_JSON.exists() or not MANIFEST_FILE.exists():
        raise SystemExit(f"no {rel(RESULTS_JSON)}: run the benchmark first")
    data = json.loads(RESULTS_JSON.read_text())
    manifest = json.loads(MANIFEST_FILE.read_text())
    for name, value in data.get("args", {}).items():
        setattr(args, name, value)
    fields = {f.name for f in dataclasses.fields(CaseResult)}
    results = []
    for raw in data["results"]:
        result = CaseResult(**{k: v for k, v in raw.items() if k in fields and k != "runs"})
        result.runs = [Run(**run) for run in raw["runs"]]
        results.append(result)
    report = render_results(args, manifest, results, data["machine"], data["versions"],
                            data["discovery"], data["ubl_error"])
    if not args.no_write:
        write_results_file(report)
    print(report)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        return report_only(args)
    started = time.perf_counter()

    log(f"setting up {rel(TOOLS_VENV)}")
    setup_tools_venv(args.python)
    ubl_error: Optional[str] = None
    if any(k.startswith("ubl-") for k in args.cases):
        log(f"setting up {rel(UBL_VENV)} (a snapshot of the working tree)")
        ubl_error = setup_ubl_venv(args.python)

    manifest = ensure_corpus(read_corpus())
    if args.prepare_only:
        return 0
    discovery = verify_discovery(manifest, any(k.startswith("ubl-") for k in args.cases))
    preread(TREE_DIR)

    if any(k.startswith("ubl-") for k in args.cases) and ubl_error is None:
        ubl_error = ubl_preflight(base_env(UBL_VENV), args.jobs, manifest, args.timeout)
    if ubl_error:
        log(f"unbounded-lint cannot be measured: {ubl_error}; continuing with the other tools")

    cases = [case for case in build_cases(args, manifest) if case.key in args.cases]
    runnable = [c for c in cases if not (c.tool == "unbounded-lint" and ubl_error)]
    measured = run_cases(runnable, args)
    results: List[CaseResult] = []
    for case in cases:
        if case.key in measured:
            results.append(measured[case.key])
        else:
            results.append(CaseResult(case.key, case.tool, case.mode, case.display, case.files,
                                      case.lines, case.parallelism, error=ubl_error))

    machine = machine_description()
    versions = tool_versions()
    RESULTS_JSON.write_text(json.dumps(
        {"args": {name: getattr(args, name) for name in (
            "runs", "jobs", "fixit_sample", "rss_interval", "max_case_seconds",
            "argv_for_report")},
         "machine": machine, "versions": versions, "discovery": discovery,
         "ubl_error": ubl_error, "corpus_lines": manifest["total_lines"],
         "results": [r.to_json() for r in results]}, indent=1, default=str))
    report = render_results(args, manifest, results, machine, versions, discovery, ubl_error)
    if not args.no_write:
        write_results_file(report)
    print()
    print(report)
    log(f"total benchmark time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
