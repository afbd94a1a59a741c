"""The runner's cost: PlaneFit stepped by the Qt-free Runner at full speed (chunking, checks,
an Update every ~20 ms) vs ``fit.steps(n)`` in a bare loop, interleaved in one process.

    python benchmarks/bench_runner.py            # 6 blocks of 0.5 s each side
    python benchmarks/bench_runner.py --quick    # CI smoke

Also prints when the default fit stops by itself (auto-stop) and how long that takes at the
default pace, and the two numbers a learner saw after one Step before the loss definition was
unified (pre-update vs post-update loss).
"""

from __future__ import annotations

import argparse
import statistics
import time

from gdviz.training import PlaneFit, make_plane_data
from gdviz.training.pacing import PACING
from gdviz.training.runner import Runner


def bare(fit: PlaneFit, seconds: float) -> float:
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        n += len(fit.steps(50))
        if fit.diverged_at is not None:
            fit.reset()
    return n / (time.perf_counter() - t0)


def with_runner(r: Runner, seconds: float) -> float:
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        k, _ = r.steps_due()
        n += r.run(k).steps
        if r.emit_due(True):
            r.update(playing=True)
    return n / (time.perf_counter() - t0)


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    blocks, secs = (2, 0.1) if a.quick else (6, 0.5)
    data = make_plane_data(100, 0.0, 0)
    f1, f2 = PlaneFit(data, init_seed=0), PlaneFit(data, init_seed=0)
    r = Runner(f2, speed=None)
    from dataclasses import replace
    r.set_convergence(replace(r.convergence, enabled=False))
    b, w = [], []
    for _ in range(blocks):
        b.append(bare(f1, secs))
        w.append(with_runner(r, secs))
    mb, mw = statistics.median(b), statistics.median(w)
    print(f"bare fit.steps   {mb:10.0f} steps/s")
    print(f"runner           {mw:10.0f} steps/s   ratio bare/runner {mb / mw:.3f}")

    fit = PlaneFit(data, init_seed=0)
    r = Runner(fit, speed=None)
    while True:
        k, _ = r.steps_due()
        out = r.run(k)
        if out.stop:
            break
    print(f"auto-stop: {out.converged or out.divergence}")
    print(f"  = {fit.step_count / PACING.default_speed:.0f} s at the default "
          f"{PACING.default_speed:g} steps/s")

    fit = PlaneFit(data, init_seed=0)
    pre = float(fit.steps(1)[0])
    post = float(fit.snapshot().loss)
    print(f"after one Step: old curve readout {pre:.6g} (pre-update), status bar {post:.6g}; "
          f"now both {post:.6g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
