"""Release basics: licence, metadata, changelog, release docs and the CI workflow example."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_license_is_mit_in_the_current_metadata_form() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    assert requires == ["setuptools>=77"]  # the first setuptools that reads an SPDX license string


def test_urls_and_classifiers() -> None:
    assert {"Homepage", "Repository", "Issues", "Changelog", "Documentation"} <= set(PROJECT["urls"])
    classifiers = set(PROJECT["classifiers"])
    assert any(c.startswith("Development Status ::") for c in classifiers)
    minimum = PROJECT["requires-python"].lstrip(">=")
    assert f"Programming Language :: Python :: {minimum}" in classifiers
    # PEP 639: with a license expression, licence classifiers are an error
    assert not any(c.startswith("License ::") for c in classifiers)


def test_changelog_follows_keep_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", text, re.MULTILINE)
    assert headings[:2] == ["Unreleased", PROJECT["version"]]
    assert "keepachangelog.com" in text
    for version in headings:
        assert re.search(rf"^\[{re.escape(version)}\]: https://", text, re.MULTILINE), version
    unreleased = text.split("## [Unreleased]")[1].split("\n## [")[0]
    assert "### Added" in unreleased and "### Changed" in unreleased


def test_release_procedure_tags_then_updates_the_pre_commit_rev() -> None:
    text = (ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")
    assert "git tag -a vX.Y.Z" in text and "rev:" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"rev: v{PROJECT['version']}" in readme


def test_github_actions_example_is_a_valid_workflow() -> None:
    text = (ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```yaml\n(# \.github/workflows/.*?)```", text, re.DOTALL)
    workflow = yaml.safe_load(block)
    steps = workflow["jobs"]["unbounded-lint"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("--format github" in r for r in runs)
    assert any("--format sarif --output-file unbounded-lint.sarif" in r for r in runs)
    upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert upload and upload[0]["with"]["sarif_file"] == "unbounded-lint.sarif"
    assert workflow["permissions"]["security-events"] == "write"


def test_wheel_ships_the_license_without_warnings(tmp_path: Path) -> None:
    """Builds the wheel as pip does (isolated, with build-system.requires from the index)."""
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0 and "Could not find a version" in proc.stdout + proc.stderr:
        pytest.skip("no package index reachable to install setuptools>=77")
    assert proc.returncode == 0, proc.stderr[-2000:]
    log = (proc.stdout + proc.stderr).lower()
    assert "license" not in " ".join(line for line in log.splitlines() if "warning" in line)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata


def test_readme_quick_start_is_what_the_cli_prints() -> None:
    """The quick start's commands and output, as written (a fresh virtualenv is checked by hand
    before a release: docs/releasing.md)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start")[1].split("\n## ")[0]
    commands = re.findall(r"```console\n(.*?)```", quick, re.DOTALL)[0]
    assert commands == "python -m venv .venv && . .venv/bin/activate\npip install . && unbounded-lint examples/trading_bot.py\n"
    assert "exits with status 1 — that is expected" in quick
    (shown,) = re.findall(r"```text\n(examples/.*?)```", quick, re.DOTALL)
    proc = subprocess.run([sys.executable, "-m", "unbounded_lint", "--no-cache", "examples/trading_bot.py"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert proc.stdout == shown
