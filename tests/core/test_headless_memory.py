"""The headless run's memory is bounded (issue 20.8) and its lines are numpy's text, batched."""

import argparse
import io

import numpy as np
import pytest

from gdviz import cli
from gdviz.files_cli import prepare_fit
from gdviz.lines_cli import LineBuffer, array_text
from gdviz.training import TrainConfig


class _FastFit:
    """Steps at numpy speed, so 10^7 steps run in a test (no timing is asserted)."""
    diverged_at = None

    def __init__(self):
        self.step_count = 0

    def steps(self, n):
        out = 1.0 / (1.0 + np.arange(self.step_count, self.step_count + n, dtype=np.float64))
        self.step_count += n
        return out


def _args(**kw):
    base = dict(data=None, load_session=None, points=100, noise=0.0, seed=0)
    return argparse.Namespace(**{**base, **kw})


def test_the_cli_history_stays_bounded_after_many_steps():
    _, _, history = prepare_fit(_args(), TrainConfig())
    assert history.count == 0
    sink = LineBuffer(io.StringIO(), history)
    fit = _FastFit()
    cli._advance(fit, sink, 10**5)
    sink.flush()
    small = history.nbytes
    cli._advance(fit, sink, 10**7 - 10**5)
    sink.flush()
    assert history.count == 10**7
    # 10^7 steps as a list of floats held >= 80 MB; the history keeps its ring and ~0.5 B/step
    assert history.nbytes < small + 10**7
    assert history.nbytes < 8 * 10**6


def test_line_buffer_writes_whole_lines_in_batches():
    writes = []

    class Out:
        def write(self, text):
            writes.append(text)

    buf = LineBuffer(Out(), type("H", (), {"extend": lambda self, v: None})(), batch=100)
    for i in range(250):
        buf.line(f"line {i}")
    buf.flush()
    assert len(writes) == 3 and all(w.endswith("\n") for w in writes)
    assert "".join(writes).splitlines() == [f"line {i}" for i in range(250)]


@pytest.mark.parametrize("seed", range(6))
def test_array_text_is_numpys_text(seed):
    rng = np.random.default_rng(seed)
    scales = [1e-6, 1e-4, 1e-3, 0.1, 1.0, 7.0, 123.0, 1e5, 1e6, 1e7]
    for _ in range(400):
        k = int(rng.integers(1, 3))
        v = (rng.standard_normal(k) * rng.choice(scales, k)).astype(np.float32)
        if rng.random() < 0.1:
            v[0] = rng.choice([0.0, -0.0, np.inf, -np.inf, np.nan, 0.5, 1.0, -1.0])
        for a in (v.reshape(1, -1), v):
            assert array_text(a) == str(a), repr(a)


def test_headless_lines_are_the_tutorials(capsys):
    assert cli.main(["--headless", "--steps", "300", "--every", "1"]) == 0
    got = capsys.readouterr().out.splitlines()
    from gdviz.training.plane_fit import new_plane_fit

    fit = new_plane_fit(TrainConfig(), 100, 0.0, 0)
    want = []
    for step in range(300):
        fit.steps(1)
        W, b = fit.weights()
        want.append(f"{step} {W} {b}")
    assert got == want
