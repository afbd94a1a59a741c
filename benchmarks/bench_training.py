"""PlaneFit.steps(n) against the tutorial's bare ``sess.run(train)`` loop, in the same run.

Prints microseconds per step and the ratio PlaneFit / bare for both update modes.  The bare
loop is the tutorial's first program (constant learning rate, default grad_ys); PlaneFit adds
a live learning rate and grad_ys (Variables), the loss fetch and a finiteness check per step.

    python benchmarks/bench_training.py [--points N] [--steps S] [--repeat R]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import gdviz.autodiff as tf
from gdviz.training import PlaneFit, TrainConfig, make_plane_data


def bare_loop(data, steps: int, manual: bool, with_loss: bool) -> float:
    g = tf.Graph()
    with g.as_default():
        b = tf.Variable(tf.zeros([1]))
        W = tf.Variable(np.random.default_rng(0).uniform(-1, 1, (1, 2)).astype(np.float32))
        y = tf.matmul(W, data.x) + b
        loss = tf.reduce_mean(tf.square(y - data.y.astype(np.float32)))
        if manual:
            gW, gb = tf.gradients(loss, [W, b])
            train = [W.assign(W - 0.5 * gW), b.assign(b - 0.5 * gb)]
        else:
            train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        fetch = [train, loss] if with_loss else train
        sess = tf.Session(graph=g)
        sess.run(tf.global_variables_initializer())
    run = sess.run
    for _ in range(20):
        run(fetch)
    t = time.perf_counter()
    for _ in range(steps):
        run(fetch)
    return (time.perf_counter() - t) / steps * 1e6


def planefit_loop(data, steps: int, mode: str) -> float:
    f = PlaneFit(data, TrainConfig(mode=mode))
    f.steps(20)
    t = time.perf_counter()
    f.steps(steps)
    return (time.perf_counter() - t) / steps * 1e6


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--points", type=int, nargs="+", default=[100, 10_000])
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    print(f"{'N':>8} {'mode':>9} {'bare run(train)':>16} {'bare [train,loss]':>18} "
          f"{'PlaneFit.steps':>15} {'ratio':>6}")
    for n in a.points:
        data = make_plane_data(n)
        steps = a.steps if n <= 10_000 else max(50, a.steps * 10_000 // n)
        for mode in ("optimizer", "manual"):
            manual = mode == "manual"
            # best of R, interleaved, so all three loops see the same machine load
            times = [(bare_loop(data, steps, manual, False), bare_loop(data, steps, manual, True),
                      planefit_loop(data, steps, mode)) for _ in range(a.repeat)]
            bare, bare_l, fit = (min(t) for t in zip(*times))
            print(f"{n:>8} {mode:>9} {bare:>14.1f}us {bare_l:>16.1f}us {fit:>13.1f}us "
                  f"{fit / bare:>6.2f}")


if __name__ == "__main__":
    main()
