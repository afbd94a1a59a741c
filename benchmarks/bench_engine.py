"""Engine speed: the tutorial's training step, ``sess.run(train)``, vs hand-written numpy.

Both run in the same process, interleaved (engine block, numpy block, engine block ...), and
the median of the per-block times is reported as µs per step with the ratio engine/numpy:

    python benchmarks/bench_engine.py            # N = 100, 10_000, 1_000_000
    python benchmarks/bench_engine.py --quick    # CI smoke: small N, few repeats

Targets (issue 2): ratio <= 2.0 at N = 100 and <= 1.25 at N = 1e6.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import gdviz.autodiff as tf


def make_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((2, n), dtype=np.float32)
    y = (np.dot([0.100, 0.200], x) + 0.300)
    return x, y


def initial_weights() -> tuple[np.ndarray, np.ndarray]:
    """W, b at step 0 (the same for both sides, so their numbers can be compared)."""
    W = np.random.default_rng(1).uniform(-1, 1, (1, 2)).astype(np.float32)
    return W, np.zeros(1, np.float32)


def engine_step(x_data: np.ndarray, y_data: np.ndarray, with_loss: bool = False):
    """The tutorial's graph; returns a function running one training step.

    ``with_loss`` fetches ``[train, loss]`` (what the app does) instead of ``train`` alone.
    The returned function's ``state()`` gives the current ``(W, b)``.
    """
    W0, b0 = initial_weights()
    graph = tf.Graph()
    with graph.as_default():
        b = tf.Variable(b0)
        W = tf.Variable(W0)
        y = tf.matmul(W, x_data) + b
        loss = tf.reduce_mean(tf.square(y - y_data))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
    run, fetch = sess.run, ([train, loss] if with_loss else train)

    def step():
        run(fetch)
    step.state = lambda: tuple(sess.run([W, b]))
    return step


def numpy_step(x_data: np.ndarray, y_data: np.ndarray):
    """The same math written naturally in numpy (float32 like the engine's graph)."""
    x = x_data
    yd = y_data.astype(np.float32)   # the engine converts y_data to float32 once, at graph building
    n = x.shape[1]
    W, b = initial_weights()
    lr = np.float32(0.5)

    def step():
        nonlocal W, b
        y = W @ x + b
        d = y - yd
        loss = np.mean(d * d)  # noqa: F841 - computed as in the tutorial's loss
        g = d * np.float32(2 / n)
        W -= lr * (g @ x.T)
        b -= lr * g.sum()
    step.state = lambda: (W.copy(), b.copy())
    return step


def time_block(fn, steps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - t0) / steps


def bench(n: int, repeats: int, budget: float, with_loss: bool = False) -> tuple[float, float]:
    x, y = make_data(n)
    eng, ref = engine_step(x, y, with_loss), numpy_step(x, y)
    for f in (eng, ref):   # warm up (compiles the plan, touches memory)
        for _ in range(3):
            f()
    per = time_block(ref, 3)
    steps = max(3, int(budget / repeats / max(per, 1e-7) / 2))
    e_times, n_times = [], []
    for _ in range(repeats):
        e_times.append(time_block(eng, steps))
        n_times.append(time_block(ref, steps))
    return statistics.median(e_times), statistics.median(n_times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke run: small N, few repeats")
    ap.add_argument("--sizes", type=int, nargs="*", default=None, help="N values (default 100 10000 1000000)")
    ap.add_argument("--repeats", type=int, default=None, help="interleaved blocks per N (default 15)")
    args = ap.parse_args(argv)
    sizes = args.sizes or ([100, 10_000] if args.quick else [100, 10_000, 1_000_000])
    repeats, budget = (3, 0.3) if args.quick else (args.repeats or 15, 6.0)
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{'fetch':>14} {'N':>10} {'engine µs/step':>15} {'numpy µs/step':>14} {'ratio':>6}")
    for with_loss in (False, True):
        for n in sizes:
            e, r = bench(n, repeats, budget, with_loss)
            label = "[train, loss]" if with_loss else "train"
            print(f"{label:>14} {n:>10} {e * 1e6:>15.1f} {r * 1e6:>14.1f} {e / r:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
