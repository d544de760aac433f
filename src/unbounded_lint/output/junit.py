"""The ``junit`` format: JUnit XML for CI dashboards (GitLab, Jenkins, Azure Pipelines).

One ``<testsuite name="unbounded-lint">`` with one ``<testcase>`` per linted file
(``name`` = the path, ``classname`` = ``unbounded-lint``, ``file`` = the path). A clean file is
a passing testcase; each finding adds a ``<failure>`` (``type`` = the code, ``message`` =
``CODE name: message``, body ``path:LINE:COL: CODE message``); a file that could not be read
or parsed gets an ``<error>`` with ``FileResult.error``. The suite's ``tests`` counts files,
``failures`` the files with findings and ``errors`` the files with errors, as the JUnit
schema defines them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional, Sequence

from ..types import FileResult
from ._escape import escape_for_log
from ._meta import TOOL_NAME, rule_info
from .sarif import relative_posix


def render(results: Sequence[FileResult], *, root: Optional[str] = None, **_: object) -> str:
    ordered = sorted(results, key=lambda r: r.path)
    suite = ET.Element("testsuite", name=TOOL_NAME)
    failures = errors = 0
    for result in ordered:
        # XML 1.0 cannot hold most control characters at all: escape them visibly.
        path = escape_for_log(relative_posix(result.path, root))
        case = ET.SubElement(suite, "testcase", name=path, classname=TOOL_NAME, file=path)
        findings = sorted(result.findings, key=lambda f: f.sort_key)
        if findings:
            failures += 1
        for finding in findings:
            info = rule_info(finding.code)
            message = escape_for_log(finding.message)
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{finding.code} {info.name}: {message}",
                type=finding.code,
            )
            failure.text = f"{path}:{finding.line}:{finding.column}: {finding.code} {message}"
        if result.error:
            errors += 1
            reason = escape_for_log(result.error)
            error = ET.SubElement(case, "error", message=reason, type="error")
            error.text = f"{path}: {reason}"
    suite.set("tests", str(len(ordered)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    ET.indent(suite)
    body = ET.tostring(suite, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
