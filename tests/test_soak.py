"""The soak test of --fix on real code: benchmarks/soak.py over one pinned corpus package.

Every rewritten file must compile and still import where the original imported, the files
changed on disk must be exactly as many as the CLI reports fixed, at the default fix level no
unsafe fix may touch a finding below ``high``, and a second --fix must change nothing. The whole corpus runs with
``python benchmarks/soak.py`` (see benchmarks/README.md); here one package keeps CI fast. The
wheel comes from PyPI (reachable in CI) or the local benchmark cache.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

# downloads a real package from PyPI (or the benchmark cache)
pytestmark = [pytest.mark.slow, pytest.mark.network]

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("extra", [[], ["--all-rules"]], ids=["default-rules", "all-rules-unsafe"])
def test_fix_soak_on_a_real_package(extra: list) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--packages", "networkx", *extra],
        capture_output=True, text=True, timeout=900,
    )
    if proc.returncode == 3:
        pytest.skip(f"the corpus could not be downloaded: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "soak: ok" in proc.stdout
    assert "unsafe on findings below high)" in proc.stdout, proc.stdout
    if not extra:
        # networkx has no high finding: plain --fix must leave it alone
        assert "(0 unsafe on findings below high)" in proc.stdout, proc.stdout
        return
    fixed = [line for line in proc.stdout.splitlines() if line.startswith("--fix")]
    assert fixed and " 0 files changed on disk" not in fixed[0], proc.stdout
    imports = re.search(r"still import: (\d+) of (\d+)", proc.stdout)
    assert imports and int(imports[2]) > 0 and imports[1] == imports[2], proc.stdout


def _load_soak():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("soak", ROOT / "benchmarks" / "soak.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_check_catches_a_fix_that_fails_at_import(tmp_path: Path) -> None:
    """The probe's bug: `from collections import deque` placed after its first use compiles,
    and fails with NameError only when the module is imported."""
    soak = _load_soak()
    for tree, body in (("original", "import os; events = []\n"),
                       ("fixed", "events = deque(maxlen=1000)\nfrom collections import deque\n")):
        package = tmp_path / tree / "pkg-1.0" / "pkg"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "mod.py").write_text(body)
        (package / "fine.py").write_text("from collections import deque\nevents = deque(maxlen=1000)\n")
        (package / "needs_missing_dep.py").write_text("import not_installed_anywhere\n")
    changed = ["pkg-1.0/pkg/mod.py", "pkg-1.0/pkg/fine.py", "pkg-1.0/pkg/needs_missing_dep.py",
               "pkg-1.0/pkg/__init__.py", "pkg-1.0/not-a-module.py"]
    imported, same, broken = soak.import_check(tmp_path / "original", tmp_path / "fixed", changed)
    # the module with a missing dependency does not import before the fix either: not counted
    assert imported == 3 and same == 2
    assert len(broken) == 1 and "pkg.mod" in broken[0] and "NameError" in broken[0], broken
