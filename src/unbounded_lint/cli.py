"""The command line: builds a Config, runs the engine or the fixer, prints. No lint logic here.

Exit status: 0 no findings, 1 findings (with ``--fix``: findings left unfixed; with ``--diff``:
a diff), 2 usage error, configuration error, internal error, or a file that could not be read,
parsed or fixed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

from . import __version__
from .output._escape import escape_for_log
from .types import ALL_CODES, DEFAULT_FIX_LEVEL, FileResult, Finding, FixLevel, Settings

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .fix.apply import FixOutcome
    from .runner import FixJob
    from .index.view import ModuleView

if TYPE_CHECKING:  # pragma: no cover - for annotations only
    from .config import Config

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="unbounded-lint",
        description="Find (and fix) unbounded containers that leak memory in long-running Python programs.",
        epilog="Rules: UBL001-UBL006 on by default, UBL007 and UBL008 opt-in. "
               "`unbounded-lint --explain UBL001` prints a rule's documentation. "
               "`unbounded-lint server` runs the language server (see docs/editors.md); "
               "`unbounded-lint watch [PATHS] -- COMMAND` runs COMMAND and measures which findings grow "
               "(see `unbounded-lint watch --help`).",
    )
    p.add_argument("paths", nargs="*", help="files or folders to lint (default: .); '-' reads standard input")
    sel = p.add_argument_group("rule selection")
    sel.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to enable (replaces the default)")
    sel.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to disable")
    sel.add_argument("--extend-select", metavar="CODES", help="codes to enable on top of the selection (e.g. UBL007,UBL008)")
    sel.add_argument("--per-file-ignores", metavar="GLOB:CODES", action="append",
                     help="ignore codes in files matching a glob, e.g. 'tests/*:UBL001' (repeatable)")
    sel.add_argument("--max-length", type=int, metavar="N", help="the bound the fixes use (default 1000)")
    sel.add_argument("--min-confidence", choices=("low", "medium", "high"),
                     help="hide findings below this confidence (default medium)")
    sel.add_argument("--disable-heuristics", metavar="NAME[,NAME...]",
                     help="switch off precision heuristics by name (see docs/rules.md#heuristics)")
    know = p.add_argument_group("project knowledge (see docs/configuration.md)")
    know.add_argument("--short-lived-classes", metavar="CLASSES",
                      help="comma-separated classes that live for one request/query/job ('pkg.mod:Class'): "
                           "their findings drop to low")
    know.add_argument("--long-lived-classes", metavar="CLASSES",
                      help="comma-separated classes that live as long as the program (singletons, servers)")
    know.add_argument("--bounded-containers", metavar="NAMES",
                      help="comma-separated containers bounded elsewhere ('pkg.mod:Class.attr', 'pkg.mod:GLOBAL')")
    know.add_argument("--extend-fixed-key-words", metavar="WORDS",
                      help="words that name a fixed key space, on top of the built-in ones (e.g. tenant)")
    know.add_argument("--extend-teardown-methods", metavar="NAMES",
                      help="method names that run only when the owner ends, on top of close/stop/...")
    know.add_argument("--src", metavar="FOLDERS",
                      help="comma-separated source roots that module names start below (default: .,src)")
    files = p.add_argument_group("files and configuration")
    files.add_argument("--config", metavar="PATH", help="pyproject.toml to read [tool.unbounded-lint] from")
    files.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    files.add_argument("--exclude", metavar="GLOBS", help="comma-separated globs to skip (replaces the default)")
    files.add_argument("--extend-exclude", metavar="GLOBS", help="globs to skip on top of exclude")
    files.add_argument("--respect-gitignore", dest="respect_gitignore", action="store_true", default=None,
                       help="skip files ignored by git (the default)")
    files.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false",
                       help="lint git-ignored files too")
    files.add_argument("--force-exclude", action="store_true", help="apply exclusions to files named explicitly")
    files.add_argument("--stdin-filename", metavar="NAME",
                       help="read the source from standard input and report it as NAME (like ruff)")
    out = p.add_argument_group("output")
    out.add_argument("--format", "--output-format", dest="format", default="text",
                     choices=("text", "json", "github", "sarif", "junit"), help="report format (default text)")
    out.add_argument("--output-file", "-o", metavar="PATH", help="write the report to a file instead of stdout")
    out.add_argument("--show-source", action="store_true", help="show the offending line with a caret (text format)")
    out.add_argument("--show-reasons", action="store_true",
                     help="print why each finding was made (owner, what makes it long-lived, heuristics)")
    out.add_argument("--statistics", action="store_true",
                     help="print the number of findings per code instead (as JSON with --format json)")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    out.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    out.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of internal errors")
    fix = p.add_argument_group("fixing")
    fix.add_argument("--fix", action="store_true", help="fix what can be fixed, in place")
    fix.add_argument("--diff", action="store_true", help="print the diff --fix would apply; change nothing")
    fix.add_argument("--fix-level", choices=("safe", "high", "evidence", "all"),
                     help="which fixes --fix applies: safe ones only; also unsafe (bounding) fixes of 'high' "
                          "findings (the default); also those runtime evidence saw grow; or all")
    fix.add_argument("--unsafe-fixes", action="store_true", help="apply every fix, unsafe ones too (--fix-level all)")
    fix.add_argument("--show-fixes", action="store_true",
                     help="with --fix: list the files and lines changed and each fix applied")
    fix.add_argument("--add-noqa", action="store_true", help="append '# noqa: CODE' to every line with a finding")
    base = p.add_argument_group("adoption")
    base.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in this baseline")
    base.add_argument("--write-baseline", metavar="FILE", help="record the current findings in a baseline file")
    base.add_argument("--evidence", metavar="FILE",
                      help="a report of `unbounded-lint watch --format json`: mark findings that grew, "
                           "lower plateau/transient ones to low")
    run = p.add_argument_group("performance")
    run.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                     help="worker processes (default: usable CPUs; 1 runs in-process)")
    run.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    run.add_argument("--cache-dir", metavar="PATH",
                     help="cache folder (default .unbounded_lint_cache in the project root, or $UNBOUNDED_LINT_CACHE_DIR)")
    run.add_argument("--no-project-index", action="store_true",
                     help="analyse each file alone, without the project index of its classes, bounds and imports")
    run.add_argument("--max-file-size", metavar="SIZE",
                     help="skip (and report) files larger than this: bytes, or e.g. 5MB, 10MiB; 0: no limit "
                          "(default 5MiB)")
    run.add_argument("--timeout-per-file", type=float, default=60.0, metavar="SECONDS",
                     help="skip a file that takes longer than this (default 60; 0 disables)")
    p.add_argument("--explain", metavar="CODE", help="print the documentation of a rule and exit")
    p.add_argument("--version", action="version", version=f"unbounded-lint {__version__}")
    return p


def _cli_overrides(args: argparse.Namespace) -> Dict[str, object]:
    pfi = None
    if args.per_file_ignores:
        pfi = list(args.per_file_ignores)
    return {
        "select": args.select, "ignore": args.ignore, "extend_select": args.extend_select,
        "max_length": args.max_length, "min_confidence": args.min_confidence,
        "disable_heuristics": args.disable_heuristics,
        "exclude": args.exclude, "extend_exclude": args.extend_exclude,
        "per_file_ignores": pfi, "respect_gitignore": args.respect_gitignore,
        "short_lived_classes": args.short_lived_classes, "long_lived_classes": args.long_lived_classes,
        "bounded_containers": args.bounded_containers, "extend_fixed_key_words": args.extend_fixed_key_words,
        "extend_teardown_methods": args.extend_teardown_methods, "src": args.src,
        "max_file_size": args.max_file_size,
        "fix_level": "all" if args.unsafe_fixes else args.fix_level,
    }


# Subcommands run their own parser: `unbounded-lint server`. A folder named like one is
# linted with `unbounded-lint ./server`.
SUBCOMMANDS: Dict[str, str] = {
    "server": "Language Server over stdio (needs the 'lsp' extra)",
    "watch": "run a command and measure which findings grow",
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .runner import Terminated, sigterm_as_exception

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return _subcommand(argv[0], argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with sigterm_as_exception():
            return _main(parser, args)
    except Terminated:
        print("unbounded-lint: terminated", file=sys.stderr)
        # End as SIGTERM would, now: a normal interpreter shutdown joins the worker pool's
        # feeder threads, whose pipes are already closed, and prints their OSError.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(143)
    except KeyboardInterrupt:
        print("unbounded-lint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if args.verbose:
            raise
        print(f"unbounded-lint: internal error: {exc.__class__.__name__}: {escape_for_log(str(exc))} "
              "(run with --verbose for details)",
              file=sys.stderr)
        return EXIT_ERROR


def _subcommand(name: str, argv: List[str]) -> int:
    if name == "server":
        from .server import main as server_main

        return server_main(argv)
    if name == "watch":
        from .evidence.watch import main as watch_main

        return watch_main(argv)
    raise AssertionError(name)  # pragma: no cover - SUBCOMMANDS and this dispatch go together


def _main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .config import ConfigError, discover_files, find_pyproject, load_config

    if args.explain:
        return explain(args.explain)
    if args.fix and args.diff:
        parser.error("--fix and --diff cannot be used together (--diff shows what --fix would change)")
    if args.add_noqa and (args.fix or args.diff):
        parser.error("--add-noqa cannot be combined with --fix or --diff")
    from .config import MAX_LENGTH_LIMIT

    if args.max_length is not None and not 1 <= args.max_length <= MAX_LENGTH_LIMIT:
        parser.error(f"--max-length must be an integer from 1 to {MAX_LENGTH_LIMIT:,}")
    if args.jobs < 0:
        parser.error("--jobs must be 0 (auto) or more")
    from .runner import tune_gc

    tune_gc()  # this process lints too (one job, small runs, the link step)
    # As in ruff, --stdin-filename alone means "read standard input", not "lint the folder".
    paths = args.paths or (["-"] if args.stdin_filename else ["."])
    stdin = paths == ["-"]
    if "-" in paths and not stdin:
        parser.error("'-' (standard input) cannot be combined with other paths")
    if args.stdin_filename and not stdin:
        parser.error("--stdin-filename reads standard input: give no paths (or '-')")
    try:
        if args.isolated:
            pyproject = None
        elif args.config:
            pyproject = args.config
        else:
            start = args.stdin_filename if stdin and args.stdin_filename else (paths[0] if not stdin else ".")
            pyproject = find_pyproject(os.path.abspath(start))
        config = load_config(pyproject, _cli_overrides(args))
    except ConfigError as exc:
        print(f"unbounded-lint: {exc}", file=sys.stderr)
        return EXIT_ERROR

    if stdin:
        return _run_stdin(args, config)

    if args.write_baseline and not _baseline_folder_ready(args.write_baseline):
        return EXIT_ERROR  # before linting: a report that cannot be saved is not worth the wait
    missing = [p for p in paths if not os.path.lexists(p)]
    for path in missing:
        _error_line(path, "no such file or folder")
    walk_errors: List[Tuple[str, str]] = []
    present = [p for p in paths if p not in missing]
    files = discover_files(present, config, force_exclude=args.force_exclude, errors=walk_errors)
    files = [_display(f) for f in files]
    if not files and not missing and not args.quiet:
        # ruff's wording and status: a warning, not an error (exit 0); -q, as in ruff, hides it.
        print("warning: No Python files found under the given path(s)", file=sys.stderr)
    for folder, reason in walk_errors:
        _error_line(_display(folder), reason)
    failed = bool(missing or walk_errors)

    if args.fix or args.diff or args.add_noqa:
        from ._io import real_roots

        status = _run_fix(args, config, files, real_roots(present))
        return EXIT_ERROR if failed else status

    from .runner import lint_files

    cache = None
    if not args.no_cache:
        from .cache import Cache

        cache = Cache.for_project(config.root, args.cache_dir)
    # UNBOUNDED_LINT_SKIP_PASS=0 turns off the cheap "cannot have a finding" text test (an
    # internal switch for tests that prove the shortcut changes no finding).
    skip_pass = os.environ.get("UNBOUNDED_LINT_SKIP_PASS", "1") != "0"
    settings_for: Callable[[str], Settings] = config.settings_for
    if args.evidence:
        from .evidence.apply import EvidenceError, apply_to_results, every_confidence, load_evidence

        try:
            evidence = load_evidence(args.evidence)
        except EvidenceError as exc:
            return _fail(str(exc))
        settings_for = every_confidence(config.settings_for)
    results = lint_files(files, settings_for, jobs=args.jobs, cache=cache,
                         timeout=args.timeout_per_file, skip_pass=skip_pass, max_size=config.max_file_size,
                         project_index=not args.no_project_index)
    if args.evidence:
        results = apply_to_results(results, evidence, lambda path: config.settings_for(path).min_confidence)
    errors = _report_errors(results)
    results, saved = _apply_baseline(args, results, config.root)
    status = _emit(args, results, config.fix_level)
    if errors or failed or not saved:
        return EXIT_ERROR
    return status


def _display(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def _report_errors(results: Sequence[FileResult]) -> int:
    count = 0
    for result in results:
        if result.error:
            count += 1
            _error_line(result.path, result.error)
    return count


def _baseline_folder_ready(path: str) -> bool:
    """Create the folder of ``--write-baseline`` now; say so and stop if that fails."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        _error_line(path, f"cannot create the baseline's folder: {exc.strerror or exc}")
        return False
    if not os.access(folder, os.W_OK):
        _error_line(path, "cannot write the baseline: its folder is not writable")
        return False
    return True


def _apply_baseline(args: argparse.Namespace, results: List[FileResult],
                    root: str) -> Tuple[List[FileResult], bool]:
    """The results minus baseline matches, and whether ``--write-baseline`` (if given) worked."""
    from .baseline import Baseline

    findings = [f for r in results for f in r.findings]
    saved = True
    if args.write_baseline:
        try:
            Baseline.from_findings(findings).write(args.write_baseline)
            print(f"Wrote {len(findings)} findings to the baseline {escape_for_log(args.write_baseline)}.",
                  file=sys.stderr)
        except OSError as exc:  # the report is still printed below
            _error_line(args.write_baseline, f"cannot write the baseline: {exc.strerror or exc}")
            saved = False
    if args.baseline:
        try:
            baseline = Baseline.load(args.baseline)
        except (OSError, ValueError) as exc:
            raise SystemExit(_fail(escape_for_log(str(exc)))) from None
        new, matched = baseline.filter(findings)
        if matched and not args.quiet:
            print(f"{matched} findings hidden by the baseline {args.baseline}.", file=sys.stderr)
        keep = set(map(id, new))
        results = [replace(r, findings=tuple(f for f in r.findings if id(f) in keep)) for r in results]
    return results, saved


def _fail(message: str) -> int:
    print(f"unbounded-lint: {message}", file=sys.stderr)
    return EXIT_ERROR


def _emit(args: argparse.Namespace, results: Sequence[FileResult], level: FixLevel = DEFAULT_FIX_LEVEL) -> int:
    from .output import render

    findings = [f for r in results for f in r.findings]
    if args.statistics:
        text = statistics(findings, level, as_json=args.format == "json")
    else:
        to_terminal = not args.output_file and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = render(args.format, results, color=to_terminal, show_source=args.show_source,
                      summary=args.format == "text" and not args.quiet, fix_level=level,
                      show_reasons=args.show_reasons)
    _write(args, text)
    if findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _write(args: argparse.Namespace, text: str) -> None:
    if args.output_file:
        with open(args.output_file, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    elif text:
        sys.stdout.write(text)
        sys.stdout.flush()


def statistics(findings: Sequence[Finding], unsafe: "bool | FixLevel", as_json: bool = False) -> str:
    """Findings per code, most frequent first: ruff's ``--statistics`` table, or with
    ``as_json`` ruff's JSON form, ``[{"code", "name", "count", "fixable"}]``."""
    from .rules import RULES

    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable_with(unsafe))
    if as_json:
        import json

        rows = [{"code": code, "name": RULES[code].name if code in RULES else "", "count": n,
                 "fixable": fixable[code] > 0}
                for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return json.dumps(rows, indent=2) + "\n"
    lines = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[code] else "[ ]"
        lines.append(f"{n:>5}\t{code}\t{mark} {RULES[code].name if code in RULES else ''}")
    return "\n".join(lines) + ("\n" if lines else "")


def explain(code: str) -> int:
    from .rules import RULES

    rule = RULES.get(code.upper())
    if rule is None:
        print(f"unbounded-lint: unknown rule {code!r}; known: {', '.join(ALL_CODES)}", file=sys.stderr)
        return EXIT_ERROR
    default = "on by default" if rule.default else "opt-in (enable with --extend-select)"
    print(f"# {rule.code} ({rule.name})\n\n{rule.summary}. {default[0].upper() + default[1:]}.\n\n{rule.docs}")
    return EXIT_OK


# ----------------------------------------------------------------------------- fixing


def _run_fix(args: argparse.Namespace, config: "Config", files: Sequence[str], roots: Sequence[str]) -> int:
    if args.add_noqa:
        return _run_add_noqa(args, config, files, roots)
    from .runner import fix_files

    evidence = None
    if args.evidence:
        from .evidence.apply import EvidenceError, load_evidence

        try:
            evidence = load_evidence(args.evidence)
        except EvidenceError as exc:
            return _fail(str(exc))
    report = _FixReport()
    views = _fix_views(args, config, files)
    try:
        for job in fix_files(files, config.settings_for, jobs=args.jobs, timeout=args.timeout_per_file,
                             level=config.fix_level, max_size=config.max_file_size, evidence=evidence,
                             views=views):
            _apply_fix_job(args, config, job, roots, report, views.get(job.path))
    except KeyboardInterrupt:
        _report_interrupted_fix(report.written)
        raise
    if args.diff:
        return report.status
    if args.show_fixes:
        sys.stdout.write(report.show_fixes())
    report.summary()
    if any(r.findings for r in report.remaining):
        _emit(args, report.remaining, config.fix_level)
        if not args.exit_zero and report.status == EXIT_OK:
            report.status = EXIT_FINDINGS
    return report.status


def _apply_fix_job(args: argparse.Namespace, config: "Config", job: "FixJob", roots: Sequence[str],
                   report: "_FixReport", view: "Optional[ModuleView]" = None) -> None:
    from ._io import WriteError, outside_roots, replace_in_place
    from .fix.apply import unified_diff

    path, outcome = job.path, job.outcome
    if job.error or outcome is None:
        _error_line(path, job.error or "internal error: no result")
        report.status = EXIT_ERROR
        return
    report.held.extend(reason for _, reason in outcome.held)
    if outcome.error:
        # A refused fix keeps the original: its findings remain (1); a broken input is 2.
        _error_line(path, outcome.error)
        report.status = max(report.status, EXIT_FINDINGS if outcome.fix_failed else EXIT_ERROR)
    if not outcome.changed or job.original is None:
        report.remaining.append(FileResult(path, outcome.remaining))
        return
    if args.diff:
        sys.stdout.write(_fix_notes(path, outcome.applied) + unified_diff(path, job.original, outcome.source))
        report.status = max(report.status, EXIT_FINDINGS)
        return
    settings = config.settings_for(path)
    target = outside_roots(path, roots)
    if target is not None:
        # A symlink out of the tree: its target belongs to someone else (a system file, another
        # checkout). Linted, never written.
        _error_line(path, f"not fixed: it links to {target}, outside the folders being fixed")
        report.remaining.append(FileResult(path, _relint(job.original, path, settings, view)))
        return
    try:
        replace_in_place(path, job.original, outcome.source, on_written=lambda: report.written.append(path))
    except (WriteError, OSError) as exc:
        _error_line(path, f"fix failed: {exc}")
        report.status = EXIT_ERROR
        report.remaining.append(FileResult(path, _relint(job.original, path, settings, view)))
        return
    report.wrote(path, job.original, outcome)
    report.remaining.append(FileResult(path, outcome.remaining))


def _report_interrupted_fix(written: Sequence[str]) -> None:
    if not written:
        print("unbounded-lint: interrupted before any file was rewritten.", file=sys.stderr)
        return
    print(f"unbounded-lint: interrupted; {_plural(len(written), 'file')} already rewritten:", file=sys.stderr)
    for path in written:
        print(f"  {escape_for_log(path)}", file=sys.stderr)


def _run_add_noqa(args: argparse.Namespace, config: "Config", files: Sequence[str],
                  roots: Sequence[str]) -> int:
    from ._io import outside_roots
    from .runner import read_timed

    status = EXIT_OK
    noqa_added = changed_files = 0
    views = _fix_views(args, config, files)
    for path in files:
        source, error = read_timed(path, config.max_file_size, args.timeout_per_file)
        if source is None:
            _error_line(path, error or "cannot read")
            status = EXIT_ERROR
            continue
        target = outside_roots(path, roots)
        if target is not None:
            _error_line(path, f"no noqa added: it links to {target}, outside the folders being changed")
            continue
        added = _add_noqa(path, source, config.settings_for(path), views.get(path))
        if added is None:
            status = EXIT_ERROR
        else:
            noqa_added += added
            changed_files += bool(added)
    print(f"Added {_plural(noqa_added, 'noqa comment')} to {_plural(changed_files, 'file')}.", file=sys.stderr)
    return status


def _error_line(path: str, message: str) -> None:
    """One line on stderr about one file, safe for CI logs (see output._escape)."""
    print(f"{escape_for_log(path)}: {escape_for_log(message)}", file=sys.stderr)


def _fix_notes(path: str, applied: Sequence[Finding]) -> str:
    """Lines before a file's diff saying which fix class each change is in (``git apply``
    and ``patch`` skip text before the ``---`` header)."""
    return "".join(f"# {path}:{f.line}: {f.code} {f.fix.applicability.value} fix on a {f.confidence} finding: "
                   f"{f.fix.description}\n" for f in applied if f.fix is not None)


class _FixReport:
    """What a --fix run did, for the summary, --show-fixes and an interrupted run."""

    def __init__(self) -> None:
        self.status = EXIT_OK
        self.files = 0
        self.fixed = 0
        self.remaining: List[FileResult] = []
        self.held: List[str] = []
        self.changes: List[str] = []
        self.written: List[str] = []

    def wrote(self, path: str, source: bytes, outcome: "FixOutcome") -> None:
        from .fix.apply import changed_lines

        # ``written`` already holds the path: the write's own callback adds it, so that an
        # interrupted run lists it even before this bookkeeping
        self.fixed += outcome.fixed
        self.files += 1
        lines = _ranges(changed_lines(source, outcome.source))
        self.changes.append(f"{path}: {_plural(outcome.fixed, 'fix', 'fixes')}, lines {lines}\n")
        for f in outcome.applied:
            if f.fix is not None:  # applied findings always have one
                self.changes.append(f"  {f.line}: {f.code} [{f.fix.applicability.value}, {f.confidence}] "
                                    f"{f.fix.description}\n")

    def show_fixes(self) -> str:
        return "".join(self.changes)

    def summary(self) -> None:
        left = sum(len(r.findings) for r in self.remaining)
        print(f"Fixed {_plural(self.fixed, 'finding')} in {_plural(self.files, 'file')}.", file=sys.stderr)
        print(f"Found {_plural(self.fixed + left, 'finding')} ({self.fixed} fixed, {left} remaining).",
              file=sys.stderr)
        if self.held:
            reasons = "; ".join(f"{reason} ({n})" for reason, n in Counter(self.held).most_common())
            print(f"{_plural(len(self.held), 'fix', 'fixes')} held back: {reasons} "
                  "(--fix-level all or --unsafe-fixes applies unsafe ones).", file=sys.stderr)


def _ranges(lines: Sequence[int]) -> str:
    out: List[str] = []
    for line in lines:
        if out and "-" not in out[-1] and int(out[-1]) == line - 1:
            out[-1] = f"{out[-1]}-{line}"
        elif out and "-" in out[-1] and int(out[-1].split("-")[1]) == line - 1:
            out[-1] = f"{out[-1].split('-')[0]}-{line}"
        else:
            out.append(str(line))
    return ", ".join(out) or "none"


def _plural(n: int, noun: str, nouns: str = "") -> str:
    return f"{n} {noun if n == 1 else (nouns or noun + 's')}"


def _fix_views(args: argparse.Namespace, config: "Config", files: Sequence[str]) -> "Dict[str, ModuleView]":
    """The project index's view of each file, so that --fix, --diff and --add-noqa act on the
    findings a linting run reports."""
    if args.no_project_index:
        return {}
    from .runner import project_views

    cache = None
    if not args.no_cache:
        from .cache import Cache

        cache = Cache.for_project(config.root, args.cache_dir)
    return project_views(files, cache, jobs=args.jobs, timeout=args.timeout_per_file,
                         max_size=config.max_file_size)


def _relint(source: bytes, path: str, settings: Settings, view: "Optional[ModuleView]" = None,
            ) -> Tuple[Finding, ...]:
    from .engine import lint_source

    return lint_source(source, path, settings, index=view).findings


def _add_noqa(path: str, source: bytes, settings: Settings, view: "Optional[ModuleView]" = None) -> Optional[int]:
    from ._io import WriteError, replace_in_place
    from .add_noqa import add_noqa_result
    from .engine import decode_source, lint_source

    result = lint_source(source, path, settings, index=view)
    if result.error:
        _error_line(path, result.error)
        return None
    if not result.findings:
        return 0
    text = decode_source(source)
    outcome = add_noqa_result(text, result.findings)
    if outcome.skipped:
        _error_line(path, f"{outcome.skipped} findings inside multi-line strings could not get a noqa comment")
    if outcome.source == text:
        return 0
    from .fix.apply import encode_like

    data = encode_like(source, outcome.source)
    try:
        replace_in_place(path, source, data)
    except (WriteError, OSError) as exc:
        _error_line(path, f"cannot add noqa: {exc}")
        return None
    return outcome.added


def _stdin_view(args: argparse.Namespace, config: "Config", name: str) -> "Optional[ModuleView]":
    """The stored project index's view of ``--stdin-filename``'s module, when the cache holds
    one; None (file-local analysis) otherwise."""
    if args.no_cache or args.no_project_index or not args.stdin_filename:
        return None
    from .cache import Cache
    from .index.stored import cache_roots_for, stored_view

    roots = (args.cache_dir,) if args.cache_dir else (Cache.for_project(config.root).root,) + cache_roots_for(name)
    try:
        return stored_view(name, roots)
    except Exception:  # noqa: BLE001 - the index is an aid; never fail a run over it
        return None


def _run_stdin(args: argparse.Namespace, config: "Config") -> int:
    from .engine import lint_source

    name = args.stdin_filename or "-"
    source = sys.stdin.buffer.read()
    settings = config.settings_for(name)
    view = _stdin_view(args, config, name)
    if args.fix or args.diff:
        from .fix.apply import FixOptions, fix_source, unified_diff
        from .fix.style import line_length_for

        options = FixOptions(config.fix_level, line_length_for(name if args.stdin_filename else "."))
        outcome = fix_source(source, name, settings, options=options, index=view)
        if outcome.error:
            _error_line(name, outcome.error)
        if args.diff:
            sys.stdout.write(unified_diff(name, source, outcome.source))
            return EXIT_ERROR if outcome.error else (EXIT_FINDINGS if outcome.changed else EXIT_OK)
        sys.stdout.buffer.write(outcome.source)
        sys.stdout.flush()
        if outcome.error:
            return EXIT_FINDINGS if outcome.fix_failed else EXIT_ERROR
        return EXIT_FINDINGS if outcome.remaining and not args.exit_zero else EXIT_OK
    result = lint_source(source, name, settings, index=view)
    if result.error:
        _error_line(name, result.error)
        return EXIT_ERROR
    results, saved = _apply_baseline(args, [result], config.root)
    status = _emit(args, results, config.fix_level)
    return status if saved else EXIT_ERROR
