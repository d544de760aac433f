"""Configuration: ``[tool.unbounded-lint]`` in ``pyproject.toml``, merged with CLI overrides.

Public API
==========

``find_pyproject(start: Path) -> Optional[Path]``
    Walk up from ``start`` (a file or a folder) and return the first ``pyproject.toml`` that
    holds a ``[tool.unbounded-lint]`` table. Like ruff, a ``pyproject.toml`` *without* the
    table is skipped and the search goes on upwards, so a project can keep its linter settings
    in a parent folder while sub-packages have their own ``pyproject.toml`` for packaging.
    Returns ``None`` when no such file exists up to the file-system root.

``load_config(pyproject: Optional[Path], cli: Mapping[str, Any] = {}) -> Config``
    Read the table from ``pyproject`` (``None``: defaults only, e.g. for ``--isolated`` or
    when ``find_pyproject`` found nothing) and apply ``cli`` on top. ``cli`` maps the option
    names with underscores (``select``, ``ignore``, ``extend_select``, ``max_length``,
    ``exclude``, ``extend_exclude``, ``per_file_ignores``, ``respect_gitignore``,
    ``min_confidence``, ``short_lived_classes``, ``long_lived_classes``,
    ``bounded_containers``, ``extend_fixed_key_words``, ``extend_teardown_methods``, ``src``,
    ``max_file_size``) to the value given on the command line, or ``None`` when the flag was
    not given. A CLI value *replaces* the file's value for that same key. List values may be
    given as a list/tuple or as one comma-separated string; ``per_file_ignores`` as a mapping
    ``{glob: codes}``, a list of ``"glob:CODE,CODE"`` strings, or one string of such items
    separated by whitespace (flake8 syntax). Raises ``ConfigError`` for any invalid value.

``Config.codes_for(path) -> tuple[str, ...]``
    The codes to report for ``path``: the resolved selection minus the per-file-ignores whose
    glob matches ``path`` (taken relative to the config file's folder).

``Config.is_excluded(path) -> bool``
    Whether ``exclude`` + ``extend-exclude`` match ``path`` or one of its parent folders.

``discover_files(paths, config, force_exclude=False) -> list[str]``
    Convenience for the CLI: expand folders into ``*.py``/``*.pyi`` files, dropping excluded
    (and, with ``respect-gitignore``, git-ignored) ones. Files named explicitly are kept even
    when excluded unless ``force_exclude`` is true (ruff's behaviour).

Selectors
=========
Codes are ``UBL001`` .. ``UBL008``. A selector is a code or a prefix of one (``UBL`` and
``UBL0`` select every code, ``UBL00`` selects UBL001..UBL008) or ``ALL``. As in ruff, when a
code is matched both by ``select``/``extend-select`` and by ``ignore``, the more specific
(longer) selector wins; on a tie ``ignore`` wins. ``select = ["UBL"], ignore = ["UBL00"],
extend-select = ["UBL004"]`` therefore enables only UBL004.

Glob patterns
=============
``exclude``, ``extend-exclude`` and ``per-file-ignores`` use the same patterns. A path is
matched relative to the folder of the config file (the current folder without one), with
forward slashes. ``*`` and ``?`` do not cross ``/``; ``**`` does. A pattern without ``/``
matches a file or folder name at any depth (``.venv``, ``test_*.py``, ``__init__.py``); a
pattern with ``/`` matches from the root (``tests/*``, ``src/**/generated_*.py``). A pattern
that matches a folder matches everything below it. A leading ``./`` is ignored, and an
absolute pattern is matched against the absolute path.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from ._io import DEFAULT_MAX_FILE_SIZE, TEMP_PREFIX, remove_stale_temp_files
from .globs import compile_glob, glob_match
from .types import ALL_CODES, DEFAULT_FIX_LEVEL, DEFAULT_SELECT, Confidence, FixLevel, Settings

if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "TOOL_TABLE",
    "DEFAULT_EXCLUDE",
    "KEYS",
    "ConfigError",
    "Config",
    "find_pyproject",
    "load_config",
    "expand_selectors",
    "resolve_codes",
    "glob_match",
    "discover_files",
    "gitignored",
]

TOOL_TABLE = "unbounded-lint"
# The largest --max-length: a bound the fixes write into code, so it must be a sane number
# (a deque of 10**20 items is no bound at all, and does not fit in a C ssize_t).
MAX_LENGTH_LIMIT = 100_000_000
# Glob patterns longer than this are refused: no real path needs one, and matching cost grows
# with the pattern.
MAX_PATTERN_LENGTH = 1024

DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "build",
    "dist",
    ".tox",
    "node_modules",
    ".mypy_cache",
    ".unbounded_lint_cache",
)

# TOML key -> human description of the expected type (used in error messages).
KEYS: Dict[str, str] = {
    "select": "a list of codes or prefixes",
    "ignore": "a list of codes or prefixes",
    "extend-select": "a list of codes or prefixes",
    "max-length": f"an integer from 1 to {MAX_LENGTH_LIMIT:,}",
    "exclude": "a list of glob patterns",
    "extend-exclude": "a list of glob patterns",
    "per-file-ignores": "a table of glob pattern = list of codes",
    "respect-gitignore": "a boolean",
    "min-confidence": 'one of "low", "medium", "high"',
    "short-lived-classes": 'a list of classes, "pkg.module:Class" or "Class"',
    "long-lived-classes": 'a list of classes, "pkg.module:Class" or "Class"',
    "bounded-containers": 'a list of containers, "pkg.module:Class.attr" or "pkg.module:GLOBAL"',
    "extend-fixed-key-words": "a list of words (lower-case identifiers)",
    "extend-teardown-methods": "a list of method names",
    "src": "a list of source folders (relative to the project root)",
    "max-file-size": 'a size in bytes (an integer, or a string such as "5MB"; 0: no limit)',
    "disable-heuristics": "a list of heuristic names",
    "fix-level": 'one of "safe", "high", "evidence", "all"',
}

_CLI_FLAG = {key: "--" + key for key in KEYS}

PYTHON_SUFFIXES = (".py", ".pyi")


class ConfigError(Exception):
    """An invalid configuration. ``str(err)`` names the file (or CLI flag) and the key."""


@dataclass(frozen=True)
class Config:
    """The resolved configuration for one run.

    ``settings`` carries what changes findings (resolved ``select``, ``max_length``,
    ``min_confidence``); the other fields decide which files are linted and which codes are
    dropped per file. ``path`` is the config file used (``None``: defaults), ``root`` the
    absolute folder that relative patterns are matched against (the config file's folder, or
    the current folder when there is none).
    """

    settings: Settings = field(default_factory=Settings)
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    respect_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # How far --fix goes; not in ``settings`` because it changes no finding (nor the cache).
    fix_level: FixLevel = DEFAULT_FIX_LEVEL
    path: Optional[str] = None
    root: str = ""
    # Declared knowledge as written ("pkg.module:Class"); settings_for() narrows it to the
    # entries that apply to one file's module.
    short_lived_classes: Tuple[str, ...] = ()
    long_lived_classes: Tuple[str, ...] = ()
    bounded_containers: Tuple[str, ...] = ()
    src: Tuple[str, ...] = (".", "src")

    @property
    def root_path(self) -> Path:
        return Path(self.root) if self.root else Path.cwd()

    @property
    def all_excludes(self) -> Tuple[str, ...]:
        return self.exclude + self.extend_exclude

    def relative(self, path: "os.PathLike[str] | str") -> str:
        """``path`` relative to ``root`` with forward slashes (absolute if outside ``root``)."""
        return _relative_posix(path, self.root_path)

    def ignored_codes_for(self, path: "os.PathLike[str] | str") -> Tuple[str, ...]:
        """The codes that per-file-ignores remove for ``path``."""
        if not self.per_file_ignores:
            return ()
        rel, absolute = self.relative(path), _abs_posix(path)
        dropped: Set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if glob_match(pattern, rel, absolute):
                dropped.update(codes)
        return tuple(sorted(dropped))

    def codes_for(self, path: "os.PathLike[str] | str") -> Tuple[str, ...]:
        """The codes to report for ``path``: ``settings.select`` minus matching per-file-ignores."""
        dropped = set(self.ignored_codes_for(path))
        return tuple(code for code in self.settings.select if code not in dropped)

    def module_name(self, path: "os.PathLike[str] | str") -> str:
        """The dotted module name of ``path`` under the project's source roots (``src``)."""
        from .knowledge import module_name

        return module_name(os.fspath(path), str(self.root_path), self.src)

    def settings_for(self, path: "os.PathLike[str] | str") -> Settings:
        """``settings`` with ``select`` narrowed to ``codes_for(path)`` and the declared
        classes and containers narrowed to those of the file's module."""
        codes = self.codes_for(path)
        settings = self.settings if codes == self.settings.select else replace(self.settings, select=codes)
        if self.short_lived_classes or self.long_lived_classes or self.bounded_containers:
            from .knowledge import entries_for

            module = self.module_name(path)
            settings = replace(
                settings,
                short_lived_classes=entries_for(self.short_lived_classes, module),
                long_lived_classes=entries_for(self.long_lived_classes, module),
                bounded_containers=entries_for(self.bounded_containers, module),
            )
        return settings

    def is_excluded(self, path: "os.PathLike[str] | str") -> bool:
        """Whether ``exclude``/``extend-exclude`` match ``path`` or one of its parent folders."""
        rel, absolute = self.relative(path), _abs_posix(path)
        return any(glob_match(pattern, rel, absolute) for pattern in self.all_excludes)


# --------------------------------------------------------------------------- discovery


def _read_toml(path: Path) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _tool_table(data: Mapping[str, Any]) -> Optional[Any]:
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    return tool.get(TOOL_TABLE)


def find_pyproject(start: "os.PathLike[str] | str") -> Optional[Path]:
    """The first ``pyproject.toml`` with a ``[tool.unbounded-lint]`` table, walking up from
    ``start`` (a file or folder, relative to the current folder or absolute).

    A ``pyproject.toml`` without the table is skipped (as ruff does with ``[tool.ruff]``).
    A ``pyproject.toml`` that is not valid TOML raises ``ConfigError``. ``None`` when there is
    no such file up to the root.
    """
    here = Path(os.path.abspath(start))
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            if _tool_table(_read_toml(candidate)) is not None:
                return candidate
    return None


# --------------------------------------------------------------------------- selectors


def _check_selector(selector: str) -> str:
    sel = selector.strip().upper()
    if sel == "ALL" or (sel and any(code.startswith(sel) for code in ALL_CODES)):
        return sel
    raise ValueError(
        f"unknown code {selector!r} (codes are {ALL_CODES[0]}..{ALL_CODES[-1]}, "
        "a prefix of them such as 'UBL' or 'UBL00', or 'ALL')"
    )


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def expand_selectors(selectors: Iterable[str]) -> Tuple[str, ...]:
    """The codes matched by ``selectors`` (codes, prefixes or ``ALL``), in code order.

    Raises ``ValueError`` for a selector that matches no code.
    """
    checked = [_check_selector(s) for s in selectors]
    return tuple(code for code in ALL_CODES if any(_matches(s, code) for s in checked))


def resolve_codes(
    select: Sequence[str] = DEFAULT_SELECT,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
) -> Tuple[str, ...]:
    """Resolve selectors into codes like ruff: the most specific matching selector decides,
    and ``ignore`` wins over an equally specific ``select``/``extend-select``."""
    chosen = [_check_selector(s) for s in (*select, *extend_select)]
    dropped = [_check_selector(s) for s in ignore]
    result = []
    for code in ALL_CODES:
        best_select = max((_specificity(s) for s in chosen if _matches(s, code)), default=-1)
        best_ignore = max((_specificity(s) for s in dropped if _matches(s, code)), default=-1)
        if best_select >= 0 and best_select > best_ignore:
            result.append(code)
    return tuple(result)


# --------------------------------------------------------------------------- globs (see globs.py)

def _abs_posix(path: "os.PathLike[str] | str") -> str:
    return os.path.abspath(path).replace(os.sep, "/")


def _relative_posix(path: "os.PathLike[str] | str", root: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:  # another drive on Windows
        return absolute.replace(os.sep, "/")
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return absolute.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


# --------------------------------------------------------------------------- validation


class _Where:
    """Names the origin of a value in error messages."""

    def __init__(self, file: Optional[Path]):
        self.file = file

    def key(self, key: str, cli: bool) -> str:
        if cli:
            return f"command line: {_CLI_FLAG[key]}"
        return f"{self.file}: [tool.{TOOL_TABLE}] {key!r}"


def _type_name(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "float",
        str: "string",
        list: "array",
        tuple: "array",
        dict: "table",
    }.get(type(value), type(value).__name__)


def _wrong_type(where: str, key: str, value: Any) -> ConfigError:
    return ConfigError(f"{where} must be {KEYS[key]}, got {_type_name(value)} {value!r}")


def _string_list(value: Any, key: str, where: str, cli: bool) -> Tuple[str, ...]:
    if cli and isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise _wrong_type(where, key, value)


def _selectors(value: Any, key: str, where: str, cli: bool) -> Tuple[str, ...]:
    items = _string_list(value, key, where, cli)
    out = []
    for item in items:
        try:
            out.append(_check_selector(item))
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return tuple(out)


def _per_file_ignores(value: Any, key: str, where: str, cli: bool) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    items: List[Tuple[str, Any]]
    if isinstance(value, dict):
        items = list(value.items())
    elif cli and isinstance(value, (str, list, tuple)):
        entries = value.split() if isinstance(value, str) else list(value)
        items = []
        for entry in entries:
            if not isinstance(entry, str) or ":" not in entry:
                raise ConfigError(f"{where}: expected 'GLOB:CODE[,CODE...]', got {entry!r}")
            glob, _, listed = entry.rpartition(":")
            items.append((glob, listed))
    else:
        raise _wrong_type(where, key, value)
    out: List[Tuple[str, Tuple[str, ...]]] = []
    for glob, raw in items:
        sub_where = f"{where}[{glob!r}]"
        if not glob:
            raise ConfigError(f"{where}: empty glob pattern")
        _check_pattern(glob, where)
        codes: Any = [c for c in raw.split(",") if c.strip()] if cli and isinstance(raw, str) else raw
        if not (isinstance(codes, (list, tuple)) and all(isinstance(c, str) for c in codes)):
            raise ConfigError(f"{sub_where} must be a list of codes or prefixes, got {_type_name(codes)} {codes!r}")
        try:
            expanded = expand_selectors(codes)
        except ValueError as exc:
            raise ConfigError(f"{sub_where}: {exc}") from None
        out.append((glob, expanded))
    return tuple(out)


def _max_length(value: Any, key: str, where: str, cli: bool) -> int:
    if cli and isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise _wrong_type(where, key, value) from None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LENGTH_LIMIT:
        raise _wrong_type(where, key, value)
    return value


_SIZE = re.compile(r"\A\s*(\d+)\s*([kmg]i?b?|b)?\s*\Z", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000 ** 2, "g": 1000 ** 3,
               "ki": 1 << 10, "mi": 1 << 20, "gi": 1 << 30}


def parse_size(text: str) -> int:
    """``"5MB"`` -> 5_000_000, ``"5MiB"`` -> 5_242_880, ``"1024"`` -> 1024; ValueError else."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"not a size: {text!r}")
    unit = (match.group(2) or "").lower().rstrip("b")
    return int(match.group(1)) * _SIZE_UNITS[unit]


def _max_file_size(value: Any, key: str, where: str, cli: bool) -> int:
    if isinstance(value, str):
        try:
            value = parse_size(value)
        except ValueError:
            raise _wrong_type(where, key, value) from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _wrong_type(where, key, value)
    return value


def _patterns(value: Any, key: str, where: str, cli: bool) -> Tuple[str, ...]:
    patterns = _string_list(value, key, where, cli)
    for pattern in patterns:
        _check_pattern(pattern, where)
    return patterns


def _check_pattern(pattern: str, where: str) -> None:
    """A glob that cannot be compiled, or is absurdly long, is a configuration error now,
    not an internal error halfway through the walk."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ConfigError(f"{where}: glob pattern longer than {MAX_PATTERN_LENGTH} characters")
    try:
        compile_glob(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: invalid glob pattern {pattern!r}: {exc}") from None


def _bool(value: Any, key: str, where: str, cli: bool) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(where, key, value)
    return value


def _confidence(value: Any, key: str, where: str, cli: bool) -> Confidence:
    if isinstance(value, Confidence):
        return value
    if isinstance(value, str):
        try:
            return Confidence.parse(value)
        except ValueError:
            pass
    raise _wrong_type(where, key, value)


_OBJECT = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*:)?"
                     r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
_WORD = re.compile(r"^[a-z][a-z0-9]*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _object_names(value: Any, key: str, where: str, cli: bool) -> Tuple[str, ...]:
    """``"pkg.module:Class.attr"`` or ``"Class"``: a dotted module, a colon, a dotted name."""
    items = _string_list(value, key, where, cli)
    for item in items:
        if not _OBJECT.match(item):
            raise ConfigError(f"{where}: {item!r} is not of the form 'pkg.module:Name' or 'Name' "
                              "(a dotted module, a colon, then a class, 'Class.attr' or a global)")
    return items


def _words(value: Any, key: str, where: str, cli: bool) -> Tuple[str, ...]:
    items = _string_list(value, key, where, cli)
    for item in items:
        if not _WORD.match(item):
            raise ConfigError(f"{where}: {item!r} is not a word; key names are split into lower-case "
                              "words ('tenant_id' is 'tenant' and 'id'), so give one such word")
    return items


def _identifiers(value: Any, key: str, where: str, cli: bool) -> Tuple[str, ...]:
    items = _string_list(value, key, where, cli)
    for item in items:
        if not _IDENTIFIER.match(item):
            raise ConfigError(f"{where}: {item!r} is not a method name")
    return items


def _heuristics(value: Any, key: str, where: str, cli: bool) -> FrozenSet[str]:
    from .analysis.heuristics import HEURISTICS

    names = _string_list(value, key, where, cli)
    for name in names:
        if name not in HEURISTICS:
            guess = difflib.get_close_matches(name, list(HEURISTICS), n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            raise ConfigError(f"{where}: unknown heuristic {name!r}{hint} "
                              f"(known heuristics: {', '.join(HEURISTICS)})")
    return frozenset(names)


def _fix_level(value: Any, key: str, where: str, cli: bool) -> FixLevel:
    if isinstance(value, FixLevel):
        return value
    if isinstance(value, str):
        try:
            return FixLevel.parse(value)
        except ValueError:
            pass
    raise _wrong_type(where, key, value)


_VALIDATORS = {
    "select": _selectors,
    "ignore": _selectors,
    "extend-select": _selectors,
    "max-length": _max_length,
    "exclude": _patterns,
    "extend-exclude": _patterns,
    "per-file-ignores": _per_file_ignores,
    "respect-gitignore": _bool,
    "min-confidence": _confidence,
    "short-lived-classes": _object_names,
    "long-lived-classes": _object_names,
    "bounded-containers": _object_names,
    "extend-fixed-key-words": _words,
    "extend-teardown-methods": _identifiers,
    "src": _string_list,
    "max-file-size": _max_file_size,
    "disable-heuristics": _heuristics,
    "fix-level": _fix_level,
}


def _unknown_key(where: str, key: str) -> ConfigError:
    guess = difflib.get_close_matches(key.replace("_", "-").lower(), list(KEYS), n=1)
    hint = f"; did you mean {guess[0]!r}?" if guess else ""
    return ConfigError(f"{where}: unknown key {key!r}{hint} (known keys: {', '.join(KEYS)})")


def _validated_file_values(pyproject: Path) -> Tuple[Dict[str, Any], bool]:
    data = _read_toml(pyproject)
    table = _tool_table(data)
    if table is None:
        return {}, False
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.{TOOL_TABLE}] must be a table, got {_type_name(table)}")
    where = _Where(pyproject)
    values = {}
    for key, value in table.items():
        if key not in KEYS:
            raise _unknown_key(f"{pyproject}: [tool.{TOOL_TABLE}]", key)
        values[key] = _VALIDATORS[key](value, key, where.key(key, cli=False), False)
    return values, True


def load_config(pyproject: "Optional[os.PathLike[str] | str]", cli: Optional[Mapping[str, Any]] = None) -> Config:
    """Build the ``Config`` from ``pyproject`` (or defaults when ``None``) and CLI overrides.

    ``cli`` keys are the TOML keys with underscores; a ``None`` value means "not given".
    A given value replaces the file's value for that key. Raises ``ConfigError`` naming the
    file and key (or the CLI flag) for unknown keys, wrong types and unknown codes, and when
    an explicitly given ``pyproject`` does not exist or lacks a ``[tool.unbounded-lint]``
    table.
    """
    values: Dict[str, Any] = {}
    path: Optional[Path] = None
    if pyproject is not None:
        path = Path(os.path.abspath(pyproject))
        if not path.is_file():
            raise ConfigError(f"{pyproject}: config file not found")
        values, found = _validated_file_values(path)
        if not found:
            raise ConfigError(f"{pyproject}: no [tool.{TOOL_TABLE}] table")

    for cli_key, value in (cli or {}).items():
        key = cli_key.replace("_", "-")
        if key not in KEYS:
            raise ConfigError(f"command line: unknown option {cli_key!r}")
        if value is None:
            continue
        values[key] = _VALIDATORS[key](value, key, _Where(None).key(key, cli=True), True)

    select = resolve_codes(
        values.get("select", DEFAULT_SELECT),
        values.get("ignore", ()),
        values.get("extend-select", ()),
    )
    settings = Settings(
        select=select,
        max_length=values.get("max-length", Settings.max_length),
        min_confidence=values.get("min-confidence", Settings.min_confidence),
        fixed_key_words=frozenset(values.get("extend-fixed-key-words", ())),
        teardown_methods=frozenset(values.get("extend-teardown-methods", ())),
        disabled_heuristics=values.get("disable-heuristics", frozenset()),
    )
    _check_lifetimes(values, path)
    root = str(path.parent) if path is not None else os.getcwd()
    return Config(
        settings=settings,
        exclude=values.get("exclude", DEFAULT_EXCLUDE),
        extend_exclude=values.get("extend-exclude", ()),
        per_file_ignores=values.get("per-file-ignores", ()),
        respect_gitignore=values.get("respect-gitignore", True),
        max_file_size=values.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
        fix_level=values.get("fix-level", DEFAULT_FIX_LEVEL),
        path=str(path) if path is not None else None,
        root=root,
        short_lived_classes=values.get("short-lived-classes", ()),
        long_lived_classes=values.get("long-lived-classes", ()),
        bounded_containers=values.get("bounded-containers", ()),
        src=values.get("src", (".", "src")),
    )


def _check_lifetimes(values: Mapping[str, Any], path: Optional[Path]) -> None:
    """A class cannot be declared both short-lived and long-lived."""
    both = sorted(set(values.get("short-lived-classes", ())) & set(values.get("long-lived-classes", ())))
    if both:
        where = f"{path}: [tool.{TOOL_TABLE}]" if path is not None else "command line"
        raise ConfigError(f"{where}: {', '.join(repr(b) for b in both)} is in both short-lived-classes "
                          "and long-lived-classes")


# --------------------------------------------------------------------------- file discovery


# Settings that stop git from running anything the repository configures: a repository-local
# core.fsmonitor is a command git would run (a folder unpacked from an archive can carry one),
# hooks are commands, and with optional locks off ls-files does not rewrite the index.
_GIT_SAFE = ("-c", "core.fsmonitor=false", "-c", f"core.hooksPath={os.devnull}",
             "-c", "core.untrackedCache=false")
_GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
GIT_TIMEOUT = 60.0


def _git(args: Sequence[str], cwd: Optional[str], stdin: str = "") -> Optional[str]:
    """Run a read-only git command with repository-configured commands disabled; its stdout,
    or ``None`` when git is missing, fails, or takes longer than ``GIT_TIMEOUT``."""
    try:
        proc = subprocess.run(
            ["git", *_GIT_SAFE, *args], input=stdin, capture_output=True, text=True,
            cwd=cwd, check=False, timeout=GIT_TIMEOUT, env={**os.environ, **_GIT_ENV},
            errors="surrogateescape",
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode not in (0, 1):  # 128: not a repository, or another git error
        return None
    return proc.stdout if proc.returncode == 0 or args[0] == "check-ignore" else None


def gitignored(paths: Iterable["os.PathLike[str] | str"], cwd: "Optional[os.PathLike[str] | str]" = None) -> set:
    """The subset of ``paths`` (as given) that git ignores, via ``git check-ignore``.

    Returns an empty set when git is not installed or ``cwd`` is not inside a work tree.
    """
    items = [os.fspath(p) for p in paths]
    if not items:
        return set()
    out = _git(["check-ignore", "--stdin", "-z"], os.fspath(cwd) if cwd is not None else None,
               "\0".join(items) + "\0")
    return {p for p in (out or "").split("\0") if p}


def discover_files(
    paths: Iterable["os.PathLike[str] | str"],
    config: Config,
    force_exclude: bool = False,
    errors: Optional[List[Tuple[str, str]]] = None,
) -> List[str]:
    """Expand ``paths`` into the Python files to lint, sorted and without duplicates.

    Folders are walked for ``*.py`` and ``*.pyi`` files, pruning excluded folders (and
    git-ignored ones when ``config.respect_gitignore``). A file named explicitly is always
    linted (whatever its suffix), unless ``force_exclude`` is true and it is excluded or
    git-ignored. Paths are returned as the walk produced them (relative stays relative).

    A folder that cannot be listed is appended to ``errors`` as ``(path, reason)``, so that
    the caller reports it instead of linting less than asked without a word. Temporary files
    that an interrupted ``--fix`` left behind (``.ubl-<pid>-*.tmp`` of a process that is gone)
    are deleted on the way.
    """
    out: List[str] = []
    seen = set()
    for given in paths:
        start = os.fspath(given)
        if os.path.isdir(start):
            for found in _walk(start, config, errors if errors is not None else []):
                key = os.path.normcase(os.path.abspath(found))
                if key not in seen:
                    seen.add(key)
                    out.append(found)
        else:
            if force_exclude and (
                config.is_excluded(start) or (config.respect_gitignore and gitignored([start]))
            ):
                continue
            key = os.path.normcase(os.path.abspath(start))
            if key not in seen:
                seen.add(key)
                out.append(start)
    return out


def _git_ignored_under(folder: str) -> Optional[set]:
    """Absolute paths of the untracked, git-ignored files and folders below ``folder``
    (one ``git ls-files`` call), or ``None`` when git is unavailable or this is no work tree."""
    out = _git(["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"], folder)
    if out is None:
        return None
    return {
        os.path.normcase(os.path.abspath(os.path.join(folder, entry.rstrip("/"))))
        for entry in out.split("\0")
        if entry
    }


class _Excluder:
    """Exclusion checks for a top-down walk, where every parent folder was already checked.

    Patterns without ``/`` (the usual case: ``.git``, ``node_modules``, ``*_pb2.py``) only
    need the entry's own name; only patterns with ``/`` need the relative path.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.names = set()
        self.name_regexes = []
        self.path_patterns = []
        for pattern in config.all_excludes:
            pat = pattern.replace("\\", "/") if os.sep == "\\" else pattern
            while pat.startswith("./"):
                pat = pat[2:]
            if len(pat) > 1:
                pat = pat.rstrip("/")
            if "/" in pat or re.match(r"^[A-Za-z]:", pat):
                self.path_patterns.append(pattern)
            elif any(ch in pat for ch in "*?["):
                self.name_regexes.append(compile_glob(pat))
            else:
                self.names.add(pat)

    def excluded(self, path: str, name: str) -> bool:
        if name in self.names or any(r.match(name) for r in self.name_regexes):
            return True
        if self.path_patterns:
            rel, absolute = self.config.relative(path), _abs_posix(path)
            return any(glob_match(p, rel, absolute) for p in self.path_patterns)
        return False


def _walk(start: str, config: Config, errors: List[Tuple[str, str]]) -> List[str]:
    ignored = _git_ignored_under(start) if config.respect_gitignore else None
    excluder = _Excluder(config)

    def skip(folder: str, name: str) -> bool:
        path = os.path.join(folder, name)
        if excluder.excluded(path, name):
            return True
        return ignored is not None and bool(ignored) and os.path.normcase(os.path.abspath(path)) in ignored

    def unreadable(exc: OSError) -> None:
        errors.append((exc.filename or start, f"cannot read folder: {exc.strerror or exc}; not linted"))

    found: List[str] = []
    for folder, dirs, files in os.walk(start, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not skip(folder, d))
        remove_stale_temp_files(folder, [name for name in files if name.startswith(TEMP_PREFIX)])
        found.extend(
            os.path.join(folder, name)
            for name in sorted(files)
            if name.endswith(PYTHON_SUFFIXES) and not skip(folder, name)
        )
    return found
