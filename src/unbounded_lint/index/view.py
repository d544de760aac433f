"""``ModuleView``: what the project index tells the analysis of one module. The one interface.

The link step (``link.py``) cuts one view per module out of the whole project's facts, holding
only what that module's analysis can ask about: the lifetime of its own classes' instances,
attributes and globals that other modules empty, and what the names it imports really are.
A view is small, frozen and picklable, so it travels to the worker that lints the module, and
its ``digest`` joins the file's content hash in the result cache key: a change elsewhere in
the project re-lints a module only when it changes that module's view.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Optional, Tuple

TRANSIENT = "transient"
LONG_LIVED = "long-lived"


@dataclass(frozen=True)
class Lifetime:
    """How long the instances of one class of the module live, and why we think so."""

    verdict: str  # TRANSIENT or LONG_LIVED
    because: str


@dataclass(frozen=True)
class ModuleView:
    """The project's answers for one module. Every query is a dictionary look-up."""

    module: str = ""
    lifetimes: Tuple[Tuple[str, Lifetime], ...] = ()  # class name -> lifetime
    removed_attrs: Tuple[Tuple[str, str], ...] = ()  # attribute name -> module that empties it
    removed_globals: Tuple[Tuple[str, str], ...] = ()  # this module's global -> who resets it
    containers: Tuple[Tuple[str, str], ...] = ()  # name as written here -> list / dict / set
    fixed: Tuple[str, ...] = ()  # names as written here of enums and literal constant collections
    aliases: Tuple[Tuple[str, str], ...] = ()  # imported name -> what the project re-exports
    # class name -> its private methods that run only while an instance is built, as the
    # whole class hierarchy across the project calls them
    constructed: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    digest: str = field(default="", compare=False)
    _maps: Dict[str, Dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("lifetimes", "removed_attrs", "removed_globals", "containers", "aliases",
                     "constructed"):
            self._maps[name] = dict(getattr(self, name))
        if not self.digest:
            text = repr((self.module, self.lifetimes, self.removed_attrs, self.removed_globals,
                         self.containers, self.fixed, self.aliases, self.constructed))
            object.__setattr__(self, "digest", hashlib.sha256(text.encode()).hexdigest()[:16])

    @property
    def empty(self) -> bool:
        return not (self.lifetimes or self.removed_attrs or self.removed_globals
                    or self.containers or self.fixed or self.aliases or self.constructed)

    # ------------------------------------------------------------------ queries
    def owner_lifetime(self, class_name: str) -> Optional[Lifetime]:
        """Where the project builds instances of ``class_name``: once, or per call."""
        return self._maps["lifetimes"].get(class_name)

    def attribute_removed_elsewhere(self, attr: str) -> Optional[str]:
        """The module that empties, trims or resets ``<something>.attr`` from outside."""
        return self._maps["removed_attrs"].get(attr)

    def global_reset_elsewhere(self, name: str) -> Optional[str]:
        """The module that resets or empties this module's global ``name``."""
        return self._maps["removed_globals"].get(name)

    def container_kind(self, name: str) -> str:
        """``BarList`` / ``models.BarList`` / ``make_registry``: the container a call builds."""
        return self._maps["containers"].get(name, "")

    def is_fixed_domain(self, name: str) -> bool:
        """An imported enum or literal constant collection: a fixed key space."""
        return name in self.fixed

    def constructed_methods(self, class_name: str) -> FrozenSet[str]:
        """Private methods of ``class_name`` that run only while an instance is built."""
        return frozenset(self._maps["constructed"].get(class_name, ()))

    def real_name(self, name: str) -> Optional[str]:
        """``cache`` imported from ``myproj.compat`` -> ``functools.cache``."""
        return self._maps["aliases"].get(name)

