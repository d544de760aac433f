"""Baselines: keyed on path, code, container and fingerprint (never lines), with counts."""

from __future__ import annotations

import json
import os

import pytest

from unbounded_lint.baseline import BASELINE_VERSION, Baseline, BaselineError
from unbounded_lint.types import Finding


def f(path="src/app.py", line=10, code="UBL001", container="self.losses",
      fingerprint="self.losses.append(loss)", message="'self.losses' grows without bound (append)"):
    return Finding(path=path, line=line, column=9, end_line=line, end_column=30, code=code, message=message,
                   container=container, fingerprint=fingerprint)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_round_trip_and_filter_everything(tmp_path):
    findings = [f(), f(code="UBL004", container="self.q", fingerprint="self.q.pop(0)", line=20)]
    Baseline.from_findings(findings).write(tmp_path / "baseline.json")
    baseline = Baseline.load(tmp_path / "baseline.json")
    assert len(baseline) == 2
    assert baseline.filter(findings) == ([], 2)


def test_file_format_is_sorted_stable_and_relative(tmp_path):
    findings = [
        f(path="src/z.py"),
        f(path="src/a.py", code="UBL002", container="self.cache", fingerprint="self.cache[k] = v"),
        f(path="src/a.py"),
        f(path="src/a.py", line=99),  # an identical second site
    ]
    path = tmp_path / "ubl-baseline.json"
    Baseline.from_findings(findings).write(path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data["version"] == BASELINE_VERSION == 1
    assert data["findings"] == [
        {"path": "src/a.py", "code": "UBL001", "container": "self.losses",
         "fingerprint": "self.losses.append(loss)", "count": 2},
        {"path": "src/a.py", "code": "UBL002", "container": "self.cache",
         "fingerprint": "self.cache[k] = v", "count": 1},
        {"path": "src/z.py", "code": "UBL001", "container": "self.losses",
         "fingerprint": "self.losses.append(loss)", "count": 1},
    ]
    assert "line" not in text
    # the same findings in another order write the same bytes
    Baseline.from_findings(list(reversed(findings))).write(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == text
    # no temporary files left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.json", "ubl-baseline.json"]


def test_line_moves_do_not_make_findings_new():
    baseline = Baseline.from_findings([f(line=10)])
    assert baseline.filter([f(line=250)]) == ([], 1)


def test_whitespace_changes_in_the_statement_do_not_matter():
    baseline = Baseline.from_findings([f(fingerprint="self.losses.append(loss)")])
    assert baseline.filter([f(fingerprint="  self.losses.append(loss)\n")]) == ([], 1)


@pytest.mark.parametrize(
    "changed",
    [
        dict(path="src/other.py"),
        dict(code="UBL002"),
        dict(container="self.other"),
        dict(fingerprint="self.losses.append(loss * 2)"),
    ],
)
def test_each_key_part_matters(changed):
    baseline = Baseline.from_findings([f()])
    new = f(**changed)
    assert baseline.filter([new]) == ([new], 0)


def test_message_is_not_part_of_the_key():
    baseline = Baseline.from_findings([f(message="old wording")])
    assert baseline.filter([f(message="new wording")]) == ([], 1)


def test_counts_two_identical_sites_count_twice():
    baseline = Baseline.from_findings([f(line=10), f(line=20)])
    assert baseline.filter([f(line=11), f(line=21)]) == ([], 2)
    third = f(line=30)
    new, matched = baseline.filter([f(line=10), third, f(line=20)])
    assert (new, matched) == ([third], 2)  # the later identical site is the new one
    assert Baseline.from_findings([f()]).filter([f(line=10), f(line=20)]) == ([f(line=20)], 1)


def test_filter_keeps_original_order_of_new_findings():
    baseline = Baseline.from_findings([f(path="b.py")])
    new_a, new_c = f(path="c.py"), f(path="a.py")
    assert baseline.filter([new_a, f(path="b.py"), new_c]) == ([new_a, new_c], 1)


def test_paths_resolve_relative_to_the_baseline_file(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    findings = [f(path="src/app.py")]
    Baseline.from_findings(findings).write(tmp_path / "sub" / "baseline.json")
    data = json.loads((tmp_path / "sub" / "baseline.json").read_text())
    assert data["findings"][0]["path"] == "../src/app.py"
    baseline = Baseline.load(tmp_path / "sub" / "baseline.json")
    # run from another folder: the finding's path is relative to that folder
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    assert baseline.filter([f(path="app.py")]) == ([], 1)
    assert baseline.filter([f(path=str(tmp_path / "src" / "app.py"))]) == ([], 1)
    assert baseline.filter([f(path="./app.py")]) == ([], 1)


def test_moved_checkout_still_matches(tmp_path, monkeypatch):
    first = tmp_path / "one"
    (first / "src").mkdir(parents=True)
    monkeypatch.chdir(first)
    Baseline.from_findings([f(path="src/app.py")]).write(first / "baseline.json")
    second = tmp_path / "two"
    second.mkdir()
    os.replace(first / "baseline.json", second / "baseline.json")
    monkeypatch.chdir(second)
    assert Baseline.load("baseline.json").filter([f(path="src/app.py")]) == ([], 1)


def test_writing_from_current_findings_prunes_fixed(tmp_path):
    path = tmp_path / "baseline.json"
    fixed = f(code="UBL002", container="self.cache", fingerprint="self.cache[k] = v")
    Baseline.from_findings([f(), fixed]).write(path)
    Baseline.from_findings([f()]).write(path)
    assert [e["code"] for e in json.loads(path.read_text())["findings"]] == ["UBL001"]


def test_matched_prunes_without_accepting_new():
    kept, fixed, new = f(), f(path="gone.py"), f(path="new.py")
    baseline = Baseline.from_findings([kept, kept, fixed])
    pruned = baseline.matched([kept, new])
    assert len(pruned) == 1
    assert pruned == Baseline.from_findings([kept])
    assert pruned.filter([kept, new]) == ([new], 1)


def test_empty_baseline(tmp_path):
    Baseline.from_findings([]).write(tmp_path / "b.json")
    assert json.loads((tmp_path / "b.json").read_text())["findings"] == []
    assert Baseline.load(tmp_path / "b.json").filter([f()]) == ([f()], 0)


def test_count_defaults_to_one_and_unicode(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"version": 1, "findings": [
        {"path": "src/é.py", "code": "UBL001", "container": "self.ß", "fingerprint": "self.ß.append('ü')"}]}),
        encoding="utf-8")
    found = f(path="src/é.py", container="self.ß", fingerprint="self.ß.append('ü')")
    assert Baseline.load(path).filter([found, found]) == ([found], 1)
    Baseline.load(path).write(path)
    assert "self.ß.append('ü')" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content,needle",
    [
        (None, "not found"),
        ("{not json", "invalid JSON"),
        ("[]", "'version'"),
        ('{"version": 2, "findings": []}', "unsupported baseline version 2"),
        ('{"version": 1}', "'findings' must be a list"),
        ('{"version": 1, "findings": [3]}', "finding #1 is not an object"),
        ('{"version": 1, "findings": [{"code": "UBL001"}]}', "finding #1 has no valid 'path'"),
        ('{"version": 1, "findings": [{"path": "a.py", "code": 5}]}', "no valid 'code'"),
        ('{"version": 1, "findings": [{"path": "a.py", "code": "UBL001", "count": 0}]}', "invalid 'count'"),
    ],
)
def test_load_errors_name_the_file(tmp_path, content, needle):
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BaselineError) as err:
        Baseline.load(path)
    assert str(path) in str(err.value)
    assert needle in str(err.value)
    assert isinstance(err.value, ValueError)
