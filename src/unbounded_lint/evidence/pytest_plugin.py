"""``pytest --ubl-watch``: watch the project's findings while its own tests run.

Registered through the ``pytest11`` entry point, and inert unless ``--ubl-watch`` is given:
then it lints the project (``--ubl-watch-paths``, default the rootdir) at every confidence
level, starts the probe in the pytest process before the tests are collected, and at the end
writes the watch report (``--ubl-watch-output FILE``: format from the extension, ``.json``,
``.html``, ``.svg``, anything else text) or prints it after the test summary.

Findings in test files themselves are not watched: pytest rewrites their asserts at import,
and the probe's import hook must not take that over.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, List, Optional

PLUGIN_NAME = "unbounded-lint-watch"


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("unbounded-lint", "unbounded-lint watch")
    group.addoption("--ubl-watch", action="store_true", default=False,
                    help="measure which unbounded-lint findings grow while the tests run")
    group.addoption("--ubl-watch-paths", metavar="PATHS", default=None,
                    help="comma-separated files or folders whose findings to watch (default: rootdir)")
    group.addoption("--ubl-watch-output", metavar="FILE", default=None,
                    help="write the watch report to FILE (.json, .html, .svg, else text) instead of the terminal")
    group.addoption("--ubl-watch-interval", metavar="S", type=float, default=0.2,
                    help="seconds between samples (default 0.2)")


def pytest_configure(config: Any) -> None:
    if not config.getoption("ubl_watch"):
        return
    config.pluginmanager.register(_Watcher(config), PLUGIN_NAME)


def report_format(path: Optional[str]) -> str:
    ext = os.path.splitext(path or "")[1].lower()
    return {".json": "json", ".html": "html", ".htm": "html", ".svg": "svg"}.get(ext, "text")


class _Watcher:
    def __init__(self, config: Any) -> None:
        from ..engine import is_test_file
        from .bootstrap import start_in_process
        from .watch import collect_sites

        paths_option = config.getoption("ubl_watch_paths")
        paths: List[str] = paths_option.split(",") if paths_option else [str(config.rootpath)]
        sites, self.errors = collect_sites(paths)
        self.sites = [s for s in sites if not is_test_file(s.path)]
        self.folder = tempfile.mkdtemp(prefix="ubl-watch-")
        self.output = config.getoption("ubl_watch_output")
        self.text = ""
        self.probe = start_in_process(self.sites, os.path.join(self.folder, "samples.json"),
                                      config.getoption("ubl_watch_interval"))

    def pytest_sessionfinish(self, session: Any) -> None:
        from . import probe as probe_module
        from .instrument import remove_import_hooks
        from .report import Run, render
        from .verdict import judge_all

        self.probe.stop("the test run ended")
        samples = self.probe.snapshot()
        probe_module.uninstall()
        remove_import_hooks()
        run = Run(command=("pytest",), duration=float(samples["duration"]), stop_reason="the test run ended",
                  samples=int(samples["samples"]), interval=self.probe.interval, probe_started=True)
        verdicts = judge_all(self.sites, samples)
        text = render(report_format(self.output), verdicts, run)
        if self.output:
            with open(self.output, "w", encoding="utf-8") as handle:
                handle.write(text)
            grows = sum(1 for v in verdicts if v.verdict == "grows")
            self.text = f"unbounded-lint watch: {grows} of {len(verdicts)} findings grew; report in {self.output}\n"
        else:
            self.text = text

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("unbounded-lint watch")
        for error in self.errors:
            terminalreporter.write_line(error)
        for line in self.text.splitlines():
            terminalreporter.write_line(line)
