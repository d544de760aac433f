"""The project index's extraction and link step on small in-memory projects: what each fact
means, and the lifetime verdicts the rules rely on."""

from __future__ import annotations

import ast
import textwrap
from typing import Dict, Optional

import pytest

from unbounded_lint.index.extract import extract
from unbounded_lint.index.facts import decode, encode
from unbounded_lint.index.link import ProjectIndex, is_test_module


def index_of(modules: Dict[str, str]) -> ProjectIndex:
    facts = []
    for name, source in modules.items():
        is_package = name.endswith(".__init__")
        module = name[: -len(".__init__")] if is_package else name
        facts.append(extract(ast.parse(textwrap.dedent(source)), module, is_package))
    return ProjectIndex(facts)


def verdict(modules: Dict[str, str], module: str, cls: str) -> Optional[str]:
    life = index_of(modules).lifetime(module, cls)
    return None if life is None else life.verdict


MODEL = "class Job:\n    def __init__(self):\n        self.items = []\n"

LIFETIMES = [
    ("module-level singleton", "from app.model import Job\njob = Job()\n", "long-lived"),
    ("entry point", "from app.model import Job\ndef main():\n    job = Job()\n    job.run()\n", "long-lived"),
    ("local of a method",
     "from app.model import Job\nclass Api:\n    def handle(self, r):\n        job = Job()\n        job.go(r)\n",
     "transient"),
    ("collected into a local list",
     "from app.model import Job\ndef batch(n):\n    jobs = []\n    jobs.append(Job())\n    return len(jobs)\n",
     "transient"),
    ("returned by a public method: its caller decides",
     "from app.model import Job\nclass Api:\n    def make(self):\n        return Job()\n", None),
    ("handed to another call", "from app.model import Job\ndef setup(bus):\n    bus.register(Job())\n", None),
    ("held by a long-lived owner",
     "from app.model import Job\nclass Server:\n    def __init__(self):\n        self.job = Job()\n"
     "server = Server()\n", "long-lived"),
    ("held by a per-call owner",
     "from app.model import Job\nclass Ctx:\n    def __init__(self):\n        self.job = Job()\n"
     "def handle():\n    ctx = Ctx()\n    return ctx.job.items\n", "transient"),
    ("kept in a container its holder empties",
     "from app.model import Job\nclass Pool:\n    def add(self, k):\n        self.jobs[k] = Job()\n"
     "    def done(self, k):\n        self.jobs.pop(k)\n", "transient"),
    ("kept in a container nothing empties",
     "from app.model import Job\nclass Pool:\n    def add(self, k):\n        self.jobs[k] = Job()\n", None),
    ("never built by the project", "import os\n", None),
]


@pytest.mark.parametrize("use, expected", [(u, e) for _, u, e in LIFETIMES], ids=[i for i, _, _ in LIFETIMES])
def test_lifetime(use: str, expected: Optional[str]) -> None:
    assert verdict({"app.model": MODEL, "app.use": use}, "app.model", "Job") == expected


def test_one_long_lived_site_wins_and_tests_do_not_count() -> None:
    per_call = "from app.model import Job\ndef handle():\n    job = Job()\n"
    assert verdict({"app.model": MODEL, "app.a": per_call,
                    "app.b": "from app.model import Job\nJOB = Job()\n"}, "app.model", "Job") == "long-lived"
    assert verdict({"app.model": MODEL, "app.a": per_call,
                    "tests.test_model": "from app.model import Job\nJOB = Job()\n"}, "app.model", "Job") == "transient"
    assert is_test_module("pkg.tests.test_x") and not is_test_module("pkg.testimony")


def test_subclass_sites_decide_for_the_base() -> None:
    modules = {"app.model": MODEL, "app.sub": "from .model import Job\nclass Fast(Job):\n    pass\nFAST = Fast()\n"}
    assert verdict(modules, "app.model", "Job") == "long-lived"


def test_relative_imports_and_reexports_resolve() -> None:
    index = index_of({
        "app.__init__": "from .model import Job\n",
        "app.model": MODEL + "def make_table():\n    return {}\nclass Bars(list):\n    pass\nKINDS = ('a', 'b')\n",
        "app.compat.__init__": "",
        "app.compat.tools": "from functools import lru_cache as cache\n",
        "app.use": "from app import Job\nfrom ..app.model import make_table\nfrom app.model import Bars, KINDS\n"
                   "from app.compat.tools import cache\nfrom app import model\n"
                   "bars = Bars()\ntable = model.make_table()\n@cache\ndef f():\n    pass\n",
        "app.unused": "from app.model import Bars, make_table\nfrom app.compat.tools import cache\n",
    })
    assert index.resolve("app.Job") == ("class", "app.model", "Job")
    view = index.view("app.use")
    assert view.container_kind("Bars") == "list"
    assert view.container_kind("model.make_table") == "dict"
    assert view.is_fixed_domain("KINDS") and view.is_fixed_domain("model.KINDS")
    assert view.real_name("cache") == "functools.lru_cache"
    # only names the module calls into an assignment or decorates with are in its view
    assert index.view("app.unused").empty


def test_removal_elsewhere_needs_an_import_link() -> None:
    site = "class Site:\n    def __init__(self):\n        self.sessions = {}\n"
    linked = index_of({"web.site": site, "web.session": "from .site import Site\ndef expire(s: Site, k):\n"
                                                          "    s.sessions.pop(k)\n"})
    assert linked.view("web.site").attribute_removed_elsewhere("sessions") == "web.session"
    unlinked = index_of({"web.site": site, "web.other": "def expire(s, k):\n    s.sessions.pop(k)\n"})
    assert unlinked.view("web.site").attribute_removed_elsewhere("sessions") is None


def test_global_reset_from_another_module() -> None:
    index = index_of({"i18n.trans": "_translations = {}\n",
                      "i18n.reload": "from i18n import trans\ndef reset():\n    trans._translations = {}\n"})
    assert index.view("i18n.trans").global_reset_elsewhere("_translations") == "i18n.reload"


def test_facts_round_trip_through_json() -> None:
    facts = extract(ast.parse(textwrap.dedent(LIFETIMES[7][1]) + MODEL), "app.use")
    assert decode(encode(facts)) == facts


def test_re_export_cycles_and_unknown_names_resolve_to_nothing() -> None:
    index = index_of({"a": "from b import x\n", "b": "from a import x\n"})
    assert index.resolve("a.x") is None
    assert index.resolve("a.missing") is None
