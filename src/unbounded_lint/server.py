"""``unbounded-lint server``: a Language Server (LSP over stdio) over the same engine.

It publishes diagnostics when a Python document is opened, changed or saved; offers each
finding's fix as a quick-fix code action (safe fixes as preferred actions, unsafe ones marked
"(unsafe)"), plus "Fix all safe unbounded-lint findings" (``source.fixAll``); and shows on hover
why each finding was made. Settings come from the ``[tool.unbounded-lint]`` table found from the
document's folder, exactly as the CLI reads them; the result cache is the CLI's.

Requires the ``lsp`` extra (``pip install 'unbounded-lint[lsp]'``, which installs pygls).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote, urlparse

from . import __version__
from .types import Applicability, FileResult, Finding, Settings

if TYPE_CHECKING:  # pragma: no cover
    from .cache import Cache
    from .config import Config

SOURCE = "unbounded-lint"
FIX_ALL = "source.fixAll.unbounded-lint"


# ----------------------------------------------------------------------------- pure helpers


def uri_to_path(uri: str) -> str:
    """The file-system path of a ``file:`` URI (the URI itself for other schemes)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return uri
    path = unquote(parsed.path)
    if os.name == "nt" and path.startswith("/") and path[2:3] == ":":  # pragma: no cover
        path = path[1:]
    return path


def utf16_column(line_text: str, column: int) -> int:
    """LSP counts UTF-16 code units; findings count characters (1-based). Returns 0-based."""
    prefix = line_text[: max(0, column - 1)]
    return len(prefix.encode("utf-16-le")) // 2


def _project(path: str) -> Tuple[Optional[Config], Optional[str]]:
    """The project configuration the CLI would use for ``path`` (None outside a project with a
    ``[tool.unbounded-lint]`` table), or a configuration error."""
    from .config import ConfigError, find_pyproject, load_config

    try:
        pyproject = find_pyproject(os.path.dirname(os.path.abspath(path)) or ".")
        return (load_config(pyproject) if pyproject is not None else None), None
    except ConfigError as exc:
        return None, str(exc)


def settings_for(path: str) -> Tuple[Settings, Optional[str], Optional[str]]:
    """The settings the CLI would use for ``path``, its project root (None outside a project:
    nothing is cached there), and a configuration error."""
    config, error = _project(path)
    if config is None:
        return Settings(), None, error
    return config.settings_for(path), config.root, None


def is_excluded(path: str) -> bool:
    """Whether the project's ``exclude``/``extend-exclude`` skip ``path`` (a vendored copy, a
    virtualenv opened in the editor): the CLI would not lint it, so neither does the server."""
    config, _ = _project(path)
    return config is not None and config.is_excluded(path)


class Caches:
    """The CLI's result cache of each project, opened once per server (one pack read per
    settings key, not one per keystroke)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._by_root: Dict[str, Cache] = {}

    def for_root(self, root: Optional[str]) -> Optional[Cache]:
        from .cache import Cache

        if not self.enabled or root is None:
            return None
        cache = self._by_root.get(root)
        if cache is None:
            # One entry per project folder the editor opens files of.
            cache = self._by_root[root] = Cache(Cache.default_dir(root))  # noqa: UBL002
        return cache


def lint_text(text: str, path: str, caches: Optional[Caches] = None,
              store: bool = False) -> Tuple[FileResult, Optional[str]]:
    """Lint an editor buffer with the project's settings, answering from the result cache when
    it can. ``store`` (on open and save, not on every change) writes the result back."""
    from .engine import lint_source

    settings, root, error = settings_for(path)
    source = text.encode("utf-8")
    cache = caches.for_root(root) if caches is not None and error is None else None
    digest = hashlib.sha256(source).hexdigest()
    hit = cache.get(path, digest, settings) if cache is not None else None
    if hit is not None:
        return hit, error
    result = lint_source(source, path, settings)
    if cache is not None and store:
        cache.put(result, settings)
        cache.flush()
    return result, error


def fixed_text(text: str, path: str, finding: Optional[Finding]) -> Optional[str]:
    """The buffer with one finding's fix applied (all safe fixes when ``finding`` is None)."""
    from .engine import SourceError, lint_source
    from .fixer import apply_edits, fix_source

    settings, _, error = settings_for(path)
    if error is not None:
        return None
    source = text.encode("utf-8")
    if finding is None:
        outcome = fix_source(source, path, settings)
        return outcome.source.decode("utf-8") if outcome.changed and not outcome.error else None
    # Cached findings carry no edits: find the same finding in a fresh lint.
    fresh = [f for f in lint_source(source, path, settings).findings
             if (f.line, f.column, f.code) == (finding.line, finding.column, finding.code)]
    if not fresh or fresh[0].fix is None:
        return None
    try:
        return apply_edits(source, fresh[0].fix.edits).decode("utf-8")
    except (SourceError, ValueError):
        return None


def noqa_text(text: str, finding: Finding) -> Optional[str]:
    """The buffer with ``# noqa: CODE`` added to the finding's line (merged with one there)."""
    from .add_noqa import add_noqa_result

    outcome = add_noqa_result(text, [finding])
    return outcome.source if outcome.added and outcome.source != text else None


def hover_markdown(findings: Sequence[Finding]) -> str:
    """What the hover shows: code, tier, message, why, and the heuristics that acted."""
    parts = []
    for f in findings:
        text = f"**{f.code}** ({f.confidence}) {f.message}"
        if f.because:
            text += f"\n\n*Why:* {f.because}"
        if f.heuristics:
            text += f"\n\n*Heuristics:* {', '.join(f.heuristics)}"
        parts.append(text)
    return "\n\n---\n\n".join(parts)


# ----------------------------------------------------------------------------- the server


def to_range(f: Finding, lines: List[str]):  # type: ignore[no-untyped-def]  # an lsp.Range
    """The LSP range of a finding (UTF-16 columns, 0-based lines)."""
    from lsprotocol import types as lsp

    def line_at(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""

    return lsp.Range(
        start=lsp.Position(line=f.line - 1, character=utf16_column(line_at(f.line), f.column)),
        end=lsp.Position(line=f.end_line - 1, character=utf16_column(line_at(f.end_line), f.end_column)),
    )


def whole_document_edit(uri: str, old: str, new: str):  # type: ignore[no-untyped-def]  # lsp.WorkspaceEdit
    """Replace the whole document: fixes may add an import far from the finding."""
    from lsprotocol import types as lsp

    from .engine import split_lines

    end = lsp.Position(line=len(split_lines(old)), character=0)
    return lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=end), new_text=new)]})


def build_server(use_cache: bool = True):  # type: ignore[no-untyped-def]  # pygls is optional
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer

    from .engine import split_lines
    from .output._meta import rule_info

    server = LanguageServer("unbounded-lint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
    results: Dict[str, FileResult] = {}
    caches = Caches(enabled=use_cache)

    def diagnostic(f: Finding, lines: List[str]) -> lsp.Diagnostic:
        severity = lsp.DiagnosticSeverity.Information if str(f.confidence) == "low" else lsp.DiagnosticSeverity.Warning
        return lsp.Diagnostic(
            range=to_range(f, lines), message=f"{f.message} [{f.confidence}]", severity=severity,
            code=f.code, source=SOURCE, code_description=lsp.CodeDescription(href=rule_info(f.code).help_uri),
            data={"line": f.line, "column": f.column, "code": f.code},
        )

    def publish(uri: str, store: bool = False) -> None:
        document = server.workspace.get_text_document(uri)
        path = uri_to_path(uri)
        if not path.endswith((".py", ".pyi")) and document.language_id != "python":
            return
        if is_excluded(path):
            server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            return
        result, error = lint_text(document.source, path, caches, store)
        if error is not None:
            server.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=error))
        if result.error:
            message = f"{path}: {result.error}"
            server.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Warning, message=message))
        results[uri] = result
        lines = split_lines(document.source)
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=[diagnostic(f, lines) for f in result.findings]))

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri, store=True)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri, store=True)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        results.pop(params.text_document.uri, None)
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                               diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll]))
    def code_action(params: lsp.CodeActionParams) -> List[lsp.CodeAction]:
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        path = uri_to_path(uri)
        result = results.get(uri) or lint_text(document.source, path, caches)[0]
        lines = split_lines(document.source)
        actions: List[lsp.CodeAction] = []
        for f in result.findings:
            if f.fix is None or not _overlaps(to_range(f, lines), params.range):
                continue
            new = fixed_text(document.source, path, f)
            if new is None or new == document.source:
                continue
            unsafe = f.fix.applicability is Applicability.UNSAFE
            actions.append(lsp.CodeAction(
                title=f"Fix {f.code}: {f.fix.description}" + (" (unsafe)" if unsafe else ""),
                kind=lsp.CodeActionKind.QuickFix, is_preferred=not unsafe,
                diagnostics=[diagnostic(f, lines)], edit=whole_document_edit(uri, document.source, new)))
        for f in result.findings:
            if _overlaps(to_range(f, lines), params.range):
                new = noqa_text(document.source, f)
                if new is not None:
                    actions.append(lsp.CodeAction(
                        title=f"Ignore {f.code} on this line (# noqa: {f.code})", kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic(f, lines)], edit=whole_document_edit(uri, document.source, new)))
        if any(f.fixable_with(False) for f in result.findings):
            new = fixed_text(document.source, path, None)
            if new is not None:
                actions.append(lsp.CodeAction(title="Fix all safe unbounded-lint findings", kind=FIX_ALL,
                                              edit=whole_document_edit(uri, document.source, new)))
        return actions

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(params: lsp.HoverParams) -> Optional[lsp.Hover]:
        uri = params.text_document.uri
        result = results.get(uri)
        if result is None:
            return None
        lines = split_lines(server.workspace.get_text_document(uri).source)
        pos = params.position
        here = [f for f in result.findings if _overlaps(to_range(f, lines), lsp.Range(start=pos, end=pos))]
        if not here:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=hover_markdown(here)))

    return server


def _overlaps(a, b) -> bool:  # type: ignore[no-untyped-def]
    """Whether two LSP ranges touch (a cursor at either end of a finding counts)."""
    def key(p):  # type: ignore[no-untyped-def]
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="unbounded-lint server",
                                     description="Run the unbounded-lint Language Server over stdio.")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    args = parser.parse_args(argv)
    try:
        server = build_server(use_cache=not args.no_cache)
    except ImportError:
        print("unbounded-lint: the language server needs pygls: pip install 'unbounded-lint[lsp]'", file=sys.stderr)
        return 2
    server.start_io()
    return 0
