"""`unbounded-lint watch`: sites, the probe, verdicts, reports, and real runs of the examples.

End-to-end runs use ``--sample-on-call FUNCTION:N``: the child samples on every N-th call of
FUNCTION, with a clock that advances one interval per sample, so what is sampled does not
depend on the machine's speed or load.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import weakref
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Dict, Tuple

import jsonschema
import pytest

from unbounded_lint.engine import lint_source
from unbounded_lint.evidence import probe as probe_module
from unbounded_lint.evidence.instrument import Plan, compile_watched
from unbounded_lint.evidence.probe import MAX_POINTS, Probe, Series
from unbounded_lint.evidence.report import Run
from unbounded_lint.evidence.report import render as render_report
from unbounded_lint.evidence.sites import Site, sites_for_module
from unbounded_lint.evidence.verdict import Verdict, judge, judge_all, slope
from unbounded_lint.evidence.watch import wrap_command
from unbounded_lint.types import ALL_CODES, Confidence, Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PROGRAMS = ROOT / "tests" / "fixtures" / "watch"
FINDINGS_SCHEMA = json.loads((ROOT / "docs" / "schema" / "findings.schema.json").read_text(encoding="utf-8"))
EVERYTHING = Settings(select=ALL_CODES, min_confidence=Confidence.LOW)


def ubl(*argv: str, cwd: Path = ROOT, timeout: float = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "unbounded_lint", *argv], cwd=str(cwd), capture_output=True,
                          check=False, text=True, env=env, timeout=timeout)


def watch_json(target: Path, trigger: str, *program_args: str, tmp_path: Path) -> dict:
    out = tmp_path / f"{target.stem}.json"
    proc = ubl("watch", str(target.relative_to(ROOT)), "--format", "json", "-o", str(out),
               "--sample-on-call", trigger, "--", sys.executable, str(target.relative_to(ROOT)), *program_args)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def verdicts(report: dict) -> Dict[Tuple[int, str], str]:
    return {(f["line"], f["code"]): f["verdict"] for f in report["findings"]}


# ----------------------------------------------------------------------------- verdicts


def site(kind: str = "attr") -> Site:
    return Site(id="a.py:1:1:UBL001", kind=kind, path="a.py", abspath="/x/a.py", line=1, column=1,
                code="UBL001", container="A.x", message="m", confidence="medium", owner="A", name="x")


@pytest.mark.parametrize("points, owners, expected", [
    ([(t, 10 * t, 1) for t in range(20)], 1, "grows"),
    ([(t, min(10 * t, 50), 1) for t in range(20)], 1, "plateau"),
    ([(t, (t % 5) * 3, 1) for t in range(20)], 1, "plateau"),
    ([(t, 0, 0) for t in range(20)], 500, "transient"),
    ([(t, t % 2, 1) for t in range(20)], 500, "transient"),
    ([], 0, "not reached"),
    ([(0, 3, 1), (1, 7, 1)], 1, "grows"),
], ids=["rising", "rises-then-flat", "sawtooth", "churned-owners", "churned-small", "never-sampled", "two-points"])
def test_verdict_from_series(points, owners, expected):
    v = judge(site(), {"points": points, "bytes_per_item": 8.0}, owners, 20.0)
    assert v.verdict == expected, v.summary
    if expected == "grows" and len(points) > 2:
        assert v.items_per_s == pytest.approx(10.0)
        assert v.bytes_per_s == pytest.approx(80.0)
        assert v.summary == "confirmed: 190 items after 19 s"


def test_transient_needs_an_owner_kind():
    # A module global has no owners to churn: a flat series is a plateau.
    assert judge(site("global"), {"points": [(t, 0, 1) for t in range(9)]}, 0, 9.0).verdict == "plateau"


def test_slope_is_least_squares():
    assert slope([(0, 1), (1, 3), (2, 5)]) == pytest.approx(2.0)
    assert slope([(1, 5)]) == 0.0


# ----------------------------------------------------------------------------- sites

SAMPLE = textwrap.dedent('''\
    import functools
    import queue
    HISTORY = []
    class Bot:
        def __init__(self):
            self.log = []
            self.q = queue.Queue()
        def step(self, x):
            self.log.append(x)
            self.q.put(x)
            HISTORY.append(x)
        @functools.lru_cache(maxsize=None)
        def fee(self, n):
            return n
    def loop(feed):
        seen = []
        while True:
            seen.append(feed())
    ''')


def test_sites_say_how_to_reach_each_container(tmp_path):
    path = tmp_path / "bot.py"
    path.write_text(SAMPLE, encoding="utf-8")
    result = lint_source(SAMPLE.encode(), str(path), EVERYTHING)
    got = {(s.code, s.kind, s.owner, s.name) for s in sites_for_module(SAMPLE, result.findings)}
    assert got == {
        ("UBL001", "attr", "Bot", "log"),
        ("UBL003", "attr", "Bot", "q"),
        ("UBL001", "global", "", "HISTORY"),
        ("UBL006", "method_cache", "Bot", "fee"),
        ("UBL001", "local", "loop", "seen"),
    }


# ----------------------------------------------------------------------------- the probe, in-process


def test_probe_samples_deterministically_with_an_injected_clock(tmp_path):
    path = tmp_path / "bot.py"
    path.write_text(SAMPLE, encoding="utf-8")
    sites = sites_for_module(SAMPLE, lint_source(SAMPLE.encode(), str(path), EVERYTHING).findings)
    now = [0.0]
    probe = Probe(sites, str(tmp_path / "samples.json"), clock=lambda: now[0])
    probe_module.install(probe, thread=False)
    try:
        namespace: dict = {"__name__": "bot", "__file__": str(path)}
        exec(compile_watched(SAMPLE.encode(), str(path), Plan(sites)), namespace)
        bot = namespace["Bot"]()
        for tick in range(10):
            for i in range(5):
                bot.step(i)
                bot.fee(i % 2)
            now[0] = float(tick + 1)
            probe.sample()
        samples = probe.snapshot()
    finally:
        probe.disabled = True
        probe_module.uninstall()
    by_code = {v.site.code + ":" + v.site.name: v for v in judge_all(sites, samples)}
    assert by_code["UBL001:log"].verdict == "grows"
    assert by_code["UBL001:log"].points == tuple((float(t), 5 * t) for t in range(1, 11))
    assert by_code["UBL003:q"].final == 50
    assert by_code["UBL006:fee"].verdict == "plateau" and by_code["UBL006:fee"].peak == 2
    assert by_code["UBL001:seen"].verdict == "not reached"  # loop() never ran
    # HISTORY is a global of a module that is not in sys.modules: not reached either.
    assert by_code["UBL001:HISTORY"].verdict == "not reached"


def test_a_failing_read_is_recorded_and_silent(tmp_path):
    import queue

    class Owner:
        def __init__(self):
            self.q = queue.Queue()
            self.q.mutex = None  # the standard qsize() now fails: `with None:`

    broken = replace(site(), id="q", code="UBL003", owner="Owner", name="q")
    probe = Probe([broken], str(tmp_path / "s.json"))
    owner = Owner()
    probe.owner_made(f"{broken.abspath}::Owner", owner)
    probe.sample()  # does not raise
    probe.sample()
    (verdict,) = judge_all([broken], probe.snapshot())
    assert verdict.verdict == "not reached"
    assert len(verdict.errors) == 1 and verdict.errors[0].startswith("TypeError: ")
    assert "could not be sampled (TypeError" in verdict.summary


def test_probe_memory_is_bounded_by_sites_not_calls():
    series = Series()
    for t in range(20 * MAX_POINTS):
        series.add(float(t), t, 1)
    assert len(series.points) <= MAX_POINTS
    assert series.points[0] == (0.0, 0, 1) and series.points[-1][1] == 20 * MAX_POINTS - 1


def test_owners_are_held_weakly(tmp_path):
    probe = Probe([], str(tmp_path / "s.json"))

    class Owner:
        pass

    owner = Owner()
    probe.owner_made("k", owner)
    ref = weakref.ref(owner)
    del owner
    assert ref() is None
    assert probe.owners_seen["k"] == 1 and len(probe.owners["k"]) == 0


def test_wrapped_constructor_keeps_the_class_contract(tmp_path):
    class Plain:
        pass

    class Point:
        def __init__(self, x, y=0):
            self.x, self.y = x, y

    probe = Probe([], str(tmp_path / "s.json"))
    probe_module.install(probe, thread=False)
    try:
        probe_module.watch_class(Plain, "plain")
        probe_module.watch_class(Point, "point")
        with pytest.raises(TypeError):
            Plain(1)
        point = Point(3, y=4)
    finally:
        probe.disabled = True
        probe_module.uninstall()
    assert (point.x, point.y) == (3, 4)
    assert Point.__init__.__wrapped__.__name__ == "__init__"
    assert probe.owners_seen == {"point": 1}  # Plain(1) failed before it was registered


@pytest.mark.parametrize("command, expected", [
    (["python", "app.py", "-v"], ["python", "-m", "unbounded_lint.evidence.run", "app.py", "-v"]),
    (["python3", "-u", "-X", "dev", "-m", "bot", "--x"],
     ["python3", "-u", "-X", "dev", "-m", "unbounded_lint.evidence.run", "-m", "bot", "--x"]),
    (["pytest", "-q"], ["pytest", "-q"]),
    (["python", "-"], ["python", "-"]),
])
def test_wrap_command(command, expected):
    assert wrap_command(command) == expected


# ----------------------------------------------------------------------------- real runs

BOT_SERVICE = {
    (31, "UBL001"): "grows",  # LATENCIES
    (42, "UBL001"): "grows",  # ticks_seen, a local of the feed thread
    (57, "UBL001"): "transient",  # OrderRequest.events
    (76, "UBL002"): "plateau",  # last_price: four symbols
    (79, "UBL004"): "plateau",  # the sliding window
    (89, "UBL002"): "grows",  # seen_order_ids
    (91, "UBL001"): "grows",  # fills
}
TRAIN_LOOP = {
    (37, "UBL001"): "transient",  # Batch.rows
    (41, "UBL005"): "grows",  # figures never closed
    (59, "UBL006"): "plateau",  # learning_rate cache: two phases
    (81, "UBL001"): "grows",  # grad_norms
    (87, "UBL001"): "grows",  # history[metric]
    (89, "UBL002"): "plateau",  # best: two metrics
    (92, "UBL004"): "plateau",  # the moving window
}


@pytest.fixture(scope="module")
def bot_report(tmp_path_factory) -> dict:
    return watch_json(EXAMPLES / "bot_service.py", "on_quote:150", "--steps", "3000",
                      tmp_path=tmp_path_factory.mktemp("bot"))


def test_bot_service_grows_exactly_at_the_leaks(bot_report):
    assert verdicts(bot_report) == BOT_SERVICE
    assert bot_report["stop_reason"] == "the program ended" and bot_report["returncode"] == 0
    fills = next(f for f in bot_report["findings"] if f["line"] == 91)
    assert fills["items_per_s"] > 0 and fills["bytes_per_s"] > 0
    # Sorted by growth rate: every grows first, fastest first.
    rates = [f["items_per_s"] for f in bot_report["findings"] if f["verdict"] == "grows"]
    assert rates == sorted(rates, reverse=True)
    assert [f["verdict"] for f in bot_report["findings"]][:4] == ["grows"] * 4


def test_train_loop_grows_exactly_at_the_leaks(tmp_path):
    pytest.importorskip("matplotlib")
    report = watch_json(EXAMPLES / "train_loop.py", "train_step:100", "--steps", "2500", tmp_path=tmp_path)
    assert verdicts(report) == TRAIN_LOOP


def test_watch_does_not_change_what_the_program_prints():
    pytest.importorskip("matplotlib")
    plain = subprocess.run([sys.executable, "examples/train_loop.py", "--steps", "600"], cwd=str(ROOT), check=False,
                           capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"), timeout=120)
    watched = ubl("watch", "examples/train_loop.py", "--", sys.executable, "examples/train_loop.py", "--steps", "600")
    assert plain.returncode == 0 and plain.stdout
    assert watched.stdout.startswith(plain.stdout)


def test_watch_stops_the_command_after_duration(tmp_path):
    out = tmp_path / "r.json"
    proc = ubl("watch", "examples/bot_service.py", "--duration", "3", "--interval", "0.05", "--format", "json",
               "-o", str(out), "--", sys.executable, "examples/bot_service.py", "--seconds", "600")
    assert proc.returncode == 1, proc.stderr  # something grew
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["stop_reason"] == "stopped after --duration 3 s"
    assert report["samples"] >= 5
    got = verdicts(report)
    assert {k for k, v in got.items() if v == "grows"} == {k for k, v in BOT_SERVICE.items() if v == "grows"}


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
def test_ctrl_c_stops_the_command_and_still_reports(tmp_path):
    out = tmp_path / "r.json"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    argv = [sys.executable, "-m", "unbounded_lint", "watch", "examples/bot_service.py", "--interval", "0.05",
            "--format", "json", "-o", str(out), "--", sys.executable, "examples/bot_service.py", "--seconds", "600"]
    # Its own session, as a terminal's foreground group: Ctrl-C reaches watch and the command.
    proc = subprocess.Popen(argv, cwd=str(ROOT), start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, TMPDIR=str(scratch)))
    deadline = time.monotonic() + 120
    # The probe's first samples file means the command is running under watch.
    while not list(scratch.glob("ubl-watch-*/samples.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["stop_reason"] == "interrupted (Ctrl-C)"
    assert (91, "UBL001") in {k for k, v in verdicts(report).items() if v == "grows"}


def test_asyncio_workload(tmp_path):
    report = watch_json(PROGRAMS / "asyncio_app.py", "publish:200", "2000", tmp_path=tmp_path)
    # history (an attribute), buffer (a local of two suspended/running coroutines), latest (4 keys)
    assert verdicts(report) == {(13, "UBL001"): "grows", (26, "UBL001"): "grows", (14, "UBL002"): "plateau"}


def test_threaded_workload(tmp_path):
    report = watch_json(PROGRAMS / "threads_app.py", "tick:300", "6000", tmp_path=tmp_path)
    assert verdicts(report) == {(28, "UBL001"): "grows", (16, "UBL002"): "plateau"}


@pytest.mark.parametrize("method, children", [("fork", 1), ("spawn", 1)])
def test_multiprocessing_children_are_reported_as_not_watched(tmp_path, method, children):
    if method == "fork" and not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    report = watch_json(PROGRAMS / "mp_app.py", "note:20", method, tmp_path=tmp_path)
    assert verdicts(report) == {(10, "UBL001"): "grows"}
    assert len(report["not_watched"]) >= children
    how = "multiprocessing fork" if method == "fork" else "new interpreter"
    assert all(how in note for note in report["not_watched"])


def test_unregistrable_owner_is_reported_and_the_program_unchanged(tmp_path):
    out = tmp_path / "r.json"
    target = "tests/fixtures/watch/slots_app.py"
    proc = ubl("watch", target, "--format", "json", "-o", str(out), "--sample-on-call", "push:50", "--",
               sys.executable, target)
    assert proc.stdout == "TypeError: Buffer.__init__() takes 1 positional argument but 2 were given\n500 3\n"
    (finding,) = json.loads(out.read_text(encoding="utf-8"))["findings"]
    # Not registered (no __weakref__ slot), but still found as a module global of the script.
    assert any("cannot be weakly referenced" in error for error in finding["errors"])
    assert finding["verdict"] == "grows" and finding["final"] == 499  # sampled as the 500th push starts


def test_html_report_is_one_static_file(tmp_path, bot_report):
    out = tmp_path / "r.html"
    proc = ubl("watch", "examples/bot_service.py", "--format", "html", "-o", str(out), "--sample-on-call",
               "on_quote:300", "--", sys.executable, "examples/bot_service.py", "--steps", "1500")
    assert proc.returncode == 1, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == len(BOT_SERVICE)
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert page.count("<polyline") == len(BOT_SERVICE)


def test_usage_errors():
    assert ubl("watch", "examples").returncode == 2
    assert ubl("watch", "examples", "--sample-on-call", "nope", "--", "python", "-c", "0").returncode == 2
    missing = ubl("watch", "examples/trading_bot.py", "--", "no-such-command-ubl")
    assert missing.returncode == 2 and "cannot run 'no-such-command-ubl'" in missing.stderr
    assert "Traceback" not in missing.stderr


def _verdict(line: int, verdict: str, rate: float, points: Tuple[Tuple[float, int], ...]) -> Verdict:
    return Verdict(site=replace(site(), line=line, id=f"a.py:{line}:1:UBL001"), verdict=verdict,
                   summary=f"{verdict}: something", items_per_s=rate, points=points,
                   peak=max((y for _, y in points), default=0))


def test_text_report_sorted_by_growth_rate_and_svg_parses():
    run = Run(command=("python", "app.py"), duration=3.0, stop_reason="the program ended", samples=15,
              interval=0.2, probe_started=True, not_watched=("pid 7 (multiprocessing fork)",))
    verdicts_ = [
        _verdict(1, "plateau", 0.0, ((0.0, 3), (1.0, 3))),
        _verdict(2, "grows", 5.0, ((0.0, 1), (1.0, 6))),
        _verdict(3, "not reached", 0.0, ()),
        _verdict(4, "grows", 50.0, ((0.0, 1), (1.0, 51))),
    ]
    text = render_report("text", verdicts_, run)
    order = [int(line.split(":")[1]) for line in text.splitlines() if line.startswith("a.py:")]
    assert order == [4, 2, 1, 3]
    assert "not watched: child process pid 7 (multiprocessing fork)" in text
    assert text.rstrip().endswith("4 findings watched: 2 grows, 1 plateau, 1 not reached.")
    svg = ET.fromstring(render_report("svg", verdicts_, run))
    assert svg.tag.endswith("svg") and len(svg.findall(".//{http://www.w3.org/2000/svg}polyline")) == 3


# ----------------------------------------------------------------------------- --evidence


def test_evidence_marks_grown_and_lowers_bounded_findings(tmp_path, bot_report):
    evidence = tmp_path / "watch.json"
    evidence.write_text(json.dumps(bot_report), encoding="utf-8")
    default = ubl("--no-cache", "--evidence", str(evidence), "--format", "json", "examples/bot_service.py")
    shown = {(f["line"], f["code"]): f for f in json.loads(default.stdout)}
    jsonschema.validate(list(shown.values()), FINDINGS_SCHEMA)
    assert set(shown) == {k for k, v in BOT_SERVICE.items() if v == "grows"}
    assert all(f["evidence_verdict"] == "grows" and f["evidence"].startswith("confirmed: ") for f in shown.values())

    everything = ubl("--no-cache", "--evidence", str(evidence), "--min-confidence", "low", "--format", "json",
                     "examples/bot_service.py")
    lowered = {(f["line"], f["code"]): f for f in json.loads(everything.stdout)}
    assert lowered[(76, "UBL002")]["confidence"] == "low"
    assert lowered[(76, "UBL002")]["evidence_verdict"] == "plateau"
    assert lowered[(57, "UBL001")]["evidence_verdict"] == "transient"

    sarif = json.loads(ubl("--no-cache", "--evidence", str(evidence), "--format", "sarif",
                           "examples/bot_service.py").stdout)
    props = [r["properties"] for r in sarif["runs"][0]["results"]]
    assert props and all(p["evidenceVerdict"] == "grows" for p in props)

    text = ubl("--no-cache", "--evidence", str(evidence), "examples/bot_service.py").stdout
    assert "(confirmed: " in text


def test_evidence_file_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    proc = ubl("--no-cache", "--evidence", str(bad), "examples/bot_service.py")
    assert proc.returncode == 2 and "is not a report of `unbounded-lint watch" in proc.stderr
    assert ubl("--no-cache", "--evidence", str(tmp_path / "missing.json"), "examples").returncode == 2


# ----------------------------------------------------------------------------- pytest --ubl-watch

PROJECT_MODULE = textwrap.dedent('''\
    class Registry:
        def __init__(self):
            self.items = []
            self.names = {}

        def add(self, x):
            self.items.append(x)
            self.names[x % 3] = x

    REGISTRY = Registry()
    ''')
PROJECT_TEST = textwrap.dedent('''\
    import time
    import pytest
    from leaky import REGISTRY

    @pytest.mark.parametrize("i", range(25))
    def test_add(i):
        for k in range(40):
            REGISTRY.add(i * 40 + k)
        time.sleep(0.03)
    ''')


def run_pytest(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
                          cwd=str(project), capture_output=True, text=True, timeout=240, check=False)


def test_pytest_plugin_watches_the_test_run(tmp_path):
    (tmp_path / "leaky.py").write_text(PROJECT_MODULE, encoding="utf-8")
    (tmp_path / "test_leaky.py").write_text(PROJECT_TEST, encoding="utf-8")
    proc = run_pytest(tmp_path, "--ubl-watch", "--ubl-watch-interval", "0.02", "--ubl-watch-output", "r.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 of 2 findings grew; report in r.json" in proc.stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert verdicts(report) == {(7, "UBL001"): "grows", (8, "UBL002"): "plateau"}


def test_pytest_plugin_is_inert_without_the_flag(tmp_path):
    (tmp_path / "leaky.py").write_text(PROJECT_MODULE, encoding="utf-8")
    (tmp_path / "test_leaky.py").write_text(PROJECT_TEST.replace("0.03", "0"), encoding="utf-8")
    proc = run_pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "unbounded-lint" not in proc.stdout
    assert not list(tmp_path.glob("*.json"))
