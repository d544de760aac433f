"""The surprises a new user met, fixed the way ruff behaves, each through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _support import clean_env

from unbounded_lint.engine import file_exemption

LEAK = "Q = []\n\n\ndef f(x):\n    Q.append(x)\n"
TWO_CODES = "import queue\n\nQ = []\nP = queue.Queue()\n\n\ndef f(x):\n    Q.append(x)\n    P.put(x)\n"


def run(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", "--isolated", *args],
                          cwd=cwd, capture_output=True, text=True, env=clean_env(), input=stdin,
                          timeout=120, check=False)


# ----------------------------------------------------------------- file-level exemption


@pytest.mark.parametrize("header", ["# unbounded-lint: noqa\n", "#unbounded-lint:noqa\n",
                                    '"""Doc."""\n# Unbounded-Lint: NOQA\n'])
def test_file_level_noqa_exempts_the_whole_file(tmp_path: Path, header: str) -> None:
    (tmp_path / "m.py").write_text(header + LEAK)
    proc = run(tmp_path, "m.py")
    assert (proc.returncode, proc.stdout) == (0, ""), proc


def test_file_level_noqa_with_codes_exempts_only_those(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("# unbounded-lint: noqa: UBL001\n" + TWO_CODES)
    proc = run(tmp_path, "--format", "json", "m.py")
    assert [f["code"] for f in json.loads(proc.stdout)] == ["UBL003"]


def test_file_level_noqa_must_be_on_its_own_line(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(LEAK.replace("Q.append(x)", "Q.append(x)  # unbounded-lint: noqa"))
    assert run(tmp_path, "m.py").returncode == 1
    (tmp_path / "s.py").write_text('TEXT = """\n# unbounded-lint: noqa\n"""\n' + LEAK)
    assert file_exemption('x = 1  # unbounded-lint: noqa\n') is None


def test_file_level_noqa_under_flake8(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("# unbounded-lint: noqa\n" + LEAK)
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select", "UBL", "m.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert (proc.returncode, proc.stdout) == (0, ""), proc


def test_file_level_noqa_stops_fix(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("# unbounded-lint: noqa\n" + LEAK)
    assert run(tmp_path, "--fix", "m.py").returncode == 0
    assert (tmp_path / "m.py").read_text() == "# unbounded-lint: noqa\n" + LEAK


# ----------------------------------------------------------------- no Python files


@pytest.mark.parametrize("setup", ["empty", "excluded", "only-text"])
def test_no_python_files_is_a_warning_with_ruffs_status(tmp_path: Path, setup: str) -> None:
    target = tmp_path / "pkg"
    target.mkdir()
    if setup == "excluded":
        (target / "m.py").write_text(LEAK)
        args = ["--extend-exclude", "m.py", "pkg"]
    else:
        if setup == "only-text":
            (target / "notes.txt").write_text("x")
        args = ["pkg"]
    proc = run(tmp_path, *args)
    assert proc.returncode == 0, proc
    assert proc.stderr == "warning: No Python files found under the given path(s)\n"


def test_quiet_hides_the_no_python_files_warning(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    proc = run(tmp_path, "-q", "pkg")
    assert (proc.returncode, proc.stderr) == (0, "")


def test_a_missing_path_is_still_an_error(tmp_path: Path) -> None:
    proc = run(tmp_path, "nope")
    assert proc.returncode == 2 and "nope: no such file or folder" in proc.stderr
    assert "No Python files" not in proc.stderr


# ----------------------------------------------------------------- --stdin-filename


def test_stdin_filename_alone_reads_stdin(tmp_path: Path) -> None:
    (tmp_path / "other.py").write_text(LEAK.replace("Q", "OTHER"))
    proc = run(tmp_path, "--stdin-filename", "snippet.py", stdin=LEAK)
    assert proc.returncode == 1, proc
    assert proc.stdout.startswith("snippet.py:5:5: UBL001 'Q' grows")
    assert "other.py" not in proc.stdout


def test_stdin_filename_with_paths_is_a_usage_error(tmp_path: Path) -> None:
    proc = run(tmp_path, "--stdin-filename", "snippet.py", ".", stdin=LEAK)
    assert proc.returncode == 2 and "--stdin-filename reads standard input" in proc.stderr


def test_stdin_filename_with_dash_still_works(tmp_path: Path) -> None:
    proc = run(tmp_path, "--stdin-filename", "s.py", "-", stdin=LEAK)
    assert proc.returncode == 1 and proc.stdout.startswith("s.py:5:5:")


# ----------------------------------------------------------------- --statistics


def test_statistics_honours_json(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(TWO_CODES + LEAK.replace("Q", "R").replace("def f", "def g"))
    proc = run(tmp_path, "--statistics", "--format", "json", "m.py")
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == [
        # a trim is an unsafe fix, held back on a medium finding at the default fix level
        {"code": "UBL001", "name": "unbounded-list", "count": 2, "fixable": False},
        {"code": "UBL003", "name": "unbounded-queue", "count": 1, "fixable": False},
    ]
    text = run(tmp_path, "--statistics", "m.py").stdout
    assert text.splitlines()[0].split() == ["2", "UBL001", "[", "]", "unbounded-list"]  # ruff's "[ ]": not fixable


def test_statistics_json_without_findings_is_an_empty_array(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1\n")
    proc = run(tmp_path, "--statistics", "--format", "json", "m.py")
    assert (proc.returncode, json.loads(proc.stdout)) == (0, [])


# ----------------------------------------------------------------- the server subcommand


def test_server_without_pygls_says_how_to_install_it(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pygls'] = None; sys.modules['pygls.lsp.server'] = None\n"
            "from unbounded_lint.cli import main; raise SystemExit(main(['server']))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 2 and "pip install 'unbounded-lint[lsp]'" in proc.stderr, proc


def test_a_folder_named_server_is_linted_with_a_path_prefix(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "m.py").write_text(LEAK)
    proc = run(tmp_path, "./server")
    assert proc.returncode == 1 and "server/m.py:5:5: UBL001" in proc.stdout
