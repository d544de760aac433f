"""Fixed code behaves like the original while small, and stays bounded when driven hard.

For each fixture with a driver below, the original module, the expected ``.fixed.py`` and the
fixer's own output (``fix_source`` with N = 1000) are imported side by side in a subprocess (fixtures are batched to keep the suite fast).
A driver defines two functions:

* ``small(m)`` grows the container fewer than N times and prints what a caller can observe;
  the printed text must be identical for the original and every fixed variant ("a fix never
  changes behaviour while the container holds fewer than N items");
* ``grow(m)`` drives the module hard (5 * N growths, or a few figures) and returns the size
  that must stay bounded: at most ``LIMIT`` in the fixed variants, above it in the original
  (which proves the driver really grows the container). ``None`` means nothing to bound (a
  UBL004 fix only changes complexity).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

# runs every fixed program against the original
pytestmark = [pytest.mark.slow]

FIXTURES = Path(__file__).parent / "fixtures" / "fix"
N = 1000

# name -> (limit for grow(), driver source)
DRIVERS: Dict[str, Tuple[Optional[int], str]] = {
    # ------------------------------------------------------------- UBL001, deque conversion
    "ubl001_deque_basic": (N, """
        def small(m):
            mon = m.LatencyMonitor()
            print(mon.worst())
            for i in range(10):
                mon.record(i * 0.5)
            print(mon.count(), mon.worst(), mon.total(), mon.last(), mon.above(2),
                  mon.seen(1.0), mon.seen(7), mon.snapshot(), list(mon._samples))

        def grow(m):
            mon = m.LatencyMonitor()
            for i in range(5 * N):
                mon.record(i)
            assert mon.last() == 5 * N - 1
            return len(mon._samples)
    """),
    "ubl001_deque_literal_items": (N, """
        def small(m):
            s = m.Smoother(1.0, 3.0)
            for v in (2.0, 5.0, 4.0):
                s.push(v)
            print(s.average(), s.spread(), s.ordered(), round(s.rms(), 9), list(s._points))

        def grow(m):
            s = m.Smoother(0, 0)
            for i in range(5 * N):
                s.push(i)
            return len(s._points)
    """),
    "ubl001_trim_annotated_field": (N, """
        def small(m):
            a = m.Meter("a")
            for v in (3, 1, 2):
                a.add(v)
            print(a.name, a.mean(), a.latest(), list(a.readings))
            print(list(m.Meter("b").readings))

        def grow(m):
            a = m.Meter("x")
            for i in range(5 * N):
                a.add(i)
            return len(a.readings)
    """),
    "ubl001_deque_list_call": (N, """
        def small(m):
            w = m.Window([1, 2])
            w.feed(3)
            print(w.size(), w.contents())

        def grow(m):
            w = m.Window(range(10))
            for i in range(5 * N):
                w.feed(i)
            return w.size()
    """),
    "ubl001_deque_class_attribute": (N, """
        def small(m):
            a, b = m.EventBus(), m.EventBus()
            a.publish("x")
            b.publish("y")
            print(a.delivered_count(), b.newest_first(), list(m.EventBus._delivered))

        def grow(m):
            bus = m.EventBus()
            for i in range(5 * N):
                bus.publish(i)
            return len(m.EventBus._delivered)
    """),
    "ubl001_deque_module_global": (N, """
        def small(m):
            print(m.average())
            for d in (0.5, 0.25, 1.0):
                m.record(d)
            print(m.average(), m.slowest(), m.timed(lambda x: x * 2, 21), len(m._timings))

        def grow(m):
            for i in range(5 * N):
                m.record(i)
            return len(m._timings)
    """),
    "ubl001_deque_extend": (N, """
        def small(m):
            s = m.Sampler(7)
            first, second = s.draw(3), s.draw(2)
            print(first, second, s.count(), s.history())

        def grow(m):
            s = m.Sampler(1)
            for _ in range(N):
                s.draw(5)
            return s.count()
    """),
    "low_ubl001_deque_loop_local": (N, """
        def small(m):
            print(m.tail_lines(io.StringIO("a\\nb\\nc\\n")))
            print(m.tail_lines(io.StringIO("")))

        def grow(m):
            count, lines = m.tail_lines(io.StringIO("x\\n" * (5 * N)))
            assert count == 5 * N
            return len(lines)
    """),
    "ubl001_deque_front_insert": (N, """
        def small(m):
            f = m.Feed()
            for t in "abc":
                f.post(t)
            print(f.newest(), f.size(), f.items())

        def grow(m):
            f = m.Feed()
            for i in range(5 * N):
                f.post(i)
            assert f.newest() == (5 * N - 1, 5 * N - 1)
            return f.size()
    """),
    # ------------------------------------------------------------- UBL001, slice-trim
    "ubl001_trim_slicing": (N, """
        def small(m):
            t = m.PriceTracker()
            for p in range(8):
                t.on_tick(p)
            print(t.last_five(), t.prices)

        def grow(m):
            t = m.PriceTracker()
            for p in range(5 * N):
                t.on_tick(p)
            assert t.last_five() == list(range(5 * N - 5, 5 * N))
            return len(t.prices)
    """),
    "ubl001_trim_plus_list": (N, """
        def small(m):
            h = m.PathHistory()
            h.visit("a/./b")
            h.visit("c//d")
            print(h.with_home(), h.visited)

        def grow(m):
            h = m.PathHistory()
            for i in range(5 * N):
                h.visit(f"p{i}")
            return len(h.visited)
    """),
    "ubl001_trim_plus_equals": (N, """
        def small(m):
            t = m.Transcript()
            t.say("ann", "hi")
            t.say("bob", "hello")
            print(t.count(), t.all_lines(), t.lines)

        def grow(m):
            t = m.Transcript()
            for i in range(5 * N):
                t.say("x", i)
            assert t.lines[-1] == f"x: {5 * N - 1}"
            return t.count()
    """),
    "ubl001_trim_concat_assign": (N, """
        def small(m):
            a = m.AuditTrail()
            a.note("ann", "login")
            a.note("bob", "logout")
            print(a.entries(), a.log)

        def grow(m):
            a = m.AuditTrail()
            for i in range(5 * N):
                a.note("x", i)
            return len(a.log)
    """),
    "ubl001_trim_sort": (N, """
        def small(m):
            b = m.Leaderboard()
            for s in (3, 9, 1, 7):
                b.submit(s)
            print(b.ranked(), b.scores)
            b.submit(4)
            print(b.ranked())

        def grow(m):
            b = m.Leaderboard()
            for s in range(5 * N):
                b.submit(s)
            return len(b.ranked())
    """),
    "ubl001_trim_insert": (N, """
        def small(m):
            p = m.Playlist()
            p.add("a")
            p.add("b")
            p.play_next("c")
            print(p.upcoming(), p.tracks)

        def grow(m):
            p = m.Playlist()
            for i in range(5 * N):
                p.add(i)
                p.play_next(-i)
            return len(p.tracks)
    """),
    "ubl001_trim_json_dumps": (N, """
        def small(m):
            j = m.Journal()
            j.write({"a": 1})
            j.write([2, 3])
            print(j.dump())

        def grow(m):
            j = m.Journal()
            for i in range(5 * N):
                j.write(i)
            return len(j.records)
    """),
    "ubl001_trim_eq_list": (N, """
        def small(m):
            r = m.CallRecorder()
            print(r.never_called())
            r(1, 2)
            r()
            print(r.never_called(), r.count(), r.calls)

        def grow(m):
            r = m.CallRecorder()
            for i in range(5 * N):
                r(i)
            return r.count()
    """),
    "ubl001_trim_unknown_call": (N, """
        def small(m):
            seen = []
            b = m.Batcher(lambda pending: seen.append(list(pending)))
            for i in range(3):
                b.add(i)
            print(seen, b.pending)

        def grow(m):
            b = m.Batcher(lambda pending: None)
            for i in range(5 * N):
                b.add(i)
            return len(b.pending)
    """),
    "ubl001_trim_return": (N, """
        def small(m):
            print(m.handle(0), m.handle(1), m.handle(""), m.handle("ok"), m.failures_so_far())

        def grow(m):
            for _ in range(5 * N):
                m.handle(0)
            return len(m.failures_so_far())
    """),
    "ubl001_trim_nested_dict_path": (N, """
        def small(m):
            t = m.Trainer()
            for i in range(5):
                t.step(1.0 / (i + 1), i / 10)
            print(t.best_loss(), t.hist)

        def grow(m):
            t = m.Trainer()
            for i in range(5 * N):
                t.step(float(i), float(i))
            return max(len(t.hist["loss"]), len(t.hist["acc"]))
    """),
    "ubl001_trim_defaultdict": (N, """
        def small(m):
            p = m.Profiler()
            print([p.measure("a", lambda: 1) for _ in range(3)], p.measure("b", lambda: "x"))
            print(p.calls("a"), p.calls("b"), p.calls("c"), sorted(p.perf))

        def grow(m):
            p = m.Profiler()
            for _ in range(5 * N):
                p.measure("a", lambda: None)
            return p.calls("a")
    """),
    "ubl001_trim_front_insert": (N, """
        def small(m):
            r = m.RecentSearches()
            for t in ("a", "b", "c"):
                r.search(t)
            print(r.top(2), r.terms)

        def grow(m):
            r = m.RecentSearches()
            for i in range(5 * N):
                r.search(i)
            assert r.top(2) == [5 * N - 1, 5 * N - 2]
            return len(r.terms)
    """),
    "ubl001_trim_one_line_suite": (N, """
        def small(m):
            f = m.Filter(5)
            for v in range(10):
                f.offer(v)
            print(f.first_ten(), f.kept)

        def grow(m):
            f = m.Filter(0)
            for v in range(5 * N):
                f.offer(v)
            return len(f.kept)
    """),
    # ------------------------------------------------------------- UBL002
    "ubl002_dict_cache": (N, """
        def small(m):
            c = m.DigestCache()
            print(c.digest(b"a"), c.digest(b"a") == c.digest(b"a"), c.digest(b"b"), len(c.cache))

        def grow(m):
            c = m.DigestCache()
            for i in range(5 * N):
                c.digest(str(i).encode())
            return len(c.cache)
    """),
    "ubl002_global_dict": (N, """
        def small(m):
            r = m.compiled("a+")
            print(r.pattern, m.compiled("a+") is r, m.compiled("b").pattern, sorted(m._patterns))

        def grow(m):
            for i in range(5 * N):
                m.compiled(f"x{i}")
            return len(m._patterns)
    """),
    "ubl002_counter": (N, """
        def small(m):
            w = m.WordStats()
            w.feed("a b a c b a")
            w.feed("c d")
            print(w.most_common(3), dict(w.counts))

        def grow(m):
            w = m.WordStats()
            w.feed(" ".join(f"w{i}" for i in range(5 * N)))
            return len(w.counts)
    """),
    "ubl002_setdefault": (N, """
        def small(m):
            s = m.SessionStore()
            s.open("ann", 1)
            s.open("ann", 2)
            s.open("bob", 3)
            print(s.token_for("ann"), s.token_for("bob"), s.token_for("cy"), s.sessions)

        def grow(m):
            s = m.SessionStore()
            for i in range(5 * N):
                s.open(i, i)
            return len(s.sessions)
    """),
    # ------------------------------------------------------------- UBL003
    "ubl003_deque_no_maxlen": (N, """
        def small(m):
            t = m.Trace()
            for e in "xyz":
                t.emit(e)
            print(t.dump())

        def grow(m):
            t = m.Trace()
            for i in range(5 * N):
                t.emit(i)
            return len(t.events)
    """),
    "ubl003_collections_deque": (N, """
        def small(m):
            b = m.Buffer(["<"])
            b.write("ab")
            b.write(["cd"])
            print(b.contents())

        def grow(m):
            b = m.Buffer([])
            for _ in range(5 * N):
                b.write("x")
            return len(b.chunks)
    """),
    # ------------------------------------------------------------- UBL004 (nothing to bound)
    "low_ubl004_bfs_local": (None, """
        def small(m):
            g = {"a": ["b", "c"], "b": ["d"], "c": ["d", "e"], "d": ["a"], "e": []}
            print(m.bfs(g, "a"), m.bfs(g, "e"), m.bfs({}, "z"))
            chain = {str(i): [str(i + 1)] for i in range(3000)}
            print(len(m.bfs(chain, "0")))

        def grow(m):
            return None
    """),
    "ubl004_attribute_pop0": (None, """
        def small(m):
            r = m.JobRunner()
            print(r.run_next())
            for i in range(3):
                r.submit(lambda i=i: i * 10)
            print(r.pending(), r.run_next(), r.run_next(), r.pending(), list(r.jobs) != [])

        def grow(m):
            return None
    """),
    "ubl004_one_line_suite_rename": (N, """
        def small(m):
            box = m.Inbox()
            print(box.get(), box.recent())
            for i in range(5):
                box.put(i)
            box.put(0)
            print(box.get(), box.get(), box.recent(), len(box.items))

        def grow(m):
            box = m.Inbox()
            for i in range(1, 5 * N):
                box.put(i)
            return len(box.log)
    """),
    "low_ubl004_insert_front_local": (None, """
        def small(m):
            print(m.reverse_words(["a", "b", "c"]), m.reverse_words([]))
            print(m.reverse_words(str(i) for i in range(3000))[:3])

        def grow(m):
            return None
    """),
    # ------------------------------------------------------------- UBL005 (open figures)
    "ubl005_close_plt_alias": (1, """
        def small(m):
            buf = io.BytesIO()
            print(m.save_chart([1, 2, 3], buf) is buf, buf.getvalue()[:8])

        def grow(m):
            for _ in range(FIGURES):
                m.save_chart([1, 2], io.BytesIO())
            return len(plt.get_fignums())
    """),
    "ubl005_close_pyplot_alias": (1, """
        def small(m):
            buf = io.BytesIO()
            print(m.render([3, 1, 2], buf), buf.getvalue()[:8])

        def grow(m):
            for _ in range(FIGURES):
                m.render([1], io.BytesIO())
            return len(plt.get_fignums())
    """),
    "ubl005_close_full_name": (1, """
        def small(m):
            buf = io.BytesIO()
            print(m.histogram([1, 2, 2, 3], buf, bins=3), buf.getvalue()[:8])

        def grow(m):
            for _ in range(FIGURES):
                m.histogram([1, 2], io.BytesIO(), bins=2)
            return len(plt.get_fignums())
    """),
    "ubl005_close_after_loop": (1, """
        def small(m):
            print(m.save_pages([[1, 2], [2, 1]], "page"), sorted(os.listdir(".")).count("page-1.png"))

        def grow(m):
            for _ in range(FIGURES):
                m.save_pages([[1]], "grow")
            return len(plt.get_fignums())
    """),
    "ubl005_self_fig_method": (1, """
        def small(m):
            c = m.LiveChart("t")
            print(c.fig)
            c.redraw([1, 2])
            print(c.fig is not None, c.fig.axes[0].get_title())

        def grow(m):
            c = m.LiveChart("t")
            for _ in range(FIGURES):
                c.redraw([1, 2])
            return len(plt.get_fignums())
    """),
    # ------------------------------------------------------------- UBL008
    "ubl008_functools_cache": (N, """
        def small(m):
            print(m.fib(30), m.fib(10))

        def grow(m):
            for i in range(5 * N):
                m.fib(i)
            return m.fib.cache_info().currsize
    """),
    "ubl008_from_import_cache": (N, """
        def small(m):
            print(m.slugify("Hello, World!"), m.slugify("  A -- b "))

        def grow(m):
            for i in range(5 * N):
                m.slugify(f"title {i}")
            return m.slugify.cache_info().currsize
    """),
    "ubl008_lru_cache_none": (N, """
        def small(m):
            print(m.load_template("a"), m.load_template("a") is m.load_template("a"))

        def grow(m):
            for i in range(5 * N):
                m.load_template(str(i))
            return m.load_template.cache_info().currsize
    """),
    # ------------------------------------------------------------- formatting cases
    "format_tabs": (N, """
        def small(m):
            d = m.Dispatcher()
            d.touch("a", 1)
            d.touch("b", 2)
            d.touch("a", 3)
            for e in ("e1", "e2", "e3", "e4"):
                d.fail(e)
            print(d.last_seen, d.last_errors(), d.errors)

        def grow(m):
            d = m.Dispatcher()
            for i in range(5 * N):
                d.touch(i, i)
                d.fail(i)
            return max(len(d.last_seen), len(d.errors))
    """),
    "format_crlf_deque": (N, """
        def small(m):
            h = m.Heartbeat()
            h.beat()
            h.beat()
            print(h.count())

        def grow(m):
            h = m.Heartbeat()
            for _ in range(5 * N):
                h.beat()
            return h.count()
    """),
    "format_crlf_trim": (N, """
        def small(m):
            o = m.Outbox()
            print(o.send("a"), o.send("b"), o.last(1), o.sent)

        def grow(m):
            o = m.Outbox()
            for i in range(5 * N):
                o.send(i)
            return len(o.sent)
    """),
    "format_bom": (N, """
        def small(m):
            w = m.Watcher()
            w.notify("a")
            w.notify(pathlib.PurePosixPath("b/c"))
            print(w.changes(), m.Watcher.__doc__)

        def grow(m):
            w = m.Watcher()
            for i in range(5 * N):
                w.notify(str(i))
            return len(w.changes())
    """),
    "format_docstring": (N, """
        def small(m):
            c = m.Chat()
            c.post("hi")
            c.post("there")
            print(c.history(), m.__doc__)

        def grow(m):
            c = m.Chat()
            for i in range(5 * N):
                c.post(i)
            return len(c.history())
    """),
    "format_docstring_imports": (N, """
        def small(m):
            r = m.Rolling()
            for v in (3.0, 4.0):
                r.push(v)
            print(round(r.rms(), 9), m.__doc__)
            r.report()

        def grow(m):
            r = m.Rolling()
            for i in range(5 * N):
                r.push(i)
            return len(r._values)
    """),
    "format_future_import": (N, """
        def small(m):
            t = m.Tally()
            for v in (1, 2, 3):
                t.mark(v)
            print(t.total(), list(t._marks), m.Tally.mark.__annotations__)

        def grow(m):
            t = m.Tally()
            for i in range(5 * N):
                t.mark(i)
            return len(t._marks)
    """),
    "format_import_collections": (N, """
        def small(m):
            t = m.Ticker()
            t.tick(1)
            t.tick(2)
            print(t.count(), t.values())

        def grow(m):
            t = m.Ticker()
            for i in range(5 * N):
                t.tick(i)
            return t.count()
    """),
    "format_deque_alias": (N, """
        def small(m):
            p = m.Pipeline()
            p.add_stage(lambda v: v + 1)
            p.add_stage(lambda v: v * 2)
            print(p.run(1), p.run(5), p.produced(), list(p._outputs))

        def grow(m):
            p = m.Pipeline()
            for i in range(5 * N):
                p.run(i)
            return p.produced()
    """),
    "format_existing_defaultdict_import": (N, """
        def small(m):
            print(m.group([("a", 1), ("b", 2), ("a", 3)]))
            t = m.Timer()
            t.add(0.5)
            t.add(2.0)
            print(t.longest(), list(t._durations))

        def grow(m):
            t = m.Timer()
            for i in range(5 * N):
                t.add(i)
            return len(t._durations)
    """),
    "format_nested_class": (N, """
        def small(m):
            s = m.Server()
            for v in range(12):
                s.handle(v)
            print(s.stats.recent(), s.stats.latencies)

        def grow(m):
            s = m.Server()
            for v in range(5 * N):
                s.handle(v)
            return len(s.stats.latencies)
    """),
    "format_two_containers": (N, """
        def small(m):
            memo = m.Memo()
            print([memo.get(k, lambda k: k * 2) for k in (1, 2, 1, 3)], memo.accesses())
            print(list(memo._access_log), memo.entries)

        def grow(m):
            memo = m.Memo()
            for k in range(5 * N):
                memo.get(k, str)
            return max(len(memo.entries), len(memo._access_log))
    """),
    "format_comments": (N, """
        def small(m):
            meter = m.Meter()
            for v in range(12):
                meter.read(v)
            meter.event("start")
            print(meter.window(), meter.readings, meter.event_count())

        def grow(m):
            meter = m.Meter()
            for v in range(5 * N):
                meter.read(v)
                meter.event(v)
            return max(len(meter.readings), meter.event_count())
    """),
    "ubl001_deque_async_for_local": (N, """
        def small(m):
            print(m.run([1, 2, 3]), m.run([]), m.run(range(N - 1)))

        def grow(m):
            return m.run(range(5 * N))[0]
    """),
    "ubl001_deque_len_zero_check": (N, """
        def small(m):
            p = m.Poller()
            print(p.anything(), p.poll(0), p.anything(), p.poll(5), list(p._results))

        def grow(m):
            p = m.Poller()
            for i in range(5 * N):
                p.poll(i)
            return len(p._results)
    """),
    "ubl001_trim_in_try": (N, """
        def small(m):
            log = m.InboundLog()
            log.handle(b"ok")
            log.handle(b"\\xff")
            print(log.last(), log.raw)

        def grow(m):
            log = m.InboundLog()
            for i in range(5 * N):
                log.handle(b"x" if i % 2 else b"\\xff")
            return len(log.raw)
    """),
    "ubl001_trim_nested_function": (N, """
        class Bus:
            def subscribe(self, callback):
                self.callback = callback

        def small(m):
            bus, sub = Bus(), m.Subscriber()
            sub.start(bus)
            for i in range(4):
                bus.callback(i)
            print(sub.latest(2), sub.inbox)

        def grow(m):
            bus, sub = Bus(), m.Subscriber()
            sub.start(bus)
            for i in range(5 * N):
                bus.callback(i)
            assert sub.latest(1) == [5 * N - 1]
            return len(sub.inbox)
    """),
    "ubl001_trim_one_line_for": (N, """
        def small(m):
            c = m.Classifier()
            c.feed([1, 2])
            c.feed(range(3, 6))
            print(c.head(), c.positives)

        def grow(m):
            c = m.Classifier()
            c.feed(range(5 * N))
            return len(c.positives)
    """),
    "ubl002_one_line_suite": (N, """
        def small(m):
            calls = []
            look = m.Lookup(lambda k: calls.append(k) or k * 3)
            print(look.get(1), look.get(2), look.get(1), calls, look.cache)

        def grow(m):
            look = m.Lookup(str)
            for i in range(5 * N):
                look.get(i)
            return len(look.cache)
    """),
    "ubl005_close_after_if": (1, """
        def small(m):
            buf = io.BytesIO()
            print(m.plot([1, 2], buf), m.plot([3]), buf.getvalue()[:8])

        def grow(m):
            for i in range(FIGURES):
                m.plot([1, 2], io.BytesIO() if i % 2 else None)
            return len(plt.get_fignums())
    """),
    "ubl005_figure_in_loop": (1, """
        def small(m):
            print(m.save_all([[1, 2], [2, 1]], "s"), sorted(f for f in os.listdir(".") if f.startswith("s")))

        def grow(m):
            m.save_all([[1]] * FIGURES, "g")
            return len(plt.get_fignums())
    """),
    "unsafe_ubl007_deque_consumer": (N, """
        def small(m):
            st = m.Stream()
            print(st.take())
            for i in range(3):
                st.feed(i)
            print(st.take(), st.take(), list(st.buf))

        def grow(m):
            st = m.Stream()
            for i in range(5 * N):
                st.feed(i)
            return len(st.buf)
    """),
}

# Runs in a subprocess over a batch of fixtures. argv[1] is a JSON list of jobs
# {"name", "dir", "driver", "modules"}; it prints one JSON object {name: outcome}. Each
# fixture runs in its own folder with its own module names, so module-level state (globals,
# class attributes, caches) never leaks between variants or fixtures; pyplot's global figure
# registry is cleared between runs.
HARNESS = """
import contextlib, importlib, io, json, os, pathlib, sys, traceback, warnings
warnings.simplefilter("ignore")
N = %(n)d
FIGURES = 4
plt = None
jobs = json.loads(sys.argv[1])
if any("plt." in job["driver"] for job in jobs):
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["savefig.dpi"] = 10
    import matplotlib.pyplot as plt

def close_all():
    if plt is not None:
        plt.close("all")

outcomes = {}
for job in jobs:
    os.chdir(job["dir"])
    sys.path.insert(0, job["dir"])
    namespace = {"N": N, "FIGURES": FIGURES, "plt": plt, "io": io, "os": os,
                 "pathlib": pathlib}
    results = {}
    try:
        exec(compile(job["driver"], job["name"] + "-driver", "exec"), namespace)
        for variant, modname in job["modules"].items():
            close_all()
            mod = importlib.import_module(modname)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                namespace["small"](mod)
            close_all()  # figures a caller keeps on purpose are not the leak
            with contextlib.redirect_stdout(io.StringIO()):
                size = namespace["grow"](mod)
            results[variant] = {"small": out.getvalue(), "size": size}
        outcomes[job["name"]] = {"results": results}
    except BaseException:
        outcomes[job["name"]] = {"error": traceback.format_exc()}
    finally:
        sys.path.remove(job["dir"])
        close_all()
sys.stdout.write(json.dumps(outcomes))
"""


def _settings(name: str):
    from unbounded_lint.types import ALL_CODES, Confidence, Settings

    if name.startswith(("ubl008_", "unsafe_")):
        return Settings(select=ALL_CODES, max_length=N)
    if name.startswith("low_"):
        return Settings(max_length=N, min_confidence=Confidence.LOW)
    return Settings(max_length=N)


def _prepare(name: str, workdir: Path) -> Tuple[Dict[str, object], Optional[str]]:
    """Write the original, expected and fixer-made modules of ``name``; return the job."""
    source = (FIXTURES / f"{name}.py").read_bytes()
    (workdir / f"{name}__original.py").write_bytes(source)
    (workdir / f"{name}__expected.py").write_bytes((FIXTURES / f"{name}.fixed.py").read_bytes())
    modules = {"m_original": f"{name}__original", "m_expected": f"{name}__expected"}
    fixer_error = None
    try:
        from unbounded_lint.fixer import fix_source

        result = fix_source(source, f"{name}.py", _settings(name), unsafe=True)
        if result.error is not None:
            fixer_error = f"fix_source reported: {result.error}"
        else:
            (workdir / f"{name}__fixer.py").write_bytes(result.source)
            modules["m_fixer"] = f"{name}__fixer"
    except Exception as exc:  # the fixer is not there yet, or it crashed
        fixer_error = f"{type(exc).__name__}: {exc}"
    job = {"name": name, "dir": str(workdir), "modules": modules,
           "driver": textwrap.dedent(DRIVERS[name][1])}
    return job, fixer_error


def _run_batch(jobs) -> Dict[str, Dict[str, object]]:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-c", HARNESS % {"n": N}, json.dumps(jobs)],
                          env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        error = f"driver process failed (exit {proc.returncode}):\n{proc.stderr}"
        return {job["name"]: {"error": error} for job in jobs}
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def behaviour(tmp_path_factory) -> Dict[str, Dict[str, object]]:
    """Every driver's outcome, computed once: pyplot drivers share one process (importing
    matplotlib dominates the cost), the rest share another, and the two run in parallel."""
    jobs, fixer_errors = [], {}
    for name in sorted(DRIVERS):
        job, fixer_errors[name] = _prepare(name, tmp_path_factory.mktemp(name))
        jobs.append(job)
    batches = [[j for j in jobs if "plt." in j["driver"]],
               [j for j in jobs if "plt." not in j["driver"]]]
    outcomes: Dict[str, Dict[str, object]] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for part in pool.map(_run_batch, [b for b in batches if b]):
            outcomes.update(part)
    for name, outcome in outcomes.items():
        outcome["limit"] = DRIVERS[name][0]
        outcome["fixer_error"] = fixer_errors[name]
    return outcomes


def test_enough_drivers() -> None:
    assert len(DRIVERS) >= 15
    for name in DRIVERS:
        assert (FIXTURES / f"{name}.py").is_file() and (FIXTURES / f"{name}.fixed.py").is_file(), name


def _variant(behaviour, name: str, variant: str):
    outcome = behaviour[name]
    if "error" in outcome:
        pytest.fail(str(outcome["error"]), pytrace=False)
    if variant == "m_fixer" and outcome["fixer_error"]:
        pytest.fail(f"no fixer output: {outcome['fixer_error']}", pytrace=False)
    results = outcome["results"]
    return results["m_original"], results[variant], outcome["limit"]


VARIANTS = [pytest.param("m_expected", id="expected"), pytest.param("m_fixer", id="fixer")]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_same_behaviour_below_limit(behaviour, name: str, variant: str) -> None:
    original, fixed, _ = _variant(behaviour, name, variant)
    assert fixed["small"] == original["small"]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_bounded_under_load(behaviour, name: str, variant: str) -> None:
    original, fixed, limit = _variant(behaviour, name, variant)
    if limit is None:
        assert fixed["size"] is None
        return
    assert original["size"] > limit, "the driver does not grow the original past the limit"
    assert fixed["size"] <= limit
