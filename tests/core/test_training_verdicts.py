"""Banners that name the real cause: lr × grad_ys for a divergence, and "nothing is learning"
(grad_ys 0, every gradient cut) instead of "Converged" (issue 20, Confusing)."""

from __future__ import annotations

import pytest

from gdviz.training import PlaneFit, make_plane_data
from gdviz.training.runner import Runner
from gdviz.training.types import TrainConfig
from gdviz.training.verdicts import converged_message, divergence_message, stalled_reason


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def run_until_stop(fit, limit=400):
    r = Runner(fit, clock=Clock())
    for _ in range(limit):
        out = r.run(50)
        if out.stop:
            return out
    raise AssertionError("the run never stopped")


def test_divergence_with_grad_ys_names_lr_times_grad_ys():
    fit = PlaneFit(make_plane_data(100, 0.0, 0), TrainConfig(lr=0.5, grad_ys=2.0), init_seed=0)
    out = run_until_stop(fit)
    msg = out.divergence.message
    assert "lr × grad_ys = 0.5 × 2 = 1" in msg
    assert "lower the learning rate or grad_ys" in msg


def test_divergence_without_grad_ys_keeps_the_learning_rate_hint():
    msg = divergence_message(3, float("inf"), lr_limit=0.6, lr=0.7, grad_ys=1.0)
    assert "the learning rate is above the stability limit (0.6" in msg and "grad_ys" not in msg


@pytest.mark.parametrize("config, words", [
    (TrainConfig(grad_ys=0.0), "grad_ys is 0"),
    (TrainConfig(mode="manual", stop_gradients=("add",)), "stop_gradients (add) cut every gradient"),
])
def test_nothing_learning_is_not_called_converged(config, words):
    fit = PlaneFit(make_plane_data(100, 0.0, 0), config, init_seed=0)
    out = run_until_stop(fit)
    assert out.divergence is None and out.converged
    assert "Nothing is learning" in out.converged and words in out.converged
    assert "Converged" not in out.converged and "stopped changing" not in out.converged


def test_a_real_convergence_is_still_converged():
    fit = PlaneFit(make_plane_data(100, 0.05, 0), TrainConfig(lr=0.5), init_seed=0)
    out = run_until_stop(fit, 4000)
    assert stalled_reason(fit) is None
    assert out.converged.startswith("Converged at step")


def test_a_stalled_message_needs_a_reason():
    assert converged_message(5, 1.0).startswith("Converged at step 5")
    assert converged_message(5, 1.0, stalled="grad_ys is 0").startswith("Nothing is learning")
