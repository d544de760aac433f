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
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence

from . import __version__
from .types import ALL_CODES, DEFAULT_FIX_LEVEL, FileResult, Finding, FixLevel, Settings

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .fix.apply import FixOutcome

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="unbounded-lint",
        description="Find (and fix) unbounded containers that leak memory in long-running Python programs.",
        epilog="Rules: UBL001-UBL006 on by default, UBL007 and UBL008 opt-in. "
               "`unbounded-lint --explain UBL001` prints a rule's documentation.",
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
    files.add_argument("--stdin-filename", metavar="NAME", help="the file name to report for source read from stdin ('-')")
    out = p.add_argument_group("output")
    out.add_argument("--format", "--output-format", dest="format", default="text",
                     choices=("text", "json", "github", "sarif", "junit"), help="report format (default text)")
    out.add_argument("--output-file", "-o", metavar="PATH", help="write the report to a file instead of stdout")
    out.add_argument("--show-source", action="store_true", help="show the offending line with a caret (text format)")
    out.add_argument("--statistics", action="store_true", help="print the number of findings per code instead")
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
    run = p.add_argument_group("performance")
    run.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                     help="worker processes (default: usable CPUs; 1 runs in-process)")
    run.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    run.add_argument("--cache-dir", metavar="PATH",
                     help="cache folder (default .unbounded_lint_cache in the project root, or $UNBOUNDED_LINT_CACHE_DIR)")
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
        "exclude": args.exclude, "extend_exclude": args.extend_exclude,
        "per_file_ignores": pfi, "respect_gitignore": args.respect_gitignore,
        "fix_level": "all" if args.unsafe_fixes else args.fix_level,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _main(parser, args)
    except KeyboardInterrupt:
        print("unbounded-lint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if args.verbose:
            raise
        print(f"unbounded-lint: internal error: {exc.__class__.__name__}: {exc} (run with --verbose for details)",
              file=sys.stderr)
        return EXIT_ERROR


def _main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .config import ConfigError, discover_files, find_pyproject, load_config

    if args.explain:
        return explain(args.explain)
    if args.fix and args.diff:
        parser.error("--fix and --diff cannot be used together (--diff shows what --fix would change)")
    if args.add_noqa and (args.fix or args.diff):
        parser.error("--add-noqa cannot be combined with --fix or --diff")
    if args.max_length is not None and args.max_length < 1:
        parser.error("--max-length must be a positive integer")
    if args.jobs < 0:
        parser.error("--jobs must be 0 (auto) or more")
    paths = args.paths or ["."]
    stdin = paths == ["-"]
    if "-" in paths and not stdin:
        parser.error("'-' (standard input) cannot be combined with other paths")
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

    missing = [p for p in paths if not os.path.lexists(p)]
    for path in missing:
        print(f"{path}: no such file or folder", file=sys.stderr)
    files = discover_files([p for p in paths if p not in missing], config, force_exclude=args.force_exclude)
    files = [_display(f) for f in files]

    if args.fix or args.diff or args.add_noqa:
        status = _run_fix(args, config, files)
        return EXIT_ERROR if missing else status

    from .runner import lint_files

    cache = None
    if not args.no_cache:
        from .cache import Cache

        cache = Cache(args.cache_dir or Cache.default_dir(config.root))
    # UNBOUNDED_LINT_SKIP_PASS=0 turns off the cheap "cannot have a finding" text test (an
    # internal switch for tests that prove the shortcut changes no finding).
    skip_pass = os.environ.get("UNBOUNDED_LINT_SKIP_PASS", "1") != "0"
    results = lint_files(files, config.settings_for, jobs=args.jobs, cache=cache,
                         timeout=args.timeout_per_file, skip_pass=skip_pass)
    errors = _report_errors(results)
    results = _apply_baseline(args, results, config.root)
    status = _emit(args, results, config.fix_level)
    if errors or missing:
        return EXIT_ERROR
    return status


def _display(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def _report_errors(results: Sequence[FileResult]) -> int:
    count = 0
    for result in results:
        if result.error:
            count += 1
            print(f"{result.path}: {result.error}", file=sys.stderr)
    return count


def _apply_baseline(args: argparse.Namespace, results: List[FileResult], root: str) -> List[FileResult]:
    from .baseline import Baseline

    findings = [f for r in results for f in r.findings]
    if args.write_baseline:
        Baseline.from_findings(findings).write(args.write_baseline)
        print(f"Wrote {len(findings)} findings to the baseline {args.write_baseline}.", file=sys.stderr)
    if args.baseline:
        try:
            baseline = Baseline.load(args.baseline)
        except (OSError, ValueError) as exc:
            raise SystemExit(_fail(str(exc)))
        new, matched = baseline.filter(findings)
        if matched and not args.quiet:
            print(f"{matched} findings hidden by the baseline {args.baseline}.", file=sys.stderr)
        keep = set(map(id, new))
        results = [FileResult(r.path, tuple(f for f in r.findings if id(f) in keep), r.error, r.source_hash,
                              r.noqa_suppressed) for r in results]
    return results


def _fail(message: str) -> int:
    print(f"unbounded-lint: {message}", file=sys.stderr)
    return EXIT_ERROR


def _emit(args: argparse.Namespace, results: Sequence[FileResult], level: FixLevel = DEFAULT_FIX_LEVEL) -> int:
    from .output import render

    findings = [f for r in results for f in r.findings]
    if args.statistics:
        text = statistics(findings, level)
    else:
        to_terminal = not args.output_file and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = render(args.format, results, color=to_terminal, show_source=args.show_source,
                      summary=args.format == "text" and not args.quiet, fix_level=level)
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


def statistics(findings: Sequence[Finding], unsafe: "bool | FixLevel") -> str:
    from .rules import RULES

    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable_with(unsafe))
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


def _run_fix(args: argparse.Namespace, config, files: Sequence[str]) -> int:  # type: ignore[no-untyped-def]
    report = _FixReport()
    try:
        status = _fix_files(args, config, files, report)
    except KeyboardInterrupt:
        report.interrupted()  # say which files were already rewritten
        raise
    if args.add_noqa:
        print(f"Added {_plural(report.noqa_added, 'noqa comment')} to {_plural(report.files, 'file')}.",
              file=sys.stderr)
        return status
    if args.diff:
        return status
    if args.show_fixes:
        sys.stdout.write(report.show_fixes())
    report.summary()
    if any(r.findings for r in report.remaining):
        _emit(args, report.remaining, config.fix_level)
        if not args.exit_zero and status == EXIT_OK:
            status = EXIT_FINDINGS
    return status


def _fix_files(args: argparse.Namespace, config: "Config", files: Sequence[str], report: "_FixReport") -> int:
    from .fix.apply import FixOptions, WriteError, fix_source, unified_diff, write_atomically
    from .fix.style import line_length_for
    from .runner import FileTimeout, read_file, time_limit, timeout_message

    status = EXIT_OK
    for path in files:
        source, error = read_file(path)
        if source is None:
            print(f"{path}: {error}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        settings = config.settings_for(path)
        if args.add_noqa:
            added = _add_noqa(path, source, settings)
            if added is None:
                status = EXIT_ERROR
            else:
                report.noqa_added += added
                report.files += bool(added)
            continue
        options = FixOptions(config.fix_level, line_length_for(path))
        try:
            with time_limit(args.timeout_per_file):
                outcome = fix_source(source, path, settings, options=options)
        except FileTimeout:
            print(f"{path}: {timeout_message(args.timeout_per_file)}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        if outcome.error:
            # A refused fix keeps the original: its findings remain (1); a broken input is 2.
            print(f"{path}: {outcome.error}", file=sys.stderr)
            status = max(status, EXIT_FINDINGS if outcome.fix_failed else EXIT_ERROR)
        if outcome.changed:
            if args.diff:
                sys.stdout.write(_fix_notes(path, outcome.applied) + unified_diff(path, source, outcome.source))
                status = max(status, EXIT_FINDINGS)
            else:
                try:
                    write_atomically(path, source, outcome.source)
                except (WriteError, OSError) as exc:
                    print(f"{path}: fix failed: {exc}", file=sys.stderr)
                    status = EXIT_ERROR
                    report.remaining.append(FileResult(path, _relint(source, path, settings)))
                    continue
                report.wrote(path, source, outcome)
        report.held.extend(reason for _, reason in outcome.held)
        report.remaining.append(FileResult(path, outcome.remaining))
    return status


def _fix_notes(path: str, applied: Sequence[Finding]) -> str:
    """Lines before a file's diff saying which fix class each change is in (``git apply``
    and ``patch`` skip text before the ``---`` header)."""
    return "".join(f"# {path}:{f.line}: {f.code} {f.fix.applicability.value} fix on a {f.confidence} finding: "
                   f"{f.fix.description}\n" for f in applied if f.fix is not None)


class _FixReport:
    """What a --fix run did, for the summary, --show-fixes and an interrupted run."""

    def __init__(self) -> None:
        self.files = 0
        self.fixed = 0
        self.noqa_added = 0
        self.remaining: List[FileResult] = []
        self.held: List[str] = []
        self.changes: List[str] = []
        self.written: List[str] = []

    def wrote(self, path: str, source: bytes, outcome: "FixOutcome") -> None:
        from .fix.apply import changed_lines

        self.fixed += outcome.fixed
        self.files += 1
        self.written.append(path)
        lines = _ranges(changed_lines(source, outcome.source))
        self.changes.append(f"{path}: {_plural(outcome.fixed, 'fix', 'fixes')}, lines {lines}\n")
        for f in outcome.applied:
            if f.fix is not None:  # applied findings always have one
                self.changes.append(f"  {f.line}: {f.code} [{f.fix.applicability.value}, {f.confidence}] "
                                    f"{f.fix.description}\n")

    def show_fixes(self) -> str:
        return "".join(self.changes)

    def interrupted(self) -> None:
        if self.written:
            print(f"unbounded-lint: interrupted after rewriting {_plural(len(self.written), 'file')}: "
                  + ", ".join(self.written), file=sys.stderr)

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


def _relint(source: bytes, path: str, settings: Settings):  # type: ignore[no-untyped-def]
    from .engine import lint_source

    return lint_source(source, path, settings).findings


def _add_noqa(path: str, source: bytes, settings: Settings) -> Optional[int]:
    from .add_noqa import add_noqa_result
    from .engine import decode_source, lint_source
    from .fixer import WriteError, write_atomically

    result = lint_source(source, path, settings)
    if result.error:
        print(f"{path}: {result.error}", file=sys.stderr)
        return None
    if not result.findings:
        return 0
    text = decode_source(source)
    outcome = add_noqa_result(text, result.findings)
    if outcome.skipped:
        print(f"{path}: {outcome.skipped} findings inside multi-line strings could not get a noqa comment",
              file=sys.stderr)
    if outcome.source == text:
        return 0
    from .fix.apply import encode_like

    data = encode_like(source, outcome.source)
    try:
        write_atomically(path, source, data)
    except (WriteError, OSError) as exc:
        print(f"{path}: cannot add noqa: {exc}", file=sys.stderr)
        return None
    return outcome.added


def _run_stdin(args: argparse.Namespace, config) -> int:  # type: ignore[no-untyped-def]
    from .engine import lint_source

    name = args.stdin_filename or "-"
    source = sys.stdin.buffer.read()
    settings = config.settings_for(name)
    if args.fix or args.diff:
        from .fix.apply import FixOptions, fix_source, unified_diff
        from .fix.style import line_length_for

        options = FixOptions(config.fix_level, line_length_for(name if args.stdin_filename else "."))
        outcome = fix_source(source, name, settings, options=options)
        if outcome.error:
            print(f"{name}: {outcome.error}", file=sys.stderr)
        if args.diff:
            sys.stdout.write(unified_diff(name, source, outcome.source))
            return EXIT_ERROR if outcome.error else (EXIT_FINDINGS if outcome.changed else EXIT_OK)
        sys.stdout.buffer.write(outcome.source)
        sys.stdout.flush()
        if outcome.error:
            return EXIT_FINDINGS if outcome.fix_failed else EXIT_ERROR
        return EXIT_FINDINGS if outcome.remaining and not args.exit_zero else EXIT_OK
    result = lint_source(source, name, settings)
    if result.error:
        print(f"{name}: {result.error}", file=sys.stderr)
        return EXIT_ERROR
    results = _apply_baseline(args, [result], config.root)
    return _emit(args, results, config.fix_level)
