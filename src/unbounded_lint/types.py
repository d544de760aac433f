"""The small, frozen data types every part of unbounded-lint speaks.

Positions follow ruff and flake8: ``line`` is 1-based, ``column`` is 1-based and counted in
characters (not bytes). ``end_line``/``end_column`` point just past the reported expression.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import FrozenSet, Optional, Tuple, Union


class Confidence(enum.IntEnum):
    """How sure a rule is that the owner lives long enough for the growth to be a leak."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @classmethod
    def parse(cls, text: str) -> "Confidence":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown confidence {text!r} (expected low, medium or high)") from None

    def __str__(self) -> str:
        return self.name.lower()


class Applicability(str, enum.Enum):
    """The two fix classes (ruff's meaning), defined once here.

    ``SAFE``: the fix keeps the program's meaning for every input (``pop(0)`` -> ``popleft()``
    on a private list whose every use works on a deque; ``plt.close(fig)`` after the last use
    of a figure that is never returned, stored or handed on). ``UNSAFE``: everything else —
    any fix that can drop items (a trim, ``maxlen``, eviction, ``maxsize``), changes the type
    of a public attribute, or changes a cache. ``FixLevel`` decides which unsafe fixes
    ``--fix`` applies.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"


class FixLevel(str, enum.Enum):
    """How far ``--fix`` goes (``fix-level`` in configuration, ``--fix-level`` on the CLI).

    ``SAFE``: safe fixes only. ``HIGH`` (the default): also unsafe fixes of ``high``
    findings. ``EVIDENCE``: also unsafe fixes of findings that runtime evidence saw grow.
    ``ALL`` (``--unsafe-fixes``): every fix.
    """

    SAFE = "safe"
    HIGH = "high"
    EVIDENCE = "evidence"
    ALL = "all"

    @classmethod
    def parse(cls, text: str) -> "FixLevel":
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown fix level {text!r} (expected safe, high, evidence or all)") from None

    def __str__(self) -> str:
        return self.value


DEFAULT_FIX_LEVEL = FixLevel.HIGH


@dataclass(frozen=True)
class Replace:
    """Replace the expression spanning ``start``..``end`` with the expression ``text``."""

    start: Tuple[int, int]  # (line, 0-based character column)
    end: Tuple[int, int]
    text: str


@dataclass(frozen=True)
class InsertAfter:
    """Insert the statements ``code`` after the statement that starts at ``stmt``.

    ``code`` is written with four-space indentation; the fixer re-indents it with the file's
    own indentation and newline style.
    """

    stmt: Tuple[int, int]
    code: str


@dataclass(frozen=True)
class InsertBefore:
    """Insert the statements ``code`` before the statement that starts at ``stmt``."""

    stmt: Tuple[int, int]
    code: str


@dataclass(frozen=True)
class RenameCall:
    """Rename a method call and drop its first argument, keeping the receiver as written.

    ``x.pop(0)`` -> ``x.popleft()`` and ``x.insert(0, v)`` -> ``x.appendleft(v)``. ``call`` is
    the span of the whole call, ``name`` where the method name starts, ``keep_from`` where
    the first kept argument starts (None when no argument is kept).
    """

    call: Tuple[Tuple[int, int], Tuple[int, int]]
    name: Tuple[int, int]
    keep_from: Optional[Tuple[int, int]]
    method: str


@dataclass(frozen=True)
class AddImport:
    """Ensure ``from module import name`` (only added when the name is not bound yet)."""

    module: str
    name: str


@dataclass(frozen=True)
class RemoveImportIfUnused:
    """Drop ``from module import name`` when the fix removed its last use."""

    module: str
    name: str


Edit = Union[Replace, RenameCall, InsertAfter, InsertBefore, AddImport, RemoveImportIfUnused]
EDIT_TYPES = (Replace, RenameCall, InsertAfter, InsertBefore, AddImport, RemoveImportIfUnused)


@dataclass(frozen=True)
class Fix:
    """The edits that repair one finding. Findings of one container share identical edits."""

    description: str
    edits: Tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True)
class Finding:
    """One reported site."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    message: str
    container: str = ""
    confidence: Confidence = Confidence.MEDIUM
    fix: Optional[Fix] = None
    # The source text of the statement holding the finding, whitespace-normalised; baselines
    # key on it so that findings survive code moving up or down.
    fingerprint: str = ""
    # Names of the named heuristics that lowered or otherwise touched the finding
    # ("config-short-lived", ...), so users can see and switch off what decided its tier.
    heuristics: Tuple[str, ...] = ()
    # One human sentence on why the owner is thought to live long (and what lowered it):
    # "instance attribute of TradingBot, which is created at module level; grown in on_tick()".
    because: str = ""
    # Runtime evidence from `unbounded-lint watch` (`--evidence FILE`): a one-line summary such
    # as "confirmed: 48,210 items after 300 s", and the verdict: "", "grows", "plateau",
    # "transient" or "not reached".
    evidence: str = ""
    evidence_verdict: str = ""

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def fixable_with(self, unsafe: "bool | FixLevel") -> bool:
        """Whether ``--fix`` applies this finding's fix at ``unsafe`` (a level, or the old
        boolean: True is ``--unsafe-fixes``, False the default level)."""
        return self.fix is not None and self.held_back(_level(unsafe)) is None

    def held_back(self, level: FixLevel) -> Optional[str]:
        """Why ``--fix`` at ``level`` holds this finding's fix back; None when it applies it
        (or when there is no fix). The one place the fix policy lives."""
        if self.fix is None or self.fix.applicability is Applicability.SAFE or level is FixLevel.ALL:
            return None
        if level is FixLevel.SAFE:
            return "unsafe fix (fix-level safe)"
        if self.confidence is Confidence.HIGH:
            return None
        # evidence_verdict is set by the runtime evidence (--evidence) when it is available.
        if level is FixLevel.EVIDENCE and getattr(self, "evidence_verdict", "") == "grows":
            return None
        return f"unsafe fix on a {self.confidence} finding"

    @property
    def sort_key(self) -> Tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


def _level(unsafe: "bool | FixLevel") -> FixLevel:
    if isinstance(unsafe, FixLevel):
        return unsafe
    return FixLevel.ALL if unsafe else DEFAULT_FIX_LEVEL


def _codes(default_only: bool) -> Tuple[str, ...]:
    # The rules are the one source of their codes; imported late, because they import this
    # module for Confidence and Settings.
    from .rules import RULES

    return tuple(code for code, rule in RULES.items() if rule.default or not default_only)


def __getattr__(name: str) -> Tuple[str, ...]:
    """``ALL_CODES`` and ``DEFAULT_SELECT``, read from the rule registry on first use."""
    if name == "ALL_CODES":
        return _codes(default_only=False)
    if name == "DEFAULT_SELECT":
        return _codes(default_only=True)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_select() -> Tuple[str, ...]:
    """The codes enabled by default (every rule whose ``DEFAULT`` is not False)."""
    return _codes(default_only=True)


@dataclass(frozen=True)
class Settings:
    """Everything that changes which findings a file produces (and so keys the cache)."""

    select: Tuple[str, ...] = field(default_factory=default_select)
    max_length: int = 1000
    min_confidence: Confidence = Confidence.MEDIUM
    # What the project knows about its own code ([tool.unbounded-lint] short-lived-classes,
    # long-lived-classes, bounded-containers), already narrowed to the file's module, so that
    # files without an entry share one cache key. Class names are qualnames ("Outer.Inner");
    # containers are "Class.attr", "GLOBAL" or "function.local".
    short_lived_classes: FrozenSet[str] = frozenset()
    long_lived_classes: FrozenSet[str] = frozenset()
    bounded_containers: FrozenSet[str] = frozenset()
    # Words added to the analysis' own lists: key names from a fixed domain ("tenant"), and
    # method names that run only when the owner ends ("release").
    fixed_key_words: FrozenSet[str] = frozenset()
    teardown_methods: FrozenSet[str] = frozenset()
    # Names of precision heuristics switched off (``disable-heuristics``).
    disabled_heuristics: FrozenSet[str] = frozenset()

    def enabled(self, code: str) -> bool:
        return code in self.select


@dataclass(frozen=True)
class FileResult:
    """The outcome of linting one file: findings, or an error that stopped it."""

    path: str
    findings: Tuple[Finding, ...] = ()
    error: Optional[str] = None  # one line, e.g. "cannot parse: invalid syntax (line 3)"
    source_hash: str = ""
    noqa_suppressed: int = 0
    # Findings dropped because their confidence is below ``Settings.min_confidence``: the
    # summary says "N more below --min-confidence".
    below_confidence: int = 0
