"""Regression tests for the hardening probe (issue 17): each builds its hostile input here.

Reading: only regular files, a size cap, honest errors. Writing: never outside the linted
folders, in place (inode, owner, hard links kept), the changed-on-disk check last. Git runs
nothing the repository configures. The cache cannot be planted. Output cannot inject CI
commands. Workers die with their parent; an interrupted --fix says what it rewrote; leftover
temporary files are cleaned. Plus the small ones: unreadable folders, absurd --max-length,
pathological globs, --write-baseline into a missing folder.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest
from _support import clean_env
from test_robustness import assert_one_clear_line, leaky, run_cli, write

from unbounded_lint import _io, cli
from unbounded_lint import cache as cache_mod
from unbounded_lint.config import ConfigError, load_config
from unbounded_lint.fixer import WriteError, fix_source, write_atomically
from unbounded_lint.globs import _glob_tokens, _GlobAutomaton, glob_match
from unbounded_lint.output import render
from unbounded_lint.output._escape import escape_for_log
from unbounded_lint.types import FileResult, Finding

needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds processes through /proc")
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file types and signals")


def _limit_memory(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


# --------------------------------------------------------------------------- 1. reading


@posix_only
def test_fifo_named_py_does_not_hang_the_run(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    write(tmp_path / "good.py", leaky())
    for extra in ([], ["--fix", "--fix-level", "all"]):
        try:
            run = run_cli(tmp_path, *extra, ".", timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"a FIFO named *.py hung the run ({extra})")
        assert "Traceback" not in run.stderr, run
        assert run.rc == 2, run
        assert_one_clear_line(run, "pipe.py", "fifo", "pipe")
    assert "del self.fills[:-1000]" in (tmp_path / "good.py").read_text()


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_symlink_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "zero.py")
    write(tmp_path / "good.py", leaky())
    proc = subprocess.run(
        [sys.executable, "-m", "unbounded_lint", "--isolated", "--no-cache", "-j", "1", "."],
        cwd=tmp_path, check=False, capture_output=True, timeout=60, env=clean_env(),
        preexec_fn=_limit_memory(1 << 30),
    )
    err = proc.stderr.decode()
    assert "Traceback" not in err and proc.returncode == 2, err
    assert [line for line in err.splitlines() if line.startswith("zero.py: ")] == [
        "zero.py: cannot read: is a device, not a regular file; skipped"]
    assert "good.py:6:9: UBL001" in proc.stdout.decode()


def test_size_cap_skips_and_says_why(tmp_path: Path) -> None:
    write(tmp_path / "big.py", leaky() + "X = '" + "x" * (6 << 20) + "'\n")  # 6 MiB > 5 MiB
    write(tmp_path / "good.py", leaky())
    run = run_cli(tmp_path, ".")
    assert run.rc == 2, run
    reason = assert_one_clear_line(run, "big.py", "size")
    assert "6.0 MiB" in reason and "5.0 MiB" in reason and "--max-file-size" in reason, reason
    assert "good.py:6:9: UBL001" in run.stdout
    raised = run_cli(tmp_path, "--max-file-size", "10MiB", ".")
    assert raised.rc == 1 and not raised.err_lines, raised
    assert "big.py:6:9: UBL001" in raised.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.unbounded-lint]\nmax-file-size = "1KB"\n')
    proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", "."], cwd=tmp_path,
                          check=False, capture_output=True, text=True, env=clean_env(), timeout=60)
    assert proc.returncode == 2 and "big.py: skipped:" in proc.stderr, proc.stderr
    assert "good.py:6:9: UBL001" in proc.stdout


def test_size_cap_is_held_while_reading(tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", "x = 1\n" * 100)
    assert _io.read_source(str(path), 600).data == b"x = 1\n" * 100
    assert "over the size limit" in (_io.read_source(str(path), 599).error or "")
    assert _io.read_source(str(path), 0).data is not None  # 0: no cap


@pytest.mark.parametrize("value, size", [("5MB", 5_000_000), ("5MiB", 5 << 20), ("512k", 512_000),
                                         ("1024", 1024), (2048, 2048), ("0", 0)])
def test_max_file_size_values(value: object, size: int) -> None:
    assert load_config(None, {"max_file_size": value}).max_file_size == size


@pytest.mark.parametrize("value", ["-1", "5 parsecs", "", True, -5, 1.5])
def test_max_file_size_rejects_nonsense(value: object) -> None:
    with pytest.raises(ConfigError, match="--max-file-size"):
        load_config(None, {"max_file_size": value})


@posix_only
def test_huge_literal_is_skipped_by_the_cap_and_honest_when_the_cap_is_raised(tmp_path: Path) -> None:
    """The probe's 50 MB one-line literal peaked at 7.9 GB and was called "too deeply nested".
    Here a 12 MB one under a 1 GiB memory limit: skipped by the default cap; with the cap off,
    the parser runs out of memory and the report says so."""
    write(tmp_path / "blob.py", "X = [" + "1, " * 4_000_000 + "]\n")
    write(tmp_path / "good.py", leaky())

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "unbounded_lint", "--isolated", "--no-cache", "-j", "1", *extra, "."],
            cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120, env=clean_env(),
            preexec_fn=_limit_memory(1 << 30),
        )

    capped = run()
    assert capped.returncode == 2 and "Traceback" not in capped.stderr, capped.stderr
    assert "blob.py: skipped:" in capped.stderr and "good.py:6:9: UBL001" in capped.stdout
    uncapped = run("--max-file-size", "0")
    assert "Traceback" not in uncapped.stderr and uncapped.returncode == 2, uncapped.stderr
    blob = [line for line in uncapped.stderr.splitlines() if line.startswith("blob.py: ")]
    assert len(blob) == 1 and "out of memory" in blob[0] and "nested" not in blob[0], uncapped.stderr
    assert "good.py:6:9: UBL001" in uncapped.stdout


# --------------------------------------------------------------------------- 2. writing


def test_symlink_out_of_the_tree_is_linted_but_not_fixed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "shared.py", leaky("Shared"))
    original = outside.read_bytes()
    project = tmp_path / "project"
    write(project / "own.py", leaky("Own"))
    os.symlink(outside, project / "linked.py")
    run = run_cli(project, "--fix", "--fix-level", "all", ".")
    assert "Traceback" not in run.stderr, run
    assert outside.read_bytes() == original, "--fix wrote outside the folder it was given"
    reason = assert_one_clear_line(run, "linked.py", "outside")
    assert "not fixed" in reason and str(outside) in reason
    assert "linked.py:6:9: UBL001" in run.stdout, "the unfixed finding must still be reported"
    assert run.rc == 1, run
    assert "del self.fills[:-1000]" in (project / "own.py").read_text()
    # named explicitly, the same: the root is the folder the symlink is in
    run = run_cli(project, "--fix", "--fix-level", "all", "linked.py")
    assert outside.read_bytes() == original and run.rc == 1, run


@posix_only
def test_fix_keeps_inode_hard_links_owner_and_group(tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", leaky())
    os.link(path, tmp_path / "alias.txt")
    path.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(path, 1234, 2345)
    before = path.stat()
    run = run_cli(tmp_path, "--fix", "--fix-level", "all", "m.py")
    assert run.rc == 0, run
    after = path.stat()
    assert after.st_ino == before.st_ino, "the fix replaced the file (new inode)"
    assert after.st_nlink == 2 and (tmp_path / "alias.txt").read_bytes() == path.read_bytes()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (before.st_uid, before.st_gid, 0o640)
    assert "del self.fills[:-1000]" in path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alias.txt", "m.py"]


def test_an_edit_saved_while_the_new_content_is_written_is_not_lost(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor saves while the fixed bytes are being flushed to disk (the slow part of a
    write). The check that the file is unchanged must come after that, so the save wins."""
    path = write(tmp_path / "m.py", leaky())
    original = path.read_bytes()
    new = fix_source(original, "m.py").source
    edited = original + b"# saved by the editor meanwhile\n"
    real_fsync = os.fsync
    saved: List[bool] = []

    def editor_saves_during_fsync(fd: int) -> None:
        if not saved:
            saved.append(True)
            path.write_bytes(edited)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", editor_saves_during_fsync)
    with pytest.raises((WriteError, OSError), match="changed on disk"):
        write_atomically(str(path), original, new)
    assert saved and path.read_bytes() == edited
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


# --------------------------------------------------------------------------- 4. git


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_runs_no_repository_configured_command(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "app.py", leaky())
    write(repo / "ignored_dir" / "gen.py", leaky("Generated"))
    write(repo / ".gitignore", "ignored_dir/\n")
    marker = tmp_path / "fsmonitor-ran"
    hook = write(tmp_path / "fsmonitor.sh", f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    hook.chmod(0o755)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "app.py", ".gitignore"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
    subprocess.run(["git", "config", "core.fsmonitor", str(hook)], cwd=repo, check=True)
    marker.unlink(missing_ok=True)
    for args in (["."], ["--force-exclude", "app.py"], ["--isolated", "."]):
        run = run_cli(repo, *args)
        assert not marker.exists(), f"git ran the repository's core.fsmonitor command ({args})"
        assert run.rc == 1 and "app.py:6:9: UBL001" in run.stdout, run
        assert "gen.py" not in run.stdout, "the .gitignore must still be honoured"


# --------------------------------------------------------------------------- 5. cache and baseline


LEAK = leaky()


def test_a_planted_cache_entry_does_not_hide_findings(tmp_path: Path) -> None:
    """An attacker runs the tool on their own machine, edits the pack to say "no findings" for
    the leaky file (re-signing it with their own key) and commits the cache folder."""
    project = tmp_path / "proj"
    write(project / "bot.py", LEAK)
    attacker = clean_env(XDG_CACHE_HOME=str(tmp_path / "attacker-home"))
    victim = clean_env(XDG_CACHE_HOME=str(tmp_path / "victim-home"))
    args = [sys.executable, "-m", "unbounded_lint", "--isolated", "--cache-dir", "cache", "."]
    first = subprocess.run(args, cwd=project, check=False, capture_output=True, text=True, env=attacker, timeout=60)
    assert first.returncode == 1, first.stderr
    (pack,) = list((project / "cache").rglob("pack.json"))
    _header, _, body = pack.read_bytes().partition(b"\n")
    data = json.loads(body)
    for entry in data["entries"].values():
        entry["findings"] = []
    body = json.dumps(data).encode()
    key = cache_mod.user_key(os.path.join(attacker["XDG_CACHE_HOME"], "unbounded-lint"))
    pack.write_bytes(cache_mod.MAGIC + b" " + cache_mod.pack_mac(key, pack.parent.name, body).encode() + b"\n" + body)
    # the attacker's own machine believes it ...
    fooled = subprocess.run(args, cwd=project, check=False, capture_output=True, text=True, env=attacker, timeout=60)
    assert fooled.returncode == 0, "the planted pack should be valid for its author's key"
    # ... the victim's CI does not
    ci = subprocess.run(args, cwd=project, check=False, capture_output=True, text=True, env=victim, timeout=60)
    assert ci.returncode == 1 and "bot.py:6:9: UBL001" in ci.stdout, ci.stdout + ci.stderr


def test_the_cache_key_lives_outside_the_project_and_is_private(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache_mod.KEY_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    key = cache_mod.user_key()
    path = tmp_path / "xdg" / "unbounded-lint" / cache_mod.KEY_NAME
    assert path.read_bytes() == key and len(key) == cache_mod.KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cache_mod.user_key() == key  # stable across runs
    path.write_bytes(b"short")  # a damaged key is not trusted: a fresh random one per process
    assert cache_mod.user_key() not in (key, b"short")


@pytest.mark.parametrize("document", [
    "[" * 100_000 + "]" * 100_000,
    '{"version": 1, "findings": [{"path": 5, "code": "UBL001"}]}',
    '{"version": 1, "findings": [{"path": "a.py", "code": ["UBL001"]}]}',
    '{"version": 1, "findings": [{"path": "a.py", "code": "UBL001", "count": 1e400}]}',
    '{"version": [1], "findings": []}',
    '{"version": 1, "findings": {"a": 1}}',
], ids=["deep", "path-int", "code-list", "count-inf", "version-list", "findings-object"])
def test_a_malformed_baseline_is_a_clear_error(tmp_path: Path, document: str) -> None:
    write(tmp_path / "m.py", leaky())
    write(tmp_path / "base.json", document)
    run = run_cli(tmp_path, "--baseline", "base.json", "m.py")
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run
    assert run.rc == 2, run
    assert len(run.err_lines) == 1 and "base.json" in run.err_lines[0], run


# --------------------------------------------------------------------------- 6. output


INJECTION = "evil\n::error file=ci.yml,line=1::pwned\n.py"


@posix_only
@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif", "junit"])
def test_a_file_name_cannot_inject_a_workflow_command(tmp_path: Path, fmt: str) -> None:
    write(tmp_path / INJECTION, leaky())
    write(tmp_path / "broken\n::warning::x\n.py", "def f(:\n")
    run = run_cli(tmp_path, "--format", fmt, ".")
    assert run.rc == 2 and "Traceback" not in run.stderr, run
    for stream in (run.stdout, run.stderr):
        for line in stream.splitlines():
            assert not line.lstrip().startswith(("::error file=ci.yml", "::warning")), (fmt, line)
    commands = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == (1 if fmt == "github" else 0), run.stdout
    assert "broken\\n::warning::x\\n.py: cannot parse" in run.stderr, run
    shown = {"github": "evil%0A%3A%3Aerror", "sarif": "evil%0A%3A%3Aerror", "text": "evil\\n::error", "junit": "evil\\n::error"}
    assert shown.get(fmt, "evil\\n::error") in run.stdout, run


@posix_only
@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif", "junit"])
def test_non_utf8_and_control_characters_in_names(tmp_path: Path, fmt: str) -> None:
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"caf\xe9.py"), "wb") as handle:
        handle.write(leaky().encode())
    write(tmp_path / "esc\x1b[31m.py", leaky())
    out = tmp_path.parent / f"report-{fmt}.txt"
    run = run_cli(tmp_path, "--format", fmt, "-o", str(out), ".")
    assert "Traceback" not in run.stderr and run.rc == 1, run
    report = out.read_text(encoding="utf-8")
    assert "\x1b" not in report
    if fmt == "sarif":
        uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in json.loads(report)["runs"][0]["results"]]
        assert "caf%E9.py" in uris, uris
    elif fmt == "json":
        assert sorted(f["path"] for f in json.loads(report)) == ["caf\\xe9.py", "esc\x1b[31m.py"]
    else:
        assert "caf\\xe9.py" in report and "esc\\x1b[31m.py" in report, report


def test_escape_for_log() -> None:
    assert escape_for_log("a\nb\r\tc\x1b\x7f\x85\u202e\u2028d") == "a\\nb\\r\\tc\\x1b\\x7f\\x85\\u202e\\u2028d"
    assert escape_for_log(os.fsdecode(b"caf\xe9")) == "caf\\xe9"
    assert escape_for_log("caf\u00e9 \u4e2d") == "caf\u00e9 \u4e2d"  # printable text untouched


def test_show_source_escapes_the_line_and_keeps_the_caret_aligned() -> None:
    source = "\tx = '\x1b'; self.fills.append(fill)\n"
    finding = Finding("m.py", 1, 11, 1, 30, "UBL001", "msg")
    out = render("text", [FileResult("m.py", (finding,))], show_source=True, sources={"m.py": source})
    _, line, caret = out.splitlines()
    assert line == "\tx = '\\x1b'; self.fills.append(fill)"
    assert line[len(caret) - 1:].startswith("self.fills"), (line, caret)


# --------------------------------------------------------------------------- 7. --fix on the pool


def test_fix_on_the_pool_matches_one_process(tmp_path: Path) -> None:
    trees = []
    for jobs in ("1", "2"):
        tree = tmp_path / f"j{jobs}"
        for i in range(24):
            write(tree / f"m{i:02d}.py", leaky(f"Bot{i}") + ("    def recent(self):\n        return self.fills[-3:]\n"
                                                            if i % 3 == 0 else ""))
        run = run_cli(tree, "--fix", "--fix-level", "all", "-j", jobs, ".")
        assert run.rc == 0 and "Fixed 24 findings in 24 files." in run.stderr, run
        trees.append({p.name: p.read_bytes() for p in tree.iterdir()})
    assert trees[0] == trees[1]


# --------------------------------------------------------------------------- 8. clean exits


def _children(pid: int) -> List[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _busy_tree(root: Path, files: int = 1500) -> None:
    for i in range(files):
        write(root / f"m{i:04d}.py", leaky(f"Bot{i}") + "".join(
            f"\n\ndef pad_{i}_{k}(x):\n    out = []\n    out.append(x)\n    return out\n" for k in range(12)))


@needs_proc
@pytest.mark.parametrize("mode", [[], ["--fix", "--fix-level", "all"]], ids=["check", "fix"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_workers_die_with_their_parent(tmp_path: Path, sig: int, mode: List[str]) -> None:
    """Also shows that --fix runs on the worker pool: two workers are seen under --fix -j 2."""
    _busy_tree(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "unbounded_lint", "--isolated", "--no-cache", "-j", "2", *mode, "."],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=clean_env(),
    )
    workers: List[int] = []
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and len(workers) < 2 and time.monotonic() < deadline:
            workers = _children(proc.pid)
            time.sleep(0.02)
        if mode and len(workers) < 2:
            pytest.fail("--fix -j 2 ran without two worker processes: it is not on the pool")
        if proc.poll() is not None or not workers:
            pytest.skip("the run finished before its workers could be seen")
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "workers outlived their parent"
        if sig == signal.SIGTERM:
            assert proc.returncode == 143 and b"Traceback" not in err, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for worker in workers:
            if _alive(worker):
                os.kill(worker, signal.SIGKILL)


@posix_only
def test_an_interrupted_fix_lists_the_files_it_rewrote(tmp_path: Path) -> None:
    originals = {}
    for i in range(300):
        originals[f"m{i:03d}.py"] = write(tmp_path / f"m{i:03d}.py", leaky(f"Bot{i}")).read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "unbounded_lint", "--isolated", "--no-cache", "--fix", "--fix-level", "all", "-j", "1", "."],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if (tmp_path / "m000.py").read_bytes() != originals["m000.py"]:
                break
            time.sleep(0.005)
        time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    changed = sorted(name for name, data in originals.items() if (tmp_path / name).read_bytes() != data)
    if len(changed) == len(originals):
        pytest.skip("the run finished before it could be interrupted")
    stderr = err.decode()
    assert proc.returncode == 130, stderr
    listed = sorted(line.strip() for line in stderr.splitlines() if line.startswith("  "))
    assert f"{len(changed)} file" in stderr and listed == changed, (changed, stderr)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temp_files_of_a_killed_run_are_cleaned_up(tmp_path: Path) -> None:
    write(tmp_path / "m.py", leaky())
    left = write(tmp_path / "pkg" / f".ubl-{_dead_pid()}-k1ll3d.tmp", "half a file")
    live = write(tmp_path / "pkg" / f".ubl-{os.getpid()}-inuse.tmp", "a concurrent run's file")
    other = write(tmp_path / "pkg" / ".ubl-notours.tmp", "not our name pattern")
    run = run_cli(tmp_path, ".")
    assert run.rc == 1, run
    assert not left.exists(), "a temporary file of a dead run was left behind"
    assert live.exists() and other.exists()
    old = time.time() - 2 * _io.STALE_AFTER_SECONDS
    os.utime(live, (old, old))
    run_cli(tmp_path, ".")
    assert not live.exists(), "a temporary file older than an hour is stale whatever its pid"


@posix_only
def test_sigkill_during_fix_leaves_nothing_the_next_run_does_not_clean(tmp_path: Path) -> None:
    for i in range(200):
        write(tmp_path / f"m{i:03d}.py", leaky(f"Bot{i}"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "unbounded_lint", "--isolated", "--no-cache", "--fix", "--fix-level", "all", "-j", "1", "."],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=clean_env(),
    )
    time.sleep(1.5)
    proc.kill()
    proc.wait()
    run_cli(tmp_path, "--fix", "--fix-level", "all", ".")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".ubl-")]


# --------------------------------------------------------------------------- smaller ones


def test_an_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "good.py", leaky())
    write(tmp_path / "locked" / "hidden.py", leaky("Hidden"))
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = "."):  # type: ignore[no-untyped-def]
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    rc = cli.main(["--isolated", "--no-cache", "-j", "1", "."])
    out, err = capsys.readouterr()
    assert rc == 2, (out, err)
    assert err.splitlines() == ["locked: cannot read folder: Permission denied; not linted"]
    assert "good.py:6:9: UBL001" in out


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can list a mode-000 folder")
def test_an_unreadable_folder_is_reported_for_real(tmp_path: Path) -> None:
    write(tmp_path / "good.py", leaky())
    locked = write(tmp_path / "locked" / "hidden.py", leaky("Hidden")).parent
    locked.chmod(0)
    try:
        run = run_cli(tmp_path, ".")
        assert run.rc == 2, run
        assert_one_clear_line(run, "locked", "cannot read folder")
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("value", ["99999999999999999999", "0", "100000001"])
def test_absurd_max_length_is_rejected(tmp_path: Path, value: str) -> None:
    write(tmp_path / "m.py", leaky())
    run = run_cli(tmp_path, "--fix", "--fix-level", "all", "--max-length", value, "m.py")
    assert run.rc == 2 and "--max-length" in run.stderr and "Traceback" not in run.stderr, run
    assert "deque" not in (tmp_path / "m.py").read_text()
    (tmp_path / "pyproject.toml").write_text(f"[tool.unbounded-lint]\nmax-length = {value}\n")
    proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", "--fix", "--fix-level", "all", "m.py"], cwd=tmp_path,
                          check=False, capture_output=True, text=True, env=clean_env(), timeout=60)
    assert proc.returncode == 2 and "'max-length' must be an integer from 1 to" in proc.stderr, proc.stderr


@pytest.mark.parametrize("key, value", [
    ("exclude", '["[z-a]"]'),
    ("extend-exclude", '["x" ]'.replace("x", "a" * 2000)),
    ("per-file-ignores", '{"[9-0].py" = ["UBL001"]}'),
])
def test_a_bad_glob_is_a_config_error(tmp_path: Path, key: str, value: str) -> None:
    write(tmp_path / "m.py", leaky())
    (tmp_path / "pyproject.toml").write_text(f"[tool.unbounded-lint]\n{key} = {value}\n")
    proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", "."], cwd=tmp_path,
                          check=False, capture_output=True, text=True, env=clean_env(), timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr and repr(key) in proc.stderr, proc.stderr


def test_a_pathological_glob_cannot_hang_the_walk(tmp_path: Path) -> None:
    write(tmp_path / ("a" * 200 + ".py"), leaky())
    pattern = "*a" * 16 + "*b"
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.unbounded-lint]\nexclude = ["{pattern}"]\nper-file-ignores = {{"**/{pattern}" = ["UBL002"]}}\n')
    try:
        proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", "."], cwd=tmp_path,
                              check=False, capture_output=True, text=True, env=clean_env(), timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("a glob with many stars hung the run (catastrophic regex backtracking)")
    assert proc.returncode == 1 and "UBL001" in proc.stdout, proc.stdout + proc.stderr


def test_the_glob_automaton_agrees_with_the_regex() -> None:
    rng = random.Random(17)
    pieces = ["*", "**", "**/", "?", "a", "b", "/", "[ab]", "[!a]", "."]
    for _ in range(400):
        pattern = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        tokens = _glob_tokens(pattern)
        regex = re.compile("".join(re.escape(t) if k == "lit" else t if k == "class" else
                                   {"any": "[^/]", "star": "[^/]*", "gstar": ".*", "gslash": "(?:.*/)?"}[k]
                                   for k, t in tokens) + r"\Z", re.DOTALL)

        automaton = _GlobAutomaton(tokens)
        for _ in range(20):
            text = "".join(rng.choice("ab/.") for _ in range(rng.randint(0, 10)))
            assert bool(regex.match(text)) == automaton.match(text), (pattern, text)
    assert glob_match("*a*a*a*a*a*a*a*a*a*a*b", "a" * 5000) is False


def test_write_baseline_into_a_missing_folder(tmp_path: Path) -> None:
    write(tmp_path / "m.py", leaky())
    run = run_cli(tmp_path, "--write-baseline", "reports/deep/baseline.json", "m.py")
    assert run.rc == 1 and "m.py:6:9: UBL001" in run.stdout, run
    assert json.loads((tmp_path / "reports" / "deep" / "baseline.json").read_text())["findings"]
    write(tmp_path / "blocker", "a file where a folder should be")
    started = time.monotonic()
    run = run_cli(tmp_path, "--write-baseline", "blocker/baseline.json", "m.py")
    assert run.rc == 2 and "Traceback" not in run.stderr, run
    assert run.stdout == "" and len(run.err_lines) == 1 and "blocker/baseline.json" in run.err_lines[0], run
    assert time.monotonic() - started < 30


def test_add_noqa_does_not_write_through_a_symlink_out_of_the_tree(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "shared.py", leaky("Shared"))
    original = outside.read_bytes()
    project = tmp_path / "project"
    write(project / "own.py", leaky("Own"))
    os.symlink(outside, project / "linked.py")
    run = run_cli(project, "--add-noqa", ".")
    assert outside.read_bytes() == original
    assert_one_clear_line(run, "linked.py", "outside")
    assert "# noqa: UBL001" in (project / "own.py").read_text()


def test_a_write_that_fails_halfway_restores_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "m.py", leaky())
    original = path.read_bytes()
    new = fix_source(original, "m.py").source
    real_write_all = _io._write_all
    calls: List[int] = []

    def disk_full_on_the_first_rewrite(fd: int, data: bytes) -> None:
        calls.append(len(data))
        if len(calls) == 1:
            os.write(fd, data[: len(data) // 2])
            raise OSError(28, "No space left on device")
        real_write_all(fd, data)

    monkeypatch.setattr(_io, "_write_all", disk_full_on_the_first_rewrite)
    with pytest.raises(WriteError, match="original was restored"):
        write_atomically(str(path), original, new)
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


def _settings_dir() -> str:
    return cache_mod.settings_key(load_config(None).settings)


@posix_only
def test_a_planted_cache_symlink_cannot_redirect_writes(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    write(project / "bot.py", LEAK)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, project / ".unbounded_lint_cache")
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--isolated", "."], cwd=project,
                              check=False, capture_output=True, text=True, env=clean_env(), timeout=60)
        assert proc.returncode == 1 and "bot.py:6:9: UBL001" in proc.stdout, proc.stderr
    assert list(elsewhere.iterdir()) == [], "the cache wrote through a symlink planted in the project"
    # a planted key folder (symlink) or .gitignore symlink inside a real cache folder: the same
    (project / ".unbounded_lint_cache").unlink()
    (project / ".unbounded_lint_cache").mkdir()
    os.symlink(elsewhere, project / ".unbounded_lint_cache" / _settings_dir())
    os.symlink(elsewhere / "created.txt", project / ".unbounded_lint_cache" / ".gitignore")
    proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--isolated", "."], cwd=project,
                          check=False, capture_output=True, text=True, env=clean_env(), timeout=60)
    assert proc.returncode == 1 and "bot.py:6:9: UBL001" in proc.stdout, proc.stderr
    assert list(elsewhere.iterdir()) == []


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_planted_special_file_as_cache_pack_is_a_miss(tmp_path: Path, kind: str) -> None:
    project = tmp_path / "proj"
    write(project / "bot.py", LEAK)
    folder = project / ".unbounded_lint_cache" / _settings_dir()
    folder.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(folder / "pack.json")
    else:
        os.symlink("/dev/zero", folder / "pack.json")
    try:
        proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--isolated", "."], cwd=project,
                              check=False, capture_output=True, text=True, env=clean_env(), timeout=60,
                              preexec_fn=_limit_memory(1 << 30))
    except subprocess.TimeoutExpired:
        pytest.fail(f"a {kind} planted as the cache pack hung the run")
    assert proc.returncode == 1 and "bot.py:6:9: UBL001" in proc.stdout, proc.stderr


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the time limit needs SIGALRM")
def test_a_read_that_hangs_is_cut_by_the_per_file_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read on a hung network mount blocks in the kernel; the time limit must cover reads."""
    from unbounded_lint import runner

    path = write(tmp_path / "m.py", leaky())

    def hung_read(path: str, max_size: int = 0):  # type: ignore[no-untyped-def]
        time.sleep(30)
        return b"", None

    monkeypatch.setattr(runner, "read_file", hung_read)
    started = time.monotonic()
    data, error = runner.read_timed(str(path), 1 << 20, 0.3)
    assert time.monotonic() - started < 5
    assert data is None and error is not None and "timed out while reading" in error
    results = runner.lint_files([str(path)], lambda p: load_config(None).settings, jobs=1, timeout=0.3)
    assert results[0].error and "timed out while reading" in results[0].error


def test_escaped_text_never_holds_a_control_character() -> None:
    rng = random.Random(6)
    alphabet = [chr(c) for c in range(0, 0x250)] + ["\u2028", "\u202e", "\u2066", "\udcff", "\ud800", "\ufeff"]
    unsafe = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        shown = escape_for_log(text)
        assert not unsafe.search(shown), repr(shown)
        shown.encode("utf-8")  # always writable as UTF-8
        if not unsafe.search(text):
            assert shown == text
