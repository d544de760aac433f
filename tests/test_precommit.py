"""The pre-commit hooks, run for real with ``pre-commit try-repo``.

``pre-commit try-repo`` installs the hook repository into a fresh virtualenv (it needs PyPI for
the build backend and the dependencies) and runs a hook on a git repository. It installs the
repository's HEAD plus *tracked* uncommitted changes, never untracked files; so that the test
checks the working tree as it is, the project's files (tracked and untracked-but-not-ignored)
are first copied into a temporary git repository and committed, and ``try-repo`` is pointed
at that copy.

Note: try-repo keeps its hook environments in a store of its own under a temporary folder,
so every ``try-repo`` call installs the package again; ``PRE_COMMIT_HOME`` is still pointed at
a per-module temporary folder so nothing leaks into the user's cache.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# pre-commit builds the hook in a fresh virtualenv from PyPI
pytestmark = [pytest.mark.slow, pytest.mark.network]

ROOT = Path(__file__).resolve().parent.parent

# A high finding (a global grown in a loop that never ends): plain --fix bounds it.
HOT = """\
EVENTS = []


def pump(feed):
    while True:
        EVENTS.append(feed.read())
"""

LEAKY = """\
class Tracker:
    def __init__(self):
        self.losses = []

    def record(self, loss):
        self.losses.append(loss)
"""


def _git(*args: str, cwd: Path, env: dict) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return proc.stdout


def _clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.com",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def test_manifest_declares_both_hooks():
    load_manifest = pytest.importorskip("pre_commit.clientlib").load_manifest
    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"unbounded-lint", "unbounded-lint-fix"}
    # pre-commit names the files itself: --force-exclude applies the configured excludes to them.
    assert hooks["unbounded-lint"]["entry"] == "unbounded-lint --force-exclude"
    assert hooks["unbounded-lint-fix"]["entry"] == "unbounded-lint --fix --force-exclude"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "pyi"]
        assert hook["require_serial"] is False


@pytest.fixture(scope="module")
def precommit(tmp_path_factory):
    """(run, env): ``run(hook_id, cwd)`` runs ``pre-commit try-repo <snapshot> <hook> --all-files``."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed")
    if importlib.util.find_spec("unbounded_lint.cli") is None:
        pytest.skip("the unbounded-lint CLI (unbounded_lint/cli.py) does not exist yet")

    base = tmp_path_factory.mktemp("pre-commit")
    env = _clean_env(base / "home")

    snapshot = base / "hook-repo"
    snapshot.mkdir()
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT, env=env)
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            target = snapshot / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git("init", "-q", cwd=snapshot, env=env)
    _git("add", "-A", cwd=snapshot, env=env)
    _git("commit", "-q", "--no-gpg-sign", "-m", "snapshot", cwd=snapshot, env=env)

    def run(hook: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(snapshot), hook, "--all-files"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )

    return run, env


def test_hooks_check_fix_check(precommit, tmp_path):
    """The fix hook applies only what plain ``--fix`` applies: the bounding fix of the
    ``high`` finding, not the unsafe trim of the ``medium`` one, which stays reported."""
    run, env = precommit
    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project, env=env)
    leaky = project / "leaky.py"
    leaky.write_text(LEAKY, encoding="utf-8")
    hot = project / "hot.py"
    hot.write_text(HOT, encoding="utf-8")
    _git("add", "leaky.py", "hot.py", cwd=project, env=env)

    check = run("unbounded-lint", project)
    output = check.stdout + check.stderr
    assert check.returncode != 0, output
    assert "leaky.py:6:9: UBL001" in output, output
    assert "hot.py:6:9: UBL001" in output, output
    assert leaky.read_text(encoding="utf-8") == LEAKY  # the check hook changes nothing

    fix = run("unbounded-lint-fix", project)
    output = fix.stdout + fix.stderr
    assert fix.returncode != 0, output  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in output, output
    fixed = hot.read_text(encoding="utf-8")
    ast.parse(fixed)
    assert "del EVENTS[:-1000]" in fixed, fixed
    assert leaky.read_text(encoding="utf-8") == LEAKY, "an unsafe fix of a medium finding was applied"
    assert "held back" in output, output

    _git("add", "leaky.py", "hot.py", cwd=project, env=env)
    again = run("unbounded-lint", project)
    output = again.stdout + again.stderr
    assert again.returncode != 0 and "leaky.py:6:9: UBL001" in output and "hot.py" not in output, output
