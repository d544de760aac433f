"""A training loop, written the way notebooks turned scripts often are.

It trains a tiny linear model on synthetic data with plain Python (no framework needed). Some
containers leak, some only look like they do; see EXPECTED.txt, and run

    unbounded-lint watch examples/train_loop.py -- python examples/train_loop.py --steps 3000

Leaks: ``Trainer.history`` (a list per metric, one entry per step), ``Trainer.grad_norms``,
and the progress figures that ``plot_progress`` never closes.
Look-alikes: ``Trainer.best`` (keyed by metric name: two keys), the ``learning_rate`` cache
(two phases), ``Trainer.recent`` (a moving window trimmed with ``pop(0)``) and
``Batch.rows`` (one short-lived batch per step).
"""

import argparse
import io
import math
import random
from collections import defaultdict
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

METRICS = ("loss", "abs_error")


class Batch:
    """One mini-batch; made and dropped every step."""

    def __init__(self):
        self.rows = []

    def add(self, x, y):
        self.rows.append((x, y))


def plot_progress(values):
    fig = plt.figure(figsize=(3, 2))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(values[-200:])
    fig.savefig(io.BytesIO(), format="png")


class Trainer:
    def __init__(self, seed=0, batch_size=8, warmup_steps=100, window=50):
        self.rng = random.Random(seed)
        self.w, self.b = 0.0, 0.0
        self.batch_size = batch_size
        self.warmup_steps = warmup_steps
        self.window = window
        self.history = defaultdict(list)
        self.grad_norms = []
        self.best = {}
        self.recent = []

    @lru_cache(maxsize=None)
    def learning_rate(self, phase):
        return {"warmup": 0.01, "main": 0.05}[phase]

    def make_batch(self):
        batch = Batch()
        for _ in range(self.batch_size):
            x = self.rng.uniform(-1.0, 1.0)
            batch.add(x, 3.0 * x + 0.5 + self.rng.gauss(0.0, 0.1))
        return batch

    def train_step(self, step):
        batch = self.make_batch()
        gw = gb = loss = 0.0
        for x, y in batch.rows:
            err = self.w * x + self.b - y
            loss += err * err / len(batch.rows)
            gw += 2 * err * x / len(batch.rows)
            gb += 2 * err / len(batch.rows)
        lr = self.learning_rate("warmup" if step < self.warmup_steps else "main")
        self.w -= lr * gw
        self.b -= lr * gb
        self.grad_norms.append(math.hypot(gw, gb))
        self.log("loss", loss)
        self.log("abs_error", math.sqrt(loss))
        return loss

    def log(self, metric, value):
        self.history[metric].append(value)
        if value < self.best.get(metric, math.inf):
            self.best[metric] = value
        self.recent.append(value)
        if len(self.recent) > self.window:
            self.recent.pop(0)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Tiny training loop with leaky logging.")
    parser.add_argument("--steps", type=int, default=2000, help="training steps (0: forever)")
    parser.add_argument("--plot-every", type=int, default=250, help="save a progress plot every N steps")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    trainer = Trainer(seed=args.seed)
    step = 0
    while args.steps <= 0 or step < args.steps:
        trainer.train_step(step)
        if args.plot_every and step % args.plot_every == 0:
            plot_progress(trainer.history["loss"])
        step += 1
    print(f"{step} steps, w={trainer.w:.2f}, b={trainer.b:.2f}, best loss {trainer.best['loss']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
