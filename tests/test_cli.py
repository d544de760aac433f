"""The command line, end to end, against the contract in RULES.md ("Output", "Suppression").

Most tests call ``unbounded_lint.cli.main(argv)`` in-process (fast; ``-j 1 --no-cache`` and a
``tmp_path`` working directory, so nothing is written into the repository); a few run
``python -m unbounded_lint`` in a subprocess to prove the real entry point behaves the same.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from unbounded_lint import __version__
from unbounded_lint.cli import main
from unbounded_lint.rules import RULES
from _support import MIXED_SRC

# One finding: UBL001 at 5:5 (the `H.append(x)` call).
LIST_SRC = "H = []\n\n\ndef f(x):\n    H.append(x)\n"
LIST_POS = (5, 5)

# UBL001 (10:5), UBL002 (11:5) by default; UBL007 (6:5) and UBL008 (19:2, the decorator
# expression after '@') only when selected.

# One line with two findings: UBL001 and UBL004 at 6:9.
INSERT_FRONT_SRC = """\
class Feed:
    def __init__(self):
        self.items = []

    def push(self, item):
        self.items.insert(0, item){comment}
"""

# A fixable UBL001 (8:5) and an unfixable UBL003 (4:5).
PARTLY_FIXABLE_SRC = """\
import queue

H = []
Q = queue.Queue()


def f(x):
    H.append(x)
    Q.put(x)
"""

CLEAN_SRC = "def f(x):\n    return [x]\n"

TEXT_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>UBL\d{3}) (?P<message>.+?)(?P<fix> \[\*\])?$"
)
JSON_KEYS = {"path", "line", "column", "end_line", "end_column", "code", "message", "fixable", "fix_safety",
             "because", "heuristics"}
FIXED_LINE = re.compile(r"Fixed (\d+) findings? in (\d+) files?")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def findings(self) -> List[Tuple[str, int, int, str]]:
        """(path, line, col, code) of every finding line of a text report."""
        found = []
        for line in self.out.splitlines():
            m = TEXT_LINE.match(line)
            if m:
                found.append((m["path"], int(m["line"]), int(m["col"]), m["code"]))
        return found

    def codes(self) -> List[str]:
        return sorted(f[3] for f in self.findings())

    def json(self) -> List[Dict[str, object]]:
        data = json.loads(self.out)
        assert isinstance(data, list)
        return data


def write(path: Path, text: "str | bytes") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run ``main(argv)`` in ``tmp_path`` with ``-j 1 --no-cache``; returns a Result."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*argv: str, stdin: Optional[bytes] = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsys.readouterr()
        try:
            code = main(["-j", "1", "--no-cache", *argv])
        except SystemExit as exc:  # argparse usage errors, --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def run_module(*argv: str, cwd: Path, stdin: Optional[bytes] = None) -> Result:
    """The real entry point, ``python -m unbounded_lint``."""
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "unbounded_lint", *argv],
        cwd=str(cwd), input=stdin, capture_output=True, env=env, timeout=60,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


# ----------------------------------------------------------------------------- exit codes


def test_no_findings_exit_0(cli, tmp_path):
    write(tmp_path / "clean.py", CLEAN_SRC)
    r = cli("clean.py")
    assert r.code == 0, r
    assert r.findings() == []
    assert r.err == ""


def test_findings_exit_1(cli, tmp_path):
    write(tmp_path / "a.py", LIST_SRC)
    r = cli("a.py")
    assert r.code == 1, r
    assert r.findings() == [("a.py", *LIST_POS, "UBL001")]


def test_exit_zero_still_reports(cli, tmp_path):
    write(tmp_path / "a.py", LIST_SRC)
    r = cli("--exit-zero", "a.py")
    assert r.code == 0, r
    assert r.findings() == [("a.py", *LIST_POS, "UBL001")]


@pytest.mark.parametrize(
    "argv",
    [
        ["--no-such-option", "a.py"],
        ["--select", "UBL999", "a.py"],
        ["--ignore", "XYZ", "a.py"],
        ["--max-length", "0", "a.py"],
        ["--max-length", "many", "a.py"],
        ["--format", "yaml", "a.py"],
        ["--fix", "--diff", "a.py"],
        ["-", "a.py"],
    ],
    ids=["unknown-option", "unknown-code", "unknown-ignore", "max-length-0", "max-length-nan",
         "unknown-format", "fix-and-diff", "stdin-and-path"],
)
def test_usage_error_exit_2(cli, tmp_path, argv):
    write(tmp_path / "a.py", LIST_SRC)
    r = cli(*argv)
    assert r.code == 2, r
    assert r.err.strip(), "a usage error must say what is wrong on stderr"
    assert r.findings() == []


@pytest.mark.parametrize(
    "pyproject",
    [
        '[tool.unbounded-lint]\nmax-length = "x"\n',
        "[tool.unbounded-lint]\nno-such-key = 1\n",
        "[tool.unbounded-lint\n",
        '[tool.unbounded-lint]\nselect = ["UBL9"]\n',
    ],
    ids=["bad-type", "unknown-key", "bad-toml", "unknown-code"],
)
def test_config_error_exit_2(cli, tmp_path, pyproject):
    write(tmp_path / "pyproject.toml", pyproject)
    write(tmp_path / "a.py", LIST_SRC)
    r = cli("a.py")
    assert r.code == 2, r
    assert "pyproject.toml" in r.err


def test_missing_path_exit_2_other_files_reported(cli, tmp_path):
    write(tmp_path / "a.py", LIST_SRC)
    r = cli("a.py", "missing.py")
    assert r.code == 2, r
    assert "missing.py" in r.err
    assert r.findings() == [("a.py", *LIST_POS, "UBL001")]


def test_broken_symlink_exit_2(cli, tmp_path):
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    write(tmp_path / "a.py", LIST_SRC)
    r = cli("dangling.py", "a.py")
    assert r.code == 2, r
    assert [line for line in r.err.splitlines() if line.startswith("dangling.py: ")], r.err
    assert r.findings() == [("a.py", *LIST_POS, "UBL001")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a mode-000 file")
def test_unreadable_file_exit_2(cli, tmp_path):
    path = write(tmp_path / "secret.py", LIST_SRC)
    path.chmod(0)
    try:
        r = cli("secret.py")
    finally:
        path.chmod(0o644)
    assert r.code == 2, r
    assert r.err.startswith("secret.py: ")


# ----------------------------------------------------------------------------- file classes


def test_syntax_error_one_line_on_stderr_others_reported(cli, tmp_path):
    write(tmp_path / "bad.py", "def f(:\n    pass\n")
    write(tmp_path / "good.py", LIST_SRC)
    r = cli(".")
    assert r.code == 2, r
    err_lines = r.err.splitlines()
    assert len(err_lines) == 1, r.err
    assert err_lines[0].startswith("bad.py: cannot parse: "), r.err
    assert r.findings() == [("good.py", *LIST_POS, "UBL001")]


@pytest.mark.parametrize(
    "content",
    [
        b'H = []\nx = "\xff\xfe caf\xe9"\n',  # not UTF-8, no coding line
        bytes(range(256)) * 4,  # a binary file named x.py
        b"H = []\n\x00\x00\x00\n",  # NUL bytes
    ],
    ids=["invalid-utf8", "binary", "nul-bytes"],
)
def test_undecodable_file_exit_2(cli, tmp_path, content):
    write(tmp_path / "x.py", content)
    write(tmp_path / "good.py", LIST_SRC)
    r = cli(".")
    assert r.code == 2, r
    err_lines = r.err.splitlines()
    assert len(err_lines) == 1 and err_lines[0].startswith("x.py: "), r.err
    assert r.findings() == [("good.py", *LIST_POS, "UBL001")]


def test_empty_file(cli, tmp_path):
    write(tmp_path / "empty.py", b"")
    r = cli("empty.py")
    assert (r.code, r.out, r.err) == (0, "", "")


def test_utf8_bom_columns(cli, tmp_path):
    write(tmp_path / "bom.py", b"\xef\xbb\xbf" + LIST_SRC.encode())
    r = cli("--format", "json", "bom.py")
    assert r.code == 1, r
    [f] = r.json()
    assert (f["line"], f["column"]) == LIST_POS


def test_crlf_newlines(cli, tmp_path):
    write(tmp_path / "crlf.py", LIST_SRC.replace("\n", "\r\n").encode())
    r = cli("--format", "json", "crlf.py")
    assert r.code == 1, r
    [f] = r.json()
    assert (f["line"], f["column"]) == LIST_POS
    assert (f["end_line"], f["end_column"]) == (5, 5 + len("H.append(x)"))


def test_non_ascii_before_column_counts_characters(cli, tmp_path):
    line = '    s = "é€😀"; H.append(x)'
    write(tmp_path / "u.py", "H = []\n\n\ndef f(x):\n" + line + "\n")
    r = cli("--format", "json", "u.py")
    assert r.code == 1, r
    [f] = r.json()
    col = line.index("H.append") + 1
    assert col != len(line[: col - 1].encode("utf-8")) + 1  # bytes would differ
    assert (f["line"], f["column"]) == (5, col)
    assert f["end_column"] == col + len("H.append(x)")


def test_pep263_latin1_columns(cli, tmp_path):
    line = '    s = "café"; H.append(x)'
    text = "# -*- coding: latin-1 -*-\nH = []\n\n\ndef f(x):\n" + line + "\n"
    write(tmp_path / "l1.py", text.encode("latin-1"))
    r = cli("--format", "json", "l1.py")
    assert r.code == 1, r
    [f] = r.json()
    assert (f["line"], f["column"]) == (6, line.index("H.append") + 1)


def test_excluded_folders_skipped(cli, tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for folder in (".git/hooks", ".venv/lib", "__pycache__", "build", "node_modules/pkg",
                   "pkg/__pycache__", "pkg/build", "pkg/node_modules"):
        write(tmp_path / folder / "leak.py", LIST_SRC)
    write(tmp_path / "pkg" / "kept.py", LIST_SRC)
    r = cli(".")
    assert r.code == 1, r
    assert r.findings() == [("pkg/kept.py", *LIST_POS, "UBL001")]


def test_excluded_folders_skipped_outside_git(cli, tmp_path):
    for folder in (".venv", "__pycache__", "build", "node_modules"):
        write(tmp_path / folder / "leak.py", LIST_SRC)
    write(tmp_path / "kept.py", LIST_SRC)
    r = cli(".")
    assert r.code == 1, r
    assert r.findings() == [("kept.py", *LIST_POS, "UBL001")]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignored_files_skipped(cli, tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "ignored.py\ngenerated/\n")
    write(tmp_path / "ignored.py", LIST_SRC)
    write(tmp_path / "generated" / "g.py", LIST_SRC)
    write(tmp_path / "kept.py", LIST_SRC)
    r = cli(".")
    assert r.code == 1, r
    assert r.findings() == [("kept.py", *LIST_POS, "UBL001")]
    # --no-respect-gitignore lints them too.
    r = cli("--no-respect-gitignore", ".")
    assert sorted(p for p, *_ in r.findings()) == ["generated/g.py", "ignored.py", "kept.py"]


def test_pyi_files_linted(cli, tmp_path):
    write(tmp_path / "pkg" / "stub.pyi", LIST_SRC)
    write(tmp_path / "pkg" / "notes.txt", LIST_SRC)
    r = cli("pkg")
    assert r.code == 1, r
    assert r.findings() == [("pkg/stub.pyi", *LIST_POS, "UBL001")]


def test_default_path_is_cwd(cli, tmp_path):
    write(tmp_path / "a.py", LIST_SRC)
    write(tmp_path / "sub" / "b.py", LIST_SRC)
    r = cli()
    assert r.code == 1, r
    assert r.findings() == [("a.py", *LIST_POS, "UBL001"), ("sub/b.py", *LIST_POS, "UBL001")]


# ----------------------------------------------------------------------------- selection


SELECTION_CASES = [
    ([], ["UBL001", "UBL002"]),
    (["--select", "UBL001"], ["UBL001"]),
    (["--ignore", "UBL001"], ["UBL002"]),
    (["--extend-select", "UBL007"], ["UBL001", "UBL002", "UBL007"]),
    (["--extend-select", "UBL008"], ["UBL001", "UBL002", "UBL008"]),
    (["--extend-select", "UBL007,UBL008"], ["UBL001", "UBL002", "UBL007", "UBL008"]),
    (["--select", "UBL"], ["UBL001", "UBL002", "UBL007", "UBL008"]),
    (["--select", "ALL"], ["UBL001", "UBL002", "UBL007", "UBL008"]),
    (["--select", "UBL007"], ["UBL007"]),
    (["--select", "UBL001", "--extend-select", "UBL008"], ["UBL001", "UBL008"]),
    (["--select", "UBL", "--ignore", "UBL00"], []),
    (["--extend-select", "UBL007", "--ignore", "UBL007"], ["UBL001", "UBL002"]),
]


@pytest.mark.parametrize(
    "argv, expected", SELECTION_CASES, ids=[" ".join(argv) or "default" for argv, _ in SELECTION_CASES]
)
def test_selection(cli, tmp_path, argv, expected):
    write(tmp_path / "m.py", MIXED_SRC)
    r = cli(*argv, "m.py")
    assert r.codes() == expected, r
    assert r.code == (1 if expected else 0)


def test_opt_in_rules_off_by_default(cli, tmp_path):
    write(tmp_path / "m.py", MIXED_SRC)
    assert not {"UBL007", "UBL008"} & set(cli("m.py").codes())
    assert {"UBL007", "UBL008"} <= set(cli("--extend-select", "UBL007,UBL008", "m.py").codes())


# ----------------------------------------------------------------------------- output formats


def _write_sort_tree(tmp_path: Path) -> None:
    write(tmp_path / "b.py", MIXED_SRC)
    write(tmp_path / "a.py", LIST_SRC)
    write(tmp_path / "sub" / "c.py", MIXED_SRC)
    write(tmp_path / "a_b.py", INSERT_FRONT_SRC.format(comment=""))


def test_text_format_exact_and_sorted(cli, tmp_path):
    _write_sort_tree(tmp_path)
    r = cli("-q", "--select", "ALL", "sub", "b.py", "a_b.py", "a.py")
    assert r.code == 1, r
    lines = r.out.splitlines()
    assert lines, r
    for line in lines:
        assert TEXT_LINE.match(line), f"not 'path:LINE:COL: CODE message': {line!r}"
    keys = [(p, line, col, code) for p, line, col, code in r.findings()]
    assert keys == sorted(keys), "findings must be sorted by path, then position"
    # The exact rendering, field for field, agrees with the JSON report.
    j = cli("--format", "json", "--select", "ALL", "sub", "b.py", "a_b.py", "a.py").json()
    expected = [
        f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message']} [{f['confidence']}]"
        + (" [*]" if f["fixable"] else "")
        for f in j
    ]
    assert lines == expected


def test_text_fixable_marker(cli, tmp_path):
    write(tmp_path / "p.py", PARTLY_FIXABLE_SRC)
    r = cli("-q", "p.py")
    by_code = {m["code"]: m for m in map(TEXT_LINE.match, r.out.splitlines()) if m}
    # The trim of a medium finding is unsafe: plain --fix holds it back, so no [*] ...
    assert by_code["UBL001"]["fix"] is None
    assert by_code["UBL003"]["fix"] is None
    # ... which --fix-level all applies.
    r = cli("-q", "--fix-level", "all", "p.py")
    by_code = {m["code"]: m for m in map(TEXT_LINE.match, r.out.splitlines()) if m}
    assert by_code["UBL001"]["fix"] == " [*]"
    assert r.out.splitlines()[0] == (
        "p.py:4:5: UBL003 " + by_code["UBL003"]["message"]
    )


def test_text_summary_after_findings(cli, tmp_path):
    write(tmp_path / "a.py", LIST_SRC)
    r = cli("a.py")
    lines = r.out.splitlines()
    assert TEXT_LINE.match(lines[0])
    # Anything after the findings is a summary, not another finding-shaped line.
    assert all(not TEXT_LINE.match(line) for line in lines[1:])


def test_json_format(cli, tmp_path):
    _write_sort_tree(tmp_path)
    r = cli("--format", "json", "--select", "ALL", ".")
    assert r.code == 1, r
    data = r.json()
    assert data
    for obj in data:
        assert set(obj) - {"confidence"} == JSON_KEYS, obj
        if "confidence" in obj:
            assert obj["confidence"] in ("low", "medium", "high")
        for key in ("line", "column", "end_line", "end_column"):
            assert isinstance(obj[key], int) and obj[key] >= 1
        assert (obj["end_line"], obj["end_column"]) > (obj["line"], obj["column"])
        assert isinstance(obj["fixable"], bool)
        assert re.fullmatch(r"UBL00[1-8]", obj["code"])
    keys = [(o["path"], o["line"], o["column"], o["code"]) for o in data]
    assert keys == sorted(keys)
    assert ("a.py", *LIST_POS, "UBL001") in keys
    assert ("a_b.py", 6, 9, "UBL001") in keys and ("a_b.py", 6, 9, "UBL004") in keys


def test_json_empty_run(cli, tmp_path):
    write(tmp_path / "clean.py", CLEAN_SRC)
    r = cli("--format", "json", "clean.py")
    assert r.code == 0
    assert r.json() == []


def test_statistics(cli, tmp_path):
    _write_sort_tree(tmp_path)
    r = cli("--statistics", "--select", "ALL", ".")
    assert r.code == 1, r
    counts = {}
    for line in r.out.splitlines():
        m = re.match(r"^\s*(\d+)\s+(UBL\d{3})\b", line)
        assert m, f"unexpected statistics line {line!r}"
        counts[m[2]] = int(m[1])
    expected = Counter(o["code"] for o in cli("--format", "json", "--select", "ALL", ".").json())
    assert counts == dict(expected)
    assert not TEXT_LINE.match(r.out.splitlines()[0])


def test_explain(cli):
    r = cli("--explain", "UBL001")
    assert r.code == 0, r
    assert RULES["UBL001"].docs in r.out
    assert "unbounded-list" in r.out


def test_explain_every_rule(cli):
    for code, rule in RULES.items():
        r = cli("--explain", code)
        assert r.code == 0 and rule.docs in r.out, code


@pytest.mark.parametrize("code", ["UBL009", "E501", "nonsense"])
def test_explain_unknown_code_exit_2(cli, code):
    r = cli("--explain", code)
    assert r.code == 2, r
    assert r.out == ""
    assert code in r.err


def test_version(tmp_path):
    r = run_module("--version", cwd=tmp_path)
    assert r.code == 0, r
    assert __version__ in r.out
    assert r.out.strip() == f"unbounded-lint {__version__}"


# ----------------------------------------------------------------------------- noqa


NOQA_CASES = [
    ("", ["UBL001", "UBL004"]),
    ("  # noqa", []),
    ("  # NOQA", []),
    ("  # noqa: UBL001", ["UBL004"]),
    ("  # noqa:UBL001", ["UBL004"]),
    ("  # noqa: UBL004", ["UBL001"]),
    ("  # noqa: UBL001,UBL004", []),
    ("  # noqa: UBL001, UBL004", []),
    ("  # noqa: UBL002,UBL004", ["UBL001"]),
    ("  # noqa: UBL002", ["UBL001", "UBL004"]),
    ("  # noqa: E501", ["UBL001", "UBL004"]),
    ("  # some words  # noqa: UBL001 trailing text", ["UBL004"]),
]


@pytest.mark.parametrize(
    "comment, expected", NOQA_CASES, ids=[c.strip() or "no-comment" for c, _ in NOQA_CASES]
)
def test_noqa(cli, tmp_path, comment, expected):
    write(tmp_path / "n.py", INSERT_FRONT_SRC.format(comment=comment))
    r = cli("--format", "json", "n.py")
    assert sorted(o["code"] for o in r.json()) == expected, r.out
    assert r.code == (1 if expected else 0)


def test_noqa_only_on_the_findings_line(cli, tmp_path):
    src = "H = []  # noqa: UBL001\n\n\ndef f(x):  # noqa\n    H.append(x)\n"
    write(tmp_path / "n.py", src)
    r = cli("n.py")
    assert r.findings() == [("n.py", *LIST_POS, "UBL001")]


# ----------------------------------------------------------------------------- stdin


def test_stdin_with_filename_subprocess(tmp_path):
    r = run_module("--no-cache", "--stdin-filename", "x.py", "-", cwd=tmp_path, stdin=LIST_SRC.encode())
    assert r.code == 1, r
    assert r.findings() == [("x.py", *LIST_POS, "UBL001")]
    assert not (tmp_path / "x.py").exists()


def test_stdin_in_process(cli, tmp_path):
    r = cli("--format", "json", "--stdin-filename", "pkg/x.py", "-", stdin=LIST_SRC.encode())
    assert r.code == 1, r
    [f] = r.json()
    assert (f["path"], f["line"], f["column"], f["code"]) == ("pkg/x.py", *LIST_POS, "UBL001")


def test_stdin_clean_and_broken(cli):
    assert cli("--stdin-filename", "x.py", "-", stdin=CLEAN_SRC.encode()).code == 0
    r = cli("--stdin-filename", "x.py", "-", stdin=b"def f(:\n")
    assert r.code == 2, r
    assert r.err.startswith("x.py: cannot parse: ")


def test_stdin_noqa(cli):
    src = LIST_SRC.replace("H.append(x)", "H.append(x)  # noqa: UBL001")
    assert cli("--stdin-filename", "x.py", "-", stdin=src.encode()).code == 0


# ----------------------------------------------------------------------------- fixing


def test_fix_and_diff_refused(cli, tmp_path):
    path = write(tmp_path / "a.py", LIST_SRC)
    r = cli("--fix", "--diff", "a.py")
    assert r.code == 2, r
    assert path.read_text() == LIST_SRC


def test_diff_prints_unified_diff_and_changes_nothing(cli, tmp_path):
    path = write(tmp_path / "a.py", LIST_SRC)
    before = path.stat()
    r = cli("--diff", "--fix-level", "all", "a.py")
    assert r.code == 1, r
    lines = r.out.splitlines()
    assert lines[0] == "# a.py:5: UBL001 unsafe fix on a medium finding: trim to the last 1000 items after each growth"
    assert lines[1].startswith("--- ") and "a.py" in lines[1]
    assert lines[2].startswith("+++ ") and "a.py" in lines[2]
    assert any(line.startswith("@@ ") for line in lines)
    assert "+    if len(H) > 1000:" in lines
    assert "+        del H[:-1000]" in lines
    # at the default level the unsafe fix is held back: nothing to show
    assert cli("--diff", "a.py").out == ""
    assert path.read_bytes() == LIST_SRC.encode()
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def test_diff_nothing_to_fix(cli, tmp_path):
    write(tmp_path / "clean.py", CLEAN_SRC)
    r = cli("--diff", "clean.py")
    assert (r.code, r.out) == (0, "")


def test_fix_rewrites_and_reports(cli, tmp_path):
    path = write(tmp_path / "a.py", LIST_SRC)
    write(tmp_path / "b.py", MIXED_SRC)  # UBL001 + UBL002 fixable
    write(tmp_path / "clean.py", CLEAN_SRC)
    r = cli("--fix", "--fix-level", "all", ".")
    assert r.code == 0, r
    m = FIXED_LINE.search(r.err)
    assert m, r.err
    assert (int(m[1]), int(m[2])) == (3, 2)
    assert "Found 3 findings (3 fixed, 0 remaining)." in r.err
    fixed = path.read_text()
    assert fixed != LIST_SRC
    ast.parse(fixed)
    assert "del H[:-1000]" in fixed
    # Nothing left; a second --fix changes nothing.
    assert cli(".").code == 0
    snapshot = {p.name: p.read_bytes() for p in tmp_path.glob("*.py")}
    r = cli("--fix", "--fix-level", "all", ".")
    assert r.code == 0, r
    m = FIXED_LINE.search(r.err)
    assert m and (int(m[1]), int(m[2])) == (0, 0), r.err
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.py")} == snapshot


def test_fix_leaves_unfixable_exit_1(cli, tmp_path):
    path = write(tmp_path / "p.py", PARTLY_FIXABLE_SRC)
    r = cli("--fix", "--fix-level", "all", "p.py")
    assert r.code == 1, r
    m = FIXED_LINE.search(r.err)
    assert m and (int(m[1]), int(m[2])) == (1, 1), r.err
    assert "Found 2 findings (1 fixed, 1 remaining)." in r.err
    assert [c for *_, c in r.findings()] == ["UBL003"]
    assert "del H[:-1000]" in path.read_text()


def test_fix_max_length(cli, tmp_path):
    path = write(tmp_path / "a.py", LIST_SRC)
    r = cli("--max-length", "50", "a.py")
    assert "50" in r.out
    cli("--fix", "--fix-level", "all", "--max-length", "50", "a.py")
    assert "del H[:-50]" in path.read_text()


@pytest.mark.parametrize("variant", ["crlf", "bom"])
def test_fix_keeps_newlines_and_bom(cli, tmp_path, variant):
    data = LIST_SRC.encode()
    if variant == "crlf":
        data = data.replace(b"\n", b"\r\n")
    else:
        data = b"\xef\xbb\xbf" + data
    path = write(tmp_path / "a.py", data)
    r = cli("--fix", "--unsafe-fixes", "a.py")
    assert r.code == 0, r
    out = path.read_bytes()
    assert out != data
    if variant == "crlf":
        assert out.count(b"\n") == out.count(b"\r\n")
    else:
        assert out.startswith(b"\xef\xbb\xbf") and not out[3:].startswith(b"\xef\xbb\xbf")
    r = cli("a.py")
    assert r.code == 0, r


def test_fix_subprocess(tmp_path):
    """The real entry point: --fix writes the file and reports on stderr."""
    path = write(tmp_path / "a.py", LIST_SRC)
    r = run_module("--no-cache", "--fix", "--fix-level", "all", "a.py", cwd=tmp_path)
    assert r.code == 0, r
    assert FIXED_LINE.search(r.err), r.err
    assert "del H[:-1000]" in path.read_text()


@pytest.mark.slow
def test_exit_codes_subprocess(tmp_path):
    """Exit 0/1/2 from the real entry point."""
    write(tmp_path / "clean.py", CLEAN_SRC)
    write(tmp_path / "a.py", LIST_SRC)
    write(tmp_path / "bad.py", "def f(:\n")
    assert run_module("--no-cache", "clean.py", cwd=tmp_path).code == 0
    r = run_module("--no-cache", "a.py", cwd=tmp_path)
    assert r.code == 1 and r.findings() == [("a.py", *LIST_POS, "UBL001")], r
    r = run_module("--no-cache", "bad.py", "a.py", cwd=tmp_path)
    assert r.code == 2 and r.err.startswith("bad.py: cannot parse: "), r
    assert r.findings() == [("a.py", *LIST_POS, "UBL001")]
    assert run_module("--no-cache", "--bogus", cwd=tmp_path).code == 2
