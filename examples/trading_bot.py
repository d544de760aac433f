"""A toy trading bot with a live dashboard, written the way long-running bots often are.

It runs fine for an afternoon and leaks memory for a month: every default-on unbounded-lint
rule (UBL001-UBL006) has a finding in this file. See EXPECTED.txt, or run

    unbounded-lint examples/trading_bot.py

The bot trades fake random-walk prices. Run it for a bounded number of ticks with

    python examples/trading_bot.py --ticks 50
"""

import argparse
import io
import queue
import random
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


class Dashboard:
    """Renders the equity curve to a PNG every few ticks (as a web dashboard would serve it)."""

    def __init__(self):
        self.renders = 0
        self.last_png = b""

    def refresh(self, window, equity):
        fig = plt.figure(figsize=(6, 3))
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(range(len(equity)), equity, label="equity")
        ax.set_title(f"last price window: {len(window)} ticks")
        ax.legend(loc="upper left")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        self.last_png = buf.getvalue()
        self.renders += 1


class TradingBot:
    def __init__(self, symbol, seed=0, window=20):
        self.symbol = symbol
        self.rng = random.Random(seed)
        self.window_size = window
        self.price = 100.0
        self.cash = 10_000.0
        self.position = 0
        self.trades = 0
        self.equity_history = []
        self.quotes = {}
        self.audit_log = queue.Queue()
        self._window = []
        self.running = True
        self.dashboard = Dashboard()

    @lru_cache(maxsize=None)
    def fee(self, qty):
        return 0.5 + 0.01 * abs(qty)

    def next_quote(self, tick):
        self.price = max(1.0, self.price * (1.0 + self.rng.gauss(0.0, 0.01)))
        quote = {"tick": tick, "bid": self.price - 0.01, "ask": self.price + 0.01}
        self.quotes[tick] = quote
        return quote

    def moving_average(self, price):
        self._window.append(price)
        if len(self._window) > self.window_size:
            self._window.pop(0)
        return sum(self._window) / len(self._window)

    def trade(self, qty, price):
        self.cash -= qty * price + self.fee(qty)
        self.position += qty
        self.trades += 1
        self.audit_log.put((self.symbol, qty, round(price, 2)))

    def on_tick(self, tick):
        quote = self.next_quote(tick)
        mid = (quote["bid"] + quote["ask"]) / 2
        average = self.moving_average(mid)
        if mid < average * 0.995 and self.cash > mid * 10:
            self.trade(10, quote["ask"])
        elif mid > average * 1.005 and self.position >= 10:
            self.trade(-10, quote["bid"])
        self.equity_history.append(self.cash + self.position * mid)

    def run(self, ticks=0, refresh_every=10):
        """The service loop: one tick after another until stopped (or after ``ticks``)."""
        tick = 0
        while self.running:
            self.on_tick(tick)
            if tick % refresh_every == 0:
                self.dashboard.refresh(list(self._window), self.equity_history)
            tick += 1
            if ticks and tick >= ticks:
                self.running = False
        return tick


def main(argv=None):
    parser = argparse.ArgumentParser(description="Toy trading bot with a leaky dashboard.")
    parser.add_argument("--ticks", type=int, default=0, help="stop after N ticks (0: forever)")
    parser.add_argument("--refresh-every", type=int, default=10, help="dashboard refresh period")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    bot = TradingBot("ACME", seed=args.seed)
    tick = bot.run(max(args.ticks, 0), args.refresh_every)

    print(
        f"{tick} ticks, {bot.trades} trades, equity {bot.equity_history[-1]:.2f}, "
        f"{bot.dashboard.renders} dashboard renders"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
