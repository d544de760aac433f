"""Heuristics on growth that follows the program's set-up rather than its traffic."""

from __future__ import annotations

import ast
from typing import Optional, Set

from ...types import Confidence
from ..lifecycle import is_setup_method
from ..model import Event, FuncInfo
from .base import Heuristic, SiteContext


def _top(func: FuncInfo) -> FuncInfo:
    while func.parent is not None:
        func = func.parent
    return func


def _setup_method(ctx: SiteContext) -> Optional[str]:
    func = ctx.event.func
    if ctx.container.is_local or func is None or not func.is_method \
            or not is_setup_method(func.name):
        return None
    return f"filled while setting up ({func.name})"


def _configured(ctx: SiteContext) -> Optional[str]:
    func, c = ctx.event.func, ctx.container
    if not c.is_attr or func is None or ctx.event.loops \
            or func.id not in ctx.facts.roles.configuring:
        return None
    return f"filled by {func.name}(), which the owner calls while it is built or started"


def _registration_decorator(ctx: SiteContext) -> Optional[str]:
    if ctx.container.is_local:
        return None
    outer = ctx.event.func
    while outer is not None:
        if outer.parent is not None and outer.kind == "function" \
                and (outer.returned_params - outer.rebound or outer.returned_defs):
            return "a decorator recording what it decorates (registration)"
        outer = outer.parent
    return None


def _records(ev: Event, names: Set[str]) -> bool:
    """The growth stores one of ``names`` (``self.tasks.append(_wrapped)``)."""
    node = ev.node
    if isinstance(node, ast.Call):
        values = list(node.args) + [k.value for k in node.keywords]
    elif isinstance(ev.stmt, (ast.Assign, ast.AugAssign)):
        values = [ev.stmt.value]
    else:
        return False
    return any(isinstance(n, ast.Name) and n.id in names for v in values for n in ast.walk(v))


def _registration_wrapper(ctx: SiteContext) -> Optional[str]:
    func = ctx.event.func
    if ctx.container.is_local or func is None or not func.returned_defs \
            or not _records(ctx.event, func.returned_defs):
        return None
    return "records the wrapper it returns (registration)"


def _import_time_call(ctx: SiteContext) -> Optional[str]:
    func = ctx.event.func
    if not ctx.container.is_global or func is None:
        return None
    top = _top(func)
    if top.is_method or top.name not in ctx.facts.walker.import_calls:
        return None
    return f"filled by {top.name}(), which the module calls at import time"


def _import_time_instances(ctx: SiteContext) -> Optional[str]:
    func = ctx.event.func
    if not ctx.container.is_global or func is None:
        return None
    top = _top(func)
    walker = ctx.facts.walker
    if not top.is_method or top.cls is None or top.id not in ctx.facts.roles.constructors \
            or top.cls.name not in walker.import_calls or top.cls.name in walker.function_calls:
        return None
    # exp = _UnaryOperation(umath.exp) at module level, and in no function: every instance is
    # made once, at import
    return f"filled as the module builds its {top.cls.name} instances at import time"


SETUP_METHOD = Heuristic[SiteContext](
    name="setup-method",
    tier=Confidence.LOW,
    doc="Growth in a method named for set-up (`register_*`, `setup`, `configure`, `install`, "
        "`add_route`, `add_handler`...): it follows the program's configuration.",
    predicate=_setup_method,
    fires=("class App:\n    def __init__(self):\n        self.routes = []\n\n"
           "    def add_route(self, r):\n        self.routes.append(r)\n",),
    quiet=("class App:\n    def __init__(self):\n        self.events = []\n\n"
           "    def on_event(self, e):\n        self.events.append(e)\n",),
)

CONFIGURED_BY_OWNER = Heuristic[SiteContext](
    name="configured-by-owner",
    tier=Confidence.LOW,
    doc="Growth (outside a long-running loop) in a method the owner calls while it is built or "
        "started: one its constructor calls (`for ip in ips: self.allow(ip)` in `__init__`), an "
        "argument-free start method (`start()`, `startup()`), or a method only these call. A "
        "method handed on as a callback runs once per event and is not set-up.",
    predicate=_configured,
    fires=("class Firewall:\n    def __init__(self, ips):\n        self.allowed = []\n"
           "        for ip in ips:\n            self.allow(ip)\n\n"
           "    def allow(self, ip):\n        self.allowed.append(ip)\n",),
    quiet=("class Firewall:\n    def __init__(self):\n        self.allowed = []\n\n"
           "    def allow(self, ip):\n        self.allowed.append(ip)\n",),
)

REGISTRATION_DECORATOR = Heuristic[SiteContext](
    name="registration-decorator",
    tier=Confidence.LOW,
    doc="Growth inside a nested function that returns what it was given or a function it "
        "defines (`def decorator(fn): self.x.append(fn); return fn`): registration, which runs "
        "once per decorated function.",
    predicate=_registration_decorator,
    fires=("class App:\n    def __init__(self):\n        self.names = []\n\n"
           "    def job(self, name):\n        def deco(fn):\n            self.names.append(name)\n"
           "            return fn\n        return deco\n",),
    quiet=("class App:\n    def __init__(self):\n        self.jobs = []\n\n"
           "    def job(self, fn):\n        self.jobs.append(fn)\n",),
)

REGISTRATION_WRAPPER = Heuristic[SiteContext](
    name="registration-wrapper",
    tier=Confidence.LOW,
    doc="A method that stores the wrapper it defines and returns "
        "(`def _task(self, fn): ... self.tasks.append(_wrapped); return _wrapped`, what "
        "`@app.task` calls): registration.",
    predicate=_registration_wrapper,
    fires=("class App:\n    def __init__(self):\n        self.tasks = []\n\n"
           "    def task(self, fn):\n        def wrapped():\n            return fn()\n"
           "        self.tasks.append(wrapped)\n        return wrapped\n",),
    quiet=("class App:\n    def __init__(self):\n        self.tasks = []\n\n"
           "    def task(self, fn):\n        def wrapped():\n            return fn()\n"
           "        self.tasks.append(fn)\n        return wrapped\n",),
)

IMPORT_TIME_CALL = Heuristic[SiteContext](
    name="import-time-call",
    tier=Confidence.LOW,
    doc="A module global grown in a module function that the module itself calls at import "
        "time (`_register_builtins()` at the bottom of the module).",
    predicate=_import_time_call,
    fires=("TABLE = []\n\ndef _fill(x):\n    TABLE.append(x)\n\n_fill(1)\n",),
    quiet=("TABLE = []\n\ndef fill(x):\n    TABLE.append(x)\n",),
)

IMPORT_TIME_INSTANCES = Heuristic[SiteContext](
    name="import-time-instances",
    tier=Confidence.LOW,
    doc="A module global grown in the constructor of a class the module instantiates only at "
        "import (`exp = _UnaryOperation(umath.exp)` registering into a module table).",
    predicate=_import_time_instances,
    fires=("OPS = []\n\nclass Op:\n    def __init__(self, f):\n        OPS.append(f)\n\n"
           "exp = Op(abs)\n",),
    quiet=("OPS = []\n\nclass Op:\n    def __init__(self, f):\n        OPS.append(f)\n\n"
           "def make(f):\n    return Op(f)\n",),
)
