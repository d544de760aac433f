"""The flake8 plugin (code prefix UBL) against the real ``flake8`` executable.

The plugin and the CLI share one engine, so over every fixture and example they must report the
same (path, line, column, code, message); flake8 prints the column the plugin yields plus one,
the CLI a 1-based character column, and the two must agree exactly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Set, Tuple

import pytest
from _support import MIXED_SRC

pytest.importorskip("flake8")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIRS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests" / "fixtures").glob("UBL00*") if p.is_dir())
EXAMPLES = "examples"

FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")

Row = Tuple[str, int, int, str, str]


LIST_SRC = "H = []\n\n\ndef f(x):\n    H.append(x)\n"

NOQA_COMMENTS = [
    "",
    "  # noqa",
    "  # NOQA",
    "  # noqa: UBL001",
    "  # noqa:UBL001",
    "  # noqa: UBL004",
    "  # noqa: UBL001,UBL004",
    "  # noqa: UBL001, UBL004",
    "  # noqa: UBL002,UBL004",
    "  # noqa: UBL002",
    "  # noqa: E501",
]


def _env() -> dict:
    env = dict(os.environ)
    env.pop("FLAKE8_CONFIG", None)
    return env


def flake8(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "-j", "1", *argv],
        cwd=str(cwd), capture_output=True, text=True, env=_env(), timeout=120,
    )


def flake8_rows(proc: subprocess.CompletedProcess, prefix: str = "UBL") -> List[Row]:
    assert proc.returncode in (0, 1), proc.stderr
    rows = []
    for line in proc.stdout.splitlines():
        m = FLAKE8_LINE.match(line)
        assert m, f"unexpected flake8 output line {line!r}"
        if m["code"].startswith(prefix):
            rows.append((os.path.normpath(m["path"]), int(m["line"]), int(m["col"]), m["code"], m["message"]))
    return rows


def cli_rows(*argv: str, cwd: Path) -> List[Row]:
    proc = subprocess.run(
        [sys.executable, "-m", "unbounded_lint", "--no-cache", "--format", "json", *argv],
        cwd=str(cwd), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return [(os.path.normpath(o["path"]), o["line"], o["column"], o["code"], o["message"])
            for o in json.loads(proc.stdout)]


def codes(rows: List[Row]) -> Set[str]:
    return {r[3] for r in rows}


def test_fixture_folders_exist():
    assert len(FIXTURE_DIRS) == 8, FIXTURE_DIRS


@pytest.mark.slow
def test_flake8_matches_cli_on_fixtures_and_examples():
    paths = [*FIXTURE_DIRS, EXAMPLES]
    # --isolated on both sides: the comparison is about the engine, not about configuration.
    f8 = flake8_rows(flake8("--isolated", "--select", "UBL,UBL007,UBL008", *paths, cwd=ROOT))
    cli = cli_rows("--isolated", "--select", "UBL", *paths, cwd=ROOT)
    assert f8, "flake8 reported no UBL finding at all: is the plugin registered?"
    assert len(f8) == len(set(f8)), "flake8 reported a finding twice"
    f8_pos = sorted(r[:4] for r in f8)
    cli_pos = sorted(r[:4] for r in cli)
    missing_in_flake8 = sorted(set(cli_pos) - set(f8_pos))
    missing_in_cli = sorted(set(f8_pos) - set(cli_pos))
    assert not missing_in_flake8 and not missing_in_cli, (
        f"CLI only: {missing_in_flake8}\nflake8 only: {missing_in_cli}"
    )
    assert f8_pos == cli_pos
    assert sorted(f8) == sorted(cli), "same positions but different messages"
    # Every code has fixtures, so every code shows up under both front ends.
    assert codes(f8) == {f"UBL00{i}" for i in range(1, 9)}


EDGE_FILES = {
    "tab.py": b"H = []\n\n\ndef f(x):\n\tH.append(x)\n",
    "non_ascii.py": 'H = []\n\n\ndef f(x):\n    s = "\u00e9\u20ac\U0001f600"; H.append(x)\n'.encode("utf-8"),
    "latin1.py": '# -*- coding: latin-1 -*-\nH = []\n\n\ndef f(x):\n    s = "caf\u00e9"; H.append(x)\n'.encode("latin-1"),
    "bom_crlf.py": b"\xef\xbb\xbf" + 'H = []\r\n\r\n\r\ndef f(x):\r\n    s = "\u00e9"; H.append(x)\r\n'.encode("utf-8"),
    "fstring.py": b'H = []\n\n\ndef f(x):\n    y = f"{H.append(x)}"\n',
    "continued.py": b"H = []\n\n\ndef f(x):\n    H.append(\n        x)\n",
    "stub.pyi": b"H = []\n\n\ndef f(x):\n    H.append(x)\n",
}


def test_flake8_matches_cli_on_encodings_and_columns(tmp_path):
    """Tabs, non-ASCII before the column, a PEP 263 coding line, BOM + CRLF: same positions."""
    for name, data in EDGE_FILES.items():
        (tmp_path / name).write_bytes(data)
    names = sorted(EDGE_FILES)
    f8 = sorted(r[:4] for r in flake8_rows(flake8("--isolated", "--select", "UBL", *names, cwd=tmp_path)))
    cli = sorted(r[:4] for r in cli_rows("--isolated", "--select", "UBL", *names, cwd=tmp_path))
    assert cli == f8
    assert {r[0] for r in cli} == set(names), cli


def test_opt_in_codes_off_under_plain_flake8(tmp_path):
    (tmp_path / "m.py").write_text(MIXED_SRC)
    plain = flake8_rows(flake8("m.py", cwd=tmp_path))
    assert codes(plain) == {"UBL001", "UBL002"}, plain
    on7 = flake8_rows(flake8("--extend-select", "UBL007", "m.py", cwd=tmp_path))
    assert codes(on7) == {"UBL001", "UBL002", "UBL007"}, on7
    both = flake8_rows(flake8("--extend-select", "UBL007,UBL008", "m.py", cwd=tmp_path))
    assert codes(both) == {"UBL001", "UBL002", "UBL007", "UBL008"}, both
    # The same positions as the CLI with the same selection.
    cli = cli_rows("--extend-select", "UBL007,UBL008", "m.py", cwd=tmp_path)
    assert sorted(r[:4] for r in both) == sorted(r[:4] for r in cli)


def test_select_ubl_gives_the_default_rules_like_the_cli(tmp_path):
    (tmp_path / "m.py").write_text(MIXED_SRC)
    selected = flake8_rows(flake8("--select", "UBL", "m.py", cwd=tmp_path))
    assert codes(selected) == {"UBL001", "UBL002"} == codes(cli_rows("m.py", cwd=tmp_path)), selected
    # an opt-in rule is reported once named in full, in select or extend-select
    named = flake8_rows(flake8("--select", "UBL,UBL008", "m.py", cwd=tmp_path))
    assert codes(named) == {"UBL001", "UBL002", "UBL008"}, named


@pytest.mark.parametrize("config, message", [
    ("max-length = abc", "flake8: error: argument --max-length (unbounded-lint): must be a positive integer, got 'abc'"),
    ("max-length = 0", "must be a positive integer, got '0'"),
    ("min-confidence = sure", "flake8: error: argument --min-confidence (unbounded-lint): invalid choice: 'sure'"),
])
def test_bad_plugin_option_in_config_is_a_usage_error(tmp_path, config, message):
    (tmp_path / "a.py").write_text(LIST_SRC)
    (tmp_path / "setup.cfg").write_text(f"[flake8]\n{config}\n")
    proc = flake8("a.py", cwd=tmp_path)
    assert proc.returncode == 2, proc
    assert message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_bad_plugin_option_on_the_command_line_is_a_usage_error(tmp_path):
    (tmp_path / "a.py").write_text(LIST_SRC)
    proc = flake8("--max-length", "many", "a.py", cwd=tmp_path)
    assert proc.returncode == 2 and "flake8: error:" in proc.stderr and "Traceback" not in proc.stderr


def test_plugin_reads_the_knowledge_keys_of_pyproject(tmp_path):
    (tmp_path / "a.py").write_text(LIST_SRC)
    assert flake8_rows(flake8("--select", "UBL", "a.py", cwd=tmp_path))
    (tmp_path / "pyproject.toml").write_text('[tool.unbounded-lint]\nbounded-containers = ["a:H"]\n')
    assert flake8_rows(flake8("--select", "UBL", "a.py", cwd=tmp_path)) == []
    (tmp_path / "pyproject.toml").write_text('[tool.unbounded-lint]\nbounded-container = ["a:H"]\n')
    proc = flake8("a.py", cwd=tmp_path)
    assert proc.returncode == 2 and "did you mean 'bounded-containers'?" in proc.stderr, proc.stderr


def test_max_length_option_changes_hint(tmp_path):
    (tmp_path / "a.py").write_text(LIST_SRC)
    default = flake8_rows(flake8("--select", "UBL", "a.py", cwd=tmp_path))
    fifty = flake8_rows(flake8("--select", "UBL", "--max-length", "50", "a.py", cwd=tmp_path))
    assert len(default) == len(fifty) == 1
    assert "1000" in default[0][4] and "50" not in default[0][4].replace("1000", "")
    assert "the last 50 items" in fifty[0][4], fifty
    assert fifty[0][4] == cli_rows("--max-length", "50", "a.py", cwd=tmp_path)[0][4]


@pytest.mark.parametrize("config_name", ["setup.cfg", ".flake8", "tox.ini"])
def test_max_length_read_from_flake8_config(tmp_path, config_name):
    (tmp_path / "a.py").write_text(LIST_SRC)
    (tmp_path / config_name).write_text("[flake8]\nmax-length = 50\n")
    rows = flake8_rows(flake8("--select", "UBL", "a.py", cwd=tmp_path))
    assert len(rows) == 1 and "the last 50 items" in rows[0][4], rows


def test_noqa_respected(tmp_path):
    src = LIST_SRC.replace("H.append(x)", "H.append(x)  # noqa: UBL001")
    (tmp_path / "a.py").write_text(src)
    assert flake8_rows(flake8("--select", "UBL", "a.py", cwd=tmp_path)) == []


def test_noqa_same_as_cli(tmp_path):
    """Every noqa form suppresses the same findings under flake8 and under the CLI."""
    lines = ["class Feed:", "    def __init__(self):", "        self.items = []", ""]
    for i, comment in enumerate(NOQA_COMMENTS):
        lines += [f"    def push{i}(self, item):", f"        self.items.insert(0, item){comment}", ""]
    (tmp_path / "n.py").write_text("\n".join(lines))
    f8 = sorted(r[:4] for r in flake8_rows(flake8("--select", "UBL", "n.py", cwd=tmp_path)))
    cli = sorted(r[:4] for r in cli_rows("--select", "UBL", "n.py", cwd=tmp_path))
    # Sanity: flake8's own noqa semantics on the unsuppressed line and a code list.
    first = lines.index("        self.items.insert(0, item)") + 1
    assert {r[3] for r in f8 if r[1] == first} == {"UBL001", "UBL004"}
    listed = lines.index("        self.items.insert(0, item)  # noqa: UBL002,UBL004") + 1
    assert {r[3] for r in f8 if r[1] == listed} == {"UBL001"}
    assert cli == f8


def test_plugin_listed_by_flake8():
    proc = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True,
                          env=_env(), timeout=60)
    assert proc.returncode == 0
    assert "unbounded-lint" in proc.stdout


def test_core_does_not_import_flake8():
    code = (
        "import sys\n"
        "import unbounded_lint, unbounded_lint.engine, unbounded_lint.cli, unbounded_lint.flake8_plugin\n"
        "import unbounded_lint.rules, unbounded_lint.runner, unbounded_lint.config\n"
        "from unbounded_lint.engine import lint_source\n"
        "lint_source(b'H = []\\ndef f(x):\\n    H.append(x)\\n', 'x.py')\n"
        "assert 'flake8' not in sys.modules, sorted(m for m in sys.modules if 'flake8' in m)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
