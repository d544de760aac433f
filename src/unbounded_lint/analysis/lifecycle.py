"""Method roles per class: which methods build the owner, start it, set it up or end it.

A container's growth in a constructor is construction, a reset in ``close()`` is teardown, a
fresh list in ``start()`` is built once per start: the rules and heuristics need to know which
role each method plays. Roles follow names (``__init__``, ``plugin_init``, ``close``,
``start``) and the call graph inside the class (a private helper only constructors call is
construction too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterable, Set

from .model import ClassInfo, FuncInfo
from .words import name_words

# Words of methods that end the owner. Not "disconnect": a connection that drops is usually made
# again, so a reset on disconnect runs in steady state and bounds (contract v3).
TEARDOWN_WORDS = frozenset({"close", "closed", "shutdown", "stop", "stopped", "teardown",
                            "terminate", "dispose", "destroy"})
# What a connection-event callback is about: ``connectionClosed()``, ``on_socket_close()``,
# ``_ws_closed()`` tell the owner that its link dropped. Unless the owner is that link itself
# (a ``Connection`` class closing), the owner lives on and connects again, so what the callback
# empties is a steady-state reset (contract v3: "on reconnect or disconnect of a connection that
# is made again").
LINK_WORDS = frozenset({"connection", "conn", "socket", "websocket", "ws", "transport", "link",
                        "stream"})
# Methods that start the owner (and take no argument of their own): what they add is set up
# once per start, not once per event.
START_METHODS = frozenset({"start", "startup", "start_up", "on_startup", "astart", "async_start"})
# Methods that run while a program sets itself up, not once per event.
SETUP_PREFIXES = ("register", "unregister", "setup", "set_up", "configure", "install", "include",
                  "mount", "attach", "declare", "init", "initialize", "load", "build", "compile",
                  "bind", "use", "add_route", "add_handler", "add_listener", "add_middleware",
                  "add_hook", "add_plugin", "add_command", "add_view", "add_signal", "add_exception")


def is_teardown_method(name: str, extra_names: FrozenSet[str] = frozenset(),
                       owner: str = "") -> bool:
    """Methods that run when the owner is finished with: emptying a container there does not
    bound it while the owner works. ``extra_names``: the project's own
    (``extend-teardown-methods``). ``owner``: the class name; a callback that says a link of
    the owner closed (``connectionClosed()`` on a ``Wrapper``) is not the owner's end."""
    if name in ("__exit__", "__aexit__", "__del__") or name in extra_names:
        return True
    words = name_words(name)
    link = LINK_WORDS.intersection(words)
    if link and not link.intersection(name_words(owner)):
        return False
    # close(), on_close(), connectionClosed(), shutdown(); not _close_stream(), which closes
    # one item rather than the owner
    return bool(words) and (words[-1] in TEARDOWN_WORDS or words[-2:] == ("tear", "down"))


def is_init_hook(name: str) -> bool:
    """``plugin_init``, ``_init_state``, ``setup``: a hook that builds the owner's state once."""
    words = name_words(name)
    return "init" in words or "initialize" in words or words[:1] == ("setup",) \
        or words[:2] == ("set", "up")


def is_setup_method(name: str) -> bool:
    """``register_handler``, ``configure``, ``add_route``: runs while the program sets up."""
    if name.startswith("__"):
        return False
    return name.lstrip("_").lower().startswith(SETUP_PREFIXES) or name in ("on",)


def no_required_args(func: FuncInfo) -> bool:
    """The method takes nothing but ``self`` (so ``close()``, not ``disconnect(sid)``)."""
    args = getattr(func.node, "args", None)
    if args is None:
        return False
    positional = args.posonlyargs + args.args
    required = len(positional) - len(args.defaults)
    return required <= 1 and all(d is not None for d in args.kw_defaults)


@dataclass(frozen=True)
class MethodRoles:
    """Ids (``FuncInfo.id``) of the methods in each role, over every class of a module."""

    constructors: FrozenSet[int] = frozenset()  # constructors, init hooks, helpers only they call
    teardown: FrozenSet[int] = frozenset()  # close()/stop()..., helpers only they call
    configuring: FrozenSet[int] = frozenset()  # what constructors and start() call to set up
    starting: FrozenSet[int] = frozenset()  # argument-free start() and helpers only it calls


@dataclass(frozen=True)
class _ClassRoles:
    ctor: FrozenSet[str]
    teardown: FrozenSet[str]
    configuring: FrozenSet[str]
    starting: FrozenSet[str]


def method_roles(classes: Iterable[ClassInfo],
                 extra_teardown: FrozenSet[str] = frozenset(),
                 constructed: Callable[[str], FrozenSet[str]] = lambda _name: frozenset(),
                 ) -> MethodRoles:
    """The roles of every method of every class (see ``MethodRoles``). ``constructed``: the
    project index's private methods of a class that only constructors call anywhere in its
    hierarchy (``index_seam.constructed_methods``)."""
    ctor: Set[int] = set()
    teardown: Set[int] = set()
    configuring: Set[int] = set()
    starting: Set[int] = set()
    for info in classes:
        roles = class_roles(info.methods, extra_teardown, info.name, constructed(info.name))
        ids = {name: f.id for name, f in info.methods.items()}
        ctor.update(ids[n] for n in roles.ctor)
        teardown.update(ids[n] for n in roles.teardown)
        configuring.update(ids[n] for n in roles.configuring - roles.ctor)
        starting.update(ids[n] for n in roles.starting - roles.ctor)
    return MethodRoles(frozenset(ctor), frozenset(teardown), frozenset(configuring),
                       frozenset(starting))


def callers(methods: Dict[str, FuncInfo]) -> Dict[str, Set[str]]:
    """For each method of a class, the other methods that call it through ``self``."""
    by: Dict[str, Set[str]] = {name: set() for name in methods}
    for caller, func in methods.items():
        for name in func.self_calls:
            if name in by and name != caller:
                by[name].add(caller)
    return by


def class_roles(methods: Dict[str, FuncInfo],
                extra_teardown: FrozenSet[str] = frozenset(), owner: str = "",
                constructed: FrozenSet[str] = frozenset()) -> _ClassRoles:
    """Roles by method name for one class."""
    by = callers(methods)
    # a method handed on as a callback (self.timer.connect(self._on_tick)) runs later, once
    # per event, whoever hands it on
    handed_on: Set[str] = set().union(*(f.self_refs for f in methods.values()))
    ctor = {name for name, f in methods.items() if f.is_ctor or is_init_hook(name)}
    # index seam: called only by constructors across the class hierarchy (other modules)
    ctor |= {name for name in constructed if name in methods and name not in handed_on}
    # the owner's own close(), not disconnect(sid), which ends one item of many
    teardown = {name for name, f in methods.items()
                if is_teardown_method(name, extra_teardown, owner) and no_required_args(f)} - ctor
    _close_over_helpers(methods, by, handed_on, ctor, teardown)
    start = {name for name, f in methods.items()
             if name.lstrip("_").lower() in START_METHODS and no_required_args(f)}
    starting = _closure(methods, by, handed_on, set(start), ctor, private_only=True)
    setup = set(start)
    for name in ctor:
        setup.update(n for n in methods[name].self_calls if n in methods and n not in handed_on)
    configuring = _closure(methods, by, handed_on, setup, ctor, private_only=False)
    return _ClassRoles(frozenset(ctor), frozenset(teardown), frozenset(configuring),
                       frozenset(starting))


def _close_over_helpers(methods: Dict[str, FuncInfo], by: Dict[str, Set[str]], handed_on: Set[str],
                        ctor: Set[str], teardown: Set[str]) -> None:
    """Private helpers only constructors call are construction; helpers called only from
    constructors and teardown (``reset()`` from ``__init__`` and ``close()``) are both."""
    changed = True
    while changed:
        changed = False
        for name in methods:
            if name in ctor or name in teardown or name.startswith("__"):
                continue
            calls = by[name]
            if not calls or name in handed_on:
                continue
            if calls <= ctor and name.startswith("_"):
                ctor.add(name)
                changed = True
            elif calls <= ctor | teardown and calls & teardown \
                    and (name.startswith("_") or calls & ctor):
                # construction when the constructor calls it, teardown otherwise. A public
                # method that only teardown calls (remove_handler()) is API: code outside the
                # class calls it while the owner works.
                ctor.add(name)
                teardown.add(name)
                changed = True


def _closure(methods: Dict[str, FuncInfo], by: Dict[str, Set[str]], handed_on: Set[str],
             seed: Set[str], ctor: Set[str], private_only: bool) -> Set[str]:
    """``seed`` plus the methods called only from it (and constructors), transitively."""
    found = set(seed)
    changed = True
    while changed:
        changed = False
        for name in methods:
            calls = by[name]
            if name in found or name.startswith("__") or not calls or name in handed_on:
                continue
            if private_only and not name.startswith("_"):
                continue
            if calls <= found | ctor:
                found.add(name)
                changed = True
    return found
