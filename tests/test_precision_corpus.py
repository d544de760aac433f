"""The labelled corpus stays complete as the rules change.

``benchmarks/precision.py`` downloads two small pinned packages of the labelled corpus (from
PyPI, like the rest of the test suite's installs), lints them at the default settings and at
``--min-confidence low`` with every rule, and joins the findings with the labels. Every finding
must have a label (a rule change that reports something new must be labelled before it lands),
and every labelled leak in them must still be reported at the default settings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from _support import clean_env

# downloads the labelled packages from PyPI
pytestmark = [pytest.mark.slow, pytest.mark.network]

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "precision.py"
PACKAGES = "rq,aiogram"
ALL = "UBL001,UBL002,UBL003,UBL004,UBL005,UBL006,UBL007,UBL008"


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("precision-corpus")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--packages", PACKAGES, "--corpus-dir", str(path),
                           "--download-only"], cwd=ROOT, env=clean_env(), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return path


def _report(corpus_dir: Path, *args: str) -> dict:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--packages", PACKAGES, "--corpus-dir", str(corpus_dir),
                           "--offline", "--json", "--fail-on-unlabelled", *args],
                          cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=600)
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    unlabelled = report.get("unlabelled", [])
    assert proc.returncode == 0 and not unlabelled, (
        f"exit {proc.returncode}; label these findings in benchmarks/labels/: "
        + json.dumps(unlabelled, indent=1) + proc.stderr[-2000:])
    assert not report.get("missing_packages"), report.get("missing_packages")
    return report


def test_default_settings_report_every_labelled_leak(corpus_dir: Path) -> None:
    report = _report(corpus_dir)
    overall = report["overall"]
    assert overall["findings"] > 0
    assert overall["leaks_total"] > 0
    assert report["missed_leaks"] == [], report["missed_leaks"]


def test_every_finding_at_low_confidence_is_labelled(corpus_dir: Path) -> None:
    report = _report(corpus_dir, "--min-confidence", "low", "--select", ALL)
    assert report["overall"]["findings"] >= report["overall"]["leaks_found"] > 0
