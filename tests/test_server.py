"""The language server end to end, through a real client (pytest-lsp) over stdio."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types as lsp  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from unbounded_lint.server import hover_markdown, uri_to_path, utf16_column  # noqa: E402
from unbounded_lint.types import Confidence, Finding  # noqa: E402

LEAKY = '''\
class Bot:
    def __init__(self):
        self.history = []

    def on_tick(self, price):
        self.history.append(price)
'''

UNSAFE_ONLY = '''\
import queue


class Pipe:
    def __init__(self):
        self.q = queue.Queue()

    def put(self, m):
        self.q.put(m)

    def take(self):
        return self.q.get()
'''

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "unbounded_lint", "server"])


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text('[tool.unbounded-lint]\nextend-select = ["UBL007"]\n'
                                         'bounded-containers = ["known:Bot.history"]\n')
    lsp_client.root = root  # type: ignore[attr-defined]
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=lsp.ClientCapabilities(), root_uri=root.as_uri()))
    yield
    await lsp_client.shutdown_session()


async def open_document(client: LanguageClient, path: Path, text: str) -> str:
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


def apply(text: str, edit: lsp.WorkspaceEdit, uri: str) -> str:
    (change,) = edit.changes[uri]
    lines = text.splitlines(keepends=True)
    start, end = change.range.start, change.range.end
    offset = sum(len(line) for line in lines[: start.line]) + start.character
    stop = sum(len(line) for line in lines[: end.line]) + end.character
    return text[:offset] + change.new_text + text[stop:]


@pytest.mark.asyncio
async def test_diagnostic_code_action_and_it_goes_away(client: LanguageClient) -> None:
    path = client.root / "bot.py"  # type: ignore[attr-defined]
    uri = await open_document(client, path, LEAKY)
    (diag,) = client.diagnostics[uri]
    assert diag.code == "UBL001" and diag.source == "unbounded-lint"
    assert diag.message.endswith("[medium]")
    # the same result cache as the CLI, in the project root
    assert list((client.root / ".unbounded_lint_cache").glob("*/pack.json"))  # type: ignore[attr-defined]
    assert (diag.range.start.line, diag.range.start.character) == (5, 8)

    hover = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=5, character=10)))
    assert hover is not None and "instance attribute of Bot" in hover.contents.value

    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), range=diag.range,
        context=lsp.CodeActionContext(diagnostics=[diag])))
    quick = [a for a in actions if a.kind == lsp.CodeActionKind.QuickFix]
    # a public list keeps its type (a trim), and a trim drops items: an unsafe fix, offered
    # marked and not preferred
    assert [a.title for a in quick] == ["Fix UBL001: trim to the last 1000 items after each growth (unsafe)",
                                        "Ignore UBL001 on this line (# noqa: UBL001)"]
    assert not quick[0].is_preferred and not quick[1].is_preferred
    assert "self.history.append(price)  # noqa: UBL001\n" in apply(LEAKY, quick[1].edit, uri)
    fixed = apply(LEAKY, quick[0].edit, uri)
    assert "if len(self.history) > 1000:\n            del self.history[:-1000]" in fixed

    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=fixed)]))
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []


@pytest.mark.asyncio
async def test_unsafe_fix_is_offered_marked_and_not_preferred(client: LanguageClient) -> None:
    path = client.root / "pipe.py"  # type: ignore[attr-defined]
    uri = await open_document(client, path, UNSAFE_ONLY)
    (diag,) = client.diagnostics[uri]
    assert diag.code == "UBL007"  # enabled by the project's pyproject.toml
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), range=diag.range,
        context=lsp.CodeActionContext(diagnostics=[diag])))
    action, ignore = actions
    assert action.title == "Fix UBL007: add maxsize=1000 (unsafe)" and not action.is_preferred
    assert ignore.title == "Ignore UBL007 on this line (# noqa: UBL007)"
    assert "queue.Queue(maxsize=1000)" in apply(UNSAFE_ONLY, action.edit, uri)


@pytest.mark.asyncio
async def test_fix_all_and_save(client: LanguageClient) -> None:
    path = client.root / "two.py"  # type: ignore[attr-defined]
    # two figures never closed: closing a figure after its last use is a safe fix
    text = ("import matplotlib.pyplot as plt\n\n\ndef a():\n    fig = plt.figure()\n    fig.savefig('a.png')\n"
            "\n\ndef b():\n    fig = plt.figure()\n    fig.savefig('b.png')\n")
    uri = await open_document(client, path, text)
    assert len(client.diagnostics[uri]) == 2
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
        context=lsp.CodeActionContext(diagnostics=[])))
    (fix_all,) = [a for a in actions if a.kind == "source.fixAll.unbounded-lint"]
    fixed = apply(text, fix_all.edit, uri)
    path.write_text(fixed)
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=fixed)]))
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []


def test_utf16_columns_count_surrogate_pairs() -> None:
    assert utf16_column("x = '😀'; y.append(1)", 11) == 11
    assert utf16_column("abc", 1) == 0


def test_uri_to_path(tmp_path: Path) -> None:
    path = tmp_path / "my file.py"
    assert uri_to_path(path.as_uri()) == str(path)


def test_hover_markdown_has_the_reason() -> None:
    finding = Finding("a.py", 1, 1, 1, 2, "UBL001", "grows", confidence=Confidence.HIGH,
                      because="module global 'H'", heuristics=("config-long-lived",))
    assert hover_markdown([finding]) == ("**UBL001** (high) grows\n\n*Why:* module global 'H'"
                                         "\n\n*Heuristics:* config-long-lived")


@pytest.mark.asyncio
async def test_configuration_error_is_shown(client: LanguageClient) -> None:
    folder = client.root / "bad"  # type: ignore[attr-defined]
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[tool.unbounded-lint]\nshort-lived-class = ["A"]\n')
    await open_document(client, folder / "m.py", LEAKY)
    assert any("did you mean 'short-lived-classes'?" in m.message for m in client.messages), client.messages


@pytest.mark.asyncio
async def test_declared_knowledge_is_honoured(client: LanguageClient) -> None:
    uri = await open_document(client, client.root / "known.py", LEAKY)  # type: ignore[attr-defined]
    assert list(client.diagnostics[uri]) == []  # bounded-containers = ["known:Bot.history"]


@pytest.mark.asyncio
async def test_excluded_files_get_no_diagnostics(client: LanguageClient) -> None:
    folder = client.root / "build"  # type: ignore[attr-defined]  # in the default exclude list
    folder.mkdir()
    uri = await open_document(client, folder / "gen.py", LEAKY)
    assert list(client.diagnostics[uri]) == []
