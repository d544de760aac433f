"""The ``github`` format: GitHub Actions workflow commands that annotate the pull request.

One line per finding::

    ::error file=src/app.py,line=12,col=9,endLine=12,endColumn=31,title=UBL001 unbounded-list::'self.losses' grows without bound (append)

Escaping follows the runner's rules: in the message ``%``, ``\\r`` and ``\\n`` become
``%25``, ``%0D`` and ``%0A``; in property values ``:`` and ``,`` also become ``%3A`` and
``%2C``. Other control characters, bidi overrides and undecodable bytes of a file name are
written as visible escapes (``\\x1b``), so no file name can start a workflow command of its
own. Paths use forward slashes and are made relative to the current folder (or
``root``) when absolute. GitHub annotates a column range only within one line, so a finding
that spans several lines gets ``line`` and ``col`` only.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from ..types import FileResult, Finding
from ._escape import escape_for_log
from ._meta import all_findings, rule_info
from .sarif import relative_posix


def escape_data(value: str) -> str:
    # The runner decodes %0A back into a newline inside the annotation; every other control
    # character (ESC, bidi overrides, undecodable bytes) is written as a visible escape.
    encoded = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape_for_log(encoded)


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_finding(finding: Finding, root: Optional[str] = None) -> str:
    info = rule_info(finding.code)
    props = [("file", relative_posix(finding.path, root)), ("line", str(finding.line)), ("col", str(finding.column))]
    if finding.end_line == finding.line and finding.end_column > finding.column:
        props += [("endLine", str(finding.end_line)), ("endColumn", str(finding.end_column))]
    props.append(("title", f"{finding.code} {info.name}"))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::error {joined}::{escape_data(finding.message)}"


def render(results: Sequence[FileResult], *, root: Optional[str] = None, **_: object) -> str:
    lines: List[str] = [format_finding(f, root) for f in all_findings(results)]
    return "".join(line + "\n" for line in lines)
