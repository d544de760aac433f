"""Leaks that maintainers fixed stay found.

``benchmarks/upstream_fixes.toml`` pins real leak fixes to the last PyPI release that still had
the leak, and records whether unbounded-lint reported the site when the entry was written.
The data file is checked offline; the network test downloads the pinned releases (cached in the
git-ignored ``benchmarks/.corpus/upstream/``), lints each site and fails when an entry recorded
as reported is no longer reported: a regression guard that reads its expectations from the data
file, so fixing a miss only needs the entry's ``reported_*`` flags updated.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _support import clean_env

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "upstream.py"
DATA = ROOT / "benchmarks" / "upstream_fixes.toml"

# Projects the issue holds out for independent checks: the benchmark must not draw on them.
HELD_OUT = {
    "nltk", "django", "nvflare", "aiohttp", "flake8", "pytest", "pytensor", "cloudwanderer",
    "moksha", "django-rest-framework-reactive", "dateparser", "baseplate", "pyfolio", "alphalens",
    "zugbruecke", "cowrie", "extruct", "poke-env", "pyzmq", "amqpstorm", "gradio",
    "sphinx-traceability-extension", "turbo-seti", "glimix-core", "traffic", "botorch", "airflow",
    "pgn2data", "py-ard", "apscheduler", "backtrader", "celery", "dask", "discord-py", "distributed",
    "flask", "gunicorn", "jinja2", "kombu", "locust", "matplotlib", "paho-mqtt", "pandas",
    "prometheus-client", "python-binance", "python-telegram-bot", "requests", "scrapy",
    "sentry-sdk", "sqlalchemy", "starlette", "tornado", "twisted", "uvicorn", "websockets",
    "werkzeug", "freqtrade", "jesse", "stable-baselines3", "pytorch-lightning", "gymnasium",
    "mlflow", "errbot", "sopel", "limnoria", "mitmproxy", "glances", "textual", "supervisor",
    "hikari",
}


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("upstream_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


upstream = _load_script()


def _entry(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "x", "package": "pkg", "version": "1.0", "path": "pkg/mod.py", "line": 3,
        "code": "UBL001", "kind": "list", "fixed_version": "1.1",
        "url": "https://github.com/o/r/pull/1", "summary": "s",
        "reported_default": True, "reported_low": True,
    }
    base.update(changes)
    return base


# --------------------------------------------------------------------------- offline


def test_data_file_is_well_formed_and_large_enough() -> None:
    fixes = upstream.load_fixes(DATA)
    assert len(fixes) >= 20
    kinds = {f.kind for f in fixes}
    # The issue asks for a spread over kinds, not twenty copies of one pattern.
    assert {"list", "figure", "method-cache", "pop-front"} <= kinds
    assert kinds & {"dict", "set"}


def test_no_entry_comes_from_a_held_out_project() -> None:
    names = {upstream.norm_name(f.package) for f in upstream.load_fixes(DATA)}
    assert not names & HELD_OUT


def test_validate_only_accepts_the_data_file() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--validate-only"], cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "well-formed" in proc.stdout


@pytest.mark.parametrize("changes, message", [
    ({"code": "UBL009"}, "unknown code"),
    ({"kind": "tuple"}, "kind must be one of"),
    ({"line": 0}, "line must be 1 or more"),
    ({"line": True}, "'line' must be int"),
    ({"url": "https://example.com/fix"}, "GitHub issue, pull request or commit"),
    ({"path": "./pkg\\mod.py"}, "relative with '/' separators"),
    ({"reported_default": True, "reported_low": False}, "implies reported at low"),
    ({"reported_default": False}, "needs 'why_missed'"),
    ({"colour": "red"}, "unknown key 'colour'"),
], ids=["code", "kind", "line-zero", "line-bool", "url", "path", "default-without-low",
        "miss-without-reason", "unknown-key"])
def test_malformed_entries_are_rejected(changes: dict[str, Any], message: str) -> None:
    errors = upstream._check_entry(_entry(**changes), "fix #1")
    assert any(message in e for e in errors), errors


def test_missing_key_and_duplicate_id_are_rejected(tmp_path: Path) -> None:
    data = tmp_path / "fixes.toml"
    data.write_text('[[fix]]\nid = "a"\n\n[[fix]]\nid = "a"\n', encoding="utf-8")
    with pytest.raises(ValueError) as exc:
        upstream.load_fixes(data)
    assert "missing 'package'" in str(exc.value)
    assert "duplicate id" in str(exc.value)


def test_report_counts_states_and_regressions() -> None:
    fixes = [upstream.UpstreamFix(**_entry(id="a")),
             upstream.UpstreamFix(**_entry(id="b", reported_default=False, why_missed="w")),
             upstream.UpstreamFix(**_entry(id="c", code="UBL006", kind="method-cache"))]
    outcomes = [upstream.Outcome(fixes[0], "default", ()),
                upstream.Outcome(fixes[1], "low", ()),
                upstream.Outcome(fixes[2], "missed", ("UBL002",))]
    rep = upstream.build_report(outcomes, [])
    assert (rep["default"], rep["low"], rep["entries"]) == (1, 2, 3)
    assert rep["default_rate"] == round(1 / 3, 4)
    assert rep["regressions"] == ["c"]  # recorded as reported, now missed
    assert rep["by_code"]["UBL006"] == {"entries": 1, "default": 0, "low": 0, "missed": 1}


def test_write_results_replaces_only_its_own_section(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# speed\n\nbody\n", encoding="utf-8")
    fix = upstream.UpstreamFix(**_entry(id="a", reported_default=False, why_missed="because"))
    rep = upstream.build_report([upstream.Outcome(fix, "low", ())], [])
    upstream.write_results(rep, results)
    upstream.write_results(rep, results)  # a second run replaces, never appends
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# speed\n\nbody\n")
    assert text.count(upstream.BEGIN) == 1 and text.count(upstream.OTHER_SECTIONS) == 1
    assert "| `--min-confidence low` | 1/1 (100%) |" in text
    assert "* **a** (low): because" in text


# --------------------------------------------------------------------------- network


def _pypi_unreachable() -> str:
    for host in ("pypi.org", "files.pythonhosted.org"):
        try:
            socket.create_connection((host, 443), timeout=5).close()
        except OSError as exc:
            return f"PyPI cannot be reached ({host}: {exc})"
    return ""


@pytest.mark.network
@pytest.mark.slow
def test_every_recorded_report_still_holds() -> None:
    reason = _pypi_unreachable()
    if reason:
        pytest.skip(reason)
    proc = subprocess.run([sys.executable, str(SCRIPT), "--json", "--check-recorded"], cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=1800,
                          check=False)
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    assert not report.get("missing_packages"), proc.stderr[-2000:]
    results: list[dict[str, Any]] = report.get("results", [])
    assert [r["error"] for r in results if r["error"]] == []
    lost = [r["id"] for r in results if r["reported_default"] and r["state"] != "default"]
    lost_low = [r["id"] for r in results if r["reported_low"] and r["state"] == "missed"]
    assert lost == [] and lost_low == [], (
        f"no longer reported: default {lost}, low {lost_low}\n{proc.stderr[-2000:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(results) == len(upstream.load_fixes(DATA))
