"""The trading bot as a long-running service: a feed thread, an order loop, per-order requests.

Some of its containers leak, some only look like they do. Static analysis flags them all (see
EXPECTED.txt); `unbounded-lint watch` tells them apart by running the service:

    unbounded-lint watch examples/bot_service.py -- python examples/bot_service.py --seconds 10

Leaks (they grow for as long as the service runs):
- ``Service.fills``: every fill is kept;
- ``Service.seen_order_ids``: the dedup set of order ids, one per order, never forgotten;
- ``LATENCIES``: a module-level list of every order's latency;
- ``feed``'s ``ticks_seen``: a local list in the feed thread's ``while`` loop.

Look-alikes (bounded at run time):
- ``Service.last_price``: keyed by symbol, and there are four symbols;
- ``OrderRequest.events``: a few events per request, and each request is short-lived;
- ``Service.recent``: a sliding window trimmed with ``pop(0)``.
"""

import argparse
import queue
import random
import threading
import time

SYMBOLS = ("ACME", "GLOBEX", "INITECH", "UMBRELLA")
LATENCIES = []


def record_latency(started):
    LATENCIES.append(time.perf_counter() - started)


def feed(quotes, stop, seed):
    """Simulated market data: one quote per symbol per round, until ``stop`` is set."""
    rng = random.Random(seed)
    prices = {symbol: 100.0 for symbol in SYMBOLS}
    ticks_seen = []
    while not stop.is_set():
        for symbol in SYMBOLS:
            prices[symbol] *= 1.0 + rng.gauss(0.0, 0.002)
            ticks_seen.append((symbol, prices[symbol]))
            quotes.put((symbol, prices[symbol]))
        time.sleep(0.002)


class OrderRequest:
    """One order on its way to the (simulated) exchange; lives for one call of ``place``."""

    def __init__(self, order_id, symbol, qty):
        self.order_id = order_id
        self.symbol = symbol
        self.qty = qty
        self.events = []

    def log(self, event):
        self.events.append(event)

    def send(self, price):
        self.log("sent")
        self.log("acked")
        self.log("filled")
        return {"id": self.order_id, "symbol": self.symbol, "qty": self.qty, "price": price}


class Service:
    def __init__(self, window=20):
        self.window = window
        self.fills = []
        self.seen_order_ids = set()
        self.last_price = {}
        self.recent = []
        self.next_id = 0

    def on_quote(self, symbol, price):
        self.last_price[symbol] = price
        self.recent.append(price)
        if len(self.recent) > self.window:
            self.recent.pop(0)
        if price < sum(self.recent) / len(self.recent) * 0.999:
            self.place(symbol, 10, price)

    def place(self, symbol, qty, price):
        started = time.perf_counter()
        self.next_id += 1
        order_id = f"{symbol}-{self.next_id}"
        if order_id in self.seen_order_ids:
            return
        self.seen_order_ids.add(order_id)
        request = OrderRequest(order_id, symbol, qty)
        self.fills.append(request.send(price))
        record_latency(started)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Trading bot service with a simulated feed.")
    parser.add_argument("--seconds", type=float, default=0.0, help="stop after S seconds (0: forever)")
    parser.add_argument("--steps", type=int, default=0, help="stop after N quotes (0: no limit)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    quotes = queue.Queue(maxsize=1000)
    stop = threading.Event()
    thread = threading.Thread(target=feed, args=(quotes, stop, args.seed), daemon=True)
    thread.start()
    service = Service()
    deadline = time.monotonic() + args.seconds if args.seconds > 0 else None
    handled = 0
    try:
        while deadline is None or time.monotonic() < deadline:
            if args.steps and handled >= args.steps:
                break
            try:
                symbol, price = quotes.get(timeout=0.5)
            except queue.Empty:
                continue
            service.on_quote(symbol, price)
            handled += 1
    finally:
        stop.set()
        thread.join()
    print(f"{handled} quotes, {len(service.fills)} fills")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
