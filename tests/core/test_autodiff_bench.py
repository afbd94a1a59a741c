"""The engine benchmark runs (smoke only: no timing asserts in tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_engine.py"


def load():
    spec = importlib.util.spec_from_file_location("bench_engine", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_quick_run_prints_a_row_per_size_and_fetch(capsys):
    bench = load()
    assert bench.main(["--quick", "--sizes", "50", "--repeats", "1"]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip().endswith(tuple("0123456789"))]
    assert len([r for r in rows if " 50 " in r]) == 2


def test_engine_and_numpy_steps_compute_the_same_update():
    """The benchmark compares like with like: both sides reach the same W, b."""
    bench = load()
    x, y = bench.make_data(64)
    eng, ref = bench.engine_step(x, y), bench.numpy_step(x, y)
    for _ in range(20):
        eng()
        ref()
    for a, b in zip(eng.state(), ref.state()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
