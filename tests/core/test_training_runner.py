"""The Qt-free runner: pacing, chunking, divergence causes, convergence and Update assembly,
driven directly with a fake clock and a numpy session (no threads, no private attributes)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from gdviz.training.pacing import CONVERGENCE, PACING, Convergence
from gdviz.training.runner import Runner, Session
from gdviz.training.types import TrainConfig
from gdviz.training.verdicts import Cause, ConvergenceWatch, divergence_cause


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class Quad:
    """Least squares on a fixed line fit: PlaneFit's interface in numpy."""

    forward_names = ("MatMul",)
    spec = record = None

    def __init__(self, config=TrainConfig(lr=0.5), noise=0.0):
        rng = np.random.default_rng(0)
        self.x = rng.random((2, 50))
        self.y = np.array([[0.1, 0.2]]) @ self.x + 0.3 + noise * rng.standard_normal(50)
        self.data = "data"
        self.config = config
        self.reset()

    def reset(self):
        self.W, self.b, self.step_count, self.diverged_at = np.array([[-0.5, 0.8]]), 0.0, 0, None

    def _loss(self):
        return float(np.mean((self.W @ self.x + self.b - self.y) ** 2))

    def steps(self, n):
        out = []
        if self.diverged_at is not None:
            return np.zeros(0)
        for _ in range(n):
            with np.errstate(all="ignore"):
                loss = self._loss()
                r = self.W @ self.x + self.b - self.y
                g = self.config.grad_ys * 2 / r.size
                self.W = self.W - self.config.lr * g * (r @ self.x.T)
                self.b = self.b - self.config.lr * g * r.sum()
            out.append(loss)
            if not np.isfinite(loss):
                self.diverged_at = self.step_count
                self.step_count += 1
                break
            self.step_count += 1
        return np.array(out)

    def snapshot(self):
        with np.errstate(all="ignore"):
            return SimpleNamespace(step=self.step_count, loss=self._loss(), W=self.W, b=self.b)

    def weights(self):
        return self.W.copy(), np.array([self.b])

    def configure(self, config):
        self.config = config.validated()

    def set_data(self, data):
        self.data = data


def test_quad_is_a_session_and_junk_is_refused():
    assert isinstance(Quad(), Session)
    with pytest.raises(TypeError, match="Session protocol"):
        Runner(object())
    with pytest.raises(ValueError, match="at least one"):
        Runner([])


def test_one_loss_definition_each_update_ends_with_the_current_state():
    q = Quad()
    r = Runner(q, clock=Clock())
    u0 = r.update(playing=False, restart=True)
    assert (u0.first_step, len(u0.losses)) == (0, 1)
    r.run(1)
    u1 = r.update(playing=False)
    # after one Step: the point of step 1 is the loss of the state after 1 update
    assert u1.first_step == 1 and u1.snapshot.step == 1
    assert u1.losses[-1] == pytest.approx(q._loss()) == pytest.approx(u1.snapshot.loss)
    r.run(5)
    r.run(4)
    u2 = r.update(playing=True)
    assert u2.first_step == 2 and u2.snapshot.step == 10 and len(u2.losses) == 9
    # the loss at step k recomputed from scratch: k updates from the start
    ref = Quad()
    for k in range(2, 11):
        ref.reset()
        ref.steps(k)
        assert u2.losses[k - 2] == pytest.approx(ref._loss(), rel=1e-12)


def test_command_without_steps_resends_the_current_point():
    q = Quad()
    r = Runner(q, clock=Clock())
    r.update(False, restart=True)
    r.run(3)
    r.update(False)
    q.configure(TrainConfig(lr=0.1))
    u = r.update(False)
    assert u.first_step == 3 and len(u.losses) == 1 and not r.has_news()


def test_reset_restarts_at_step_zero():
    q = Quad()
    r = Runner(q, clock=Clock())
    r.run(7)
    r.update(False)
    q.reset()
    r.after_reset()
    u = r.update(False, restart=True)
    assert u.restart and u.first_step == 0 and u.losses.tolist() == [pytest.approx(q._loss())]


def test_paced_steps_follow_the_clock_and_cap_bursts():
    clock = Clock()
    q = Quad()
    r = Runner(q, speed=5.0, clock=clock)
    assert r.steps_due() == (0, pytest.approx(0.2))
    clock.t += 0.21
    assert r.steps_due() == (1, 0.0)
    r.run(1)
    assert r.steps_due() == (0, pytest.approx(0.19))
    clock.t += 0.2
    assert r.steps_due() == (1, 0.0)
    r.run(1)
    clock.t += 60  # a long stall: at most burst_s worth, never 300 steps at once
    n, _ = r.steps_due()
    assert n <= max(1, int(5.0 * PACING.burst_s))


def test_log_interval_grows_tenfold_above_1000_steps_per_s():
    r = Runner(Quad(), speed=500.0, clock=Clock())
    assert r.log_interval() == 20
    r.set_speed(5000.0)
    assert r.log_interval() == 200
    r.set_speed(None)
    r.per_step_s = 1e-5  # max speed at 100k steps/s
    assert r.log_interval() == 2000
    with pytest.raises(ValueError, match="speed"):
        r.set_speed(-1.0)
    assert r.speed is None


def test_chunks_end_on_log_lines():
    clock = Clock()
    r = Runner(Quad(), speed=500.0, clock=clock)
    lines = []
    while r.session.step_count < 61:
        clock.t += 1.0  # far behind: bursts of burst_s worth, cut at each log line
        n, _ = r.steps_due()
        assert 1 <= n <= 50
        r.run(n)
        lines += r.update(True).log
    assert [line.step for line in lines][:4] == [0, 20, 40, 60]


@pytest.mark.parametrize("grad_ys, lr, cause, words", [
    (-1.0, 0.5, Cause.ASCENT, "grad_ys is negative"),
    (1.0, 50.0, Cause.LEARNING_RATE, "lower the learning rate"),
])
def test_divergence_names_its_real_cause(grad_ys, lr, cause, words):
    q = Quad(TrainConfig(lr=lr, grad_ys=grad_ys))
    r = Runner(q, clock=Clock())
    out = None
    for _ in range(20000):
        out = r.run(50)
        if out.stop:
            break
    d = out.divergence
    assert d is not None and d.step == q.diverged_at and not np.isfinite(d.loss)
    assert divergence_cause(q.config) is cause
    assert f"step {d.step}" in d.message and words in d.message
    other = "lower the learning rate" if cause is Cause.ASCENT else "grad_ys is negative"
    assert other not in d.message


def test_converged_fit_stops_with_a_message_and_can_be_told_not_to():
    r = Runner(Quad(noise=0.05), clock=Clock())
    out = None
    for _ in range(200):
        out = r.run(100)
        if out.stop:
            break
    assert out.converged and "Converged at step" in out.converged and out.divergence is None
    r2 = Runner(Quad(noise=0.05), convergence=replace(CONVERGENCE, enabled=False), clock=Clock())
    assert not any(r2.run(100).stop for _ in range(100))


def test_convergence_watch_patience_and_floor():
    w = ConvergenceWatch(Convergence(rel_tol=1e-3, patience=3, abs_tol=1e-9))
    assert w.feed([1.0, 0.5, 0.25]) is None
    assert w.feed([0.25, 0.25, 0.25]) == 2
    w.reset()
    assert w.feed([1.0, 0.0]) == 1


def test_lockstep_sessions_step_together_and_report_each():
    a, b = Quad(TrainConfig(lr=0.5)), Quad(TrainConfig(lr=0.1))
    r = Runner([a, b], clock=Clock())
    r.run(10)
    ua, ub = r.updates(playing=True, restart=True)
    assert a.step_count == b.step_count == 10
    assert ua.snapshot.step == ub.snapshot.step == 10
    assert ua.losses[-1] < ub.losses[-1]  # the larger stable rate is ahead


def test_plane_fit_is_a_session_and_the_runner_drives_it():
    from gdviz.training import PlaneFit, make_plane_data

    fit = PlaneFit(make_plane_data(30, 0.0, 0), init_seed=0)
    assert isinstance(fit, Session)
    r = Runner(fit, clock=Clock())
    r.run(4)
    u = r.update(False, restart=True)
    assert u.snapshot.step == 4 and u.losses[-1] == pytest.approx(fit.snapshot().loss)


def test_bench_runner_quick_runs(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_runner.py"
    spec = importlib.util.spec_from_file_location("bench_runner", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "ratio bare/runner" in out and "Converged at step" in out
