"""Time travel is exact: scrub back, continue, and the numbers equal an uninterrupted run."""

import numpy as np
import pytest

from gdviz.training import MODES, OPTIMIZERS, PlaneFit, TrainConfig, make_plane_data
from gdviz.training.timeline import Timeline

DATA = make_plane_data()


def run_with_timeline(fit, tl, n, chunk=37):
    tl.observe(fit)
    while fit.step_count < n:
        fit.steps(min(chunk, tl.due(fit.step_count), n - fit.step_count))
        tl.observe(fit)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("mode", MODES)
def test_scrub_back_and_continue_equals_never_leaving(optimizer, mode):
    cfg = TrainConfig(optimizer=optimizer, mode=mode, lr=0.05)
    fit, tl = PlaneFit(DATA, cfg), Timeline(every=16, max_checkpoints=8)
    run_with_timeline(fit, tl, 300)
    assert tl.goto(fit, 123) == 123
    tl.forget_after(123)
    after = fit.steps(77)
    straight = PlaneFit(DATA, cfg)
    ref = straight.steps(200)
    np.testing.assert_array_equal(after, ref[123:])
    for name, v in straight.state().variables.items():
        np.testing.assert_array_equal(fit.state().variables[name], v)


def test_memory_is_bounded_and_the_spacing_doubles():
    fit, tl = PlaneFit(DATA, TrainConfig(lr=0.01)), Timeline(every=4, max_checkpoints=8)
    run_with_timeline(fit, tl, 1000)
    assert len(tl) <= 9 and tl.every >= 128
    assert tl.goto(fit, 999) == 999                    # still reachable, by a longer replay


def test_a_configuration_change_is_never_replayed_across():
    fit, tl = PlaneFit(DATA, TrainConfig(lr=0.5)), Timeline(every=64)
    run_with_timeline(fit, tl, 100)
    fit.configure(TrainConfig(lr=0.1))
    tl.observe(fit, pin=True)
    run_with_timeline(fit, tl, 150)
    W_150 = fit.weights()[0].copy()
    tl.goto(fit, 10)
    tl.goto(fit, 150)
    np.testing.assert_array_equal(fit.weights()[0], W_150)
    assert fit.config.lr == 0.1


def test_going_before_any_checkpoint_is_refused():
    fit, tl = PlaneFit(DATA), Timeline()
    with pytest.raises(ValueError, match="no saved state"):
        tl.goto(fit, 5)


def test_replay_traced_rebuilds_the_whole_history_across_a_change():
    fit, tl = PlaneFit(DATA, TrainConfig(lr=0.5)), Timeline(every=16)
    run_with_timeline(fit, tl, 40)
    fit.configure(TrainConfig(lr=0.1, optimizer="momentum"))
    tl.observe(fit, pin=True)
    run_with_timeline(fit, tl, 90)
    scratch = PlaneFit(DATA, TrainConfig())
    losses, thetas = tl.replay_traced(scratch, 90)
    ref = PlaneFit(DATA, TrainConfig(lr=0.5))
    ref_l, ref_t = ref.steps_traced(40)
    ref.configure(TrainConfig(lr=0.1, optimizer="momentum"))
    l2, t2 = ref.steps_traced(50)
    np.testing.assert_array_equal(losses, np.r_[ref_l, l2])
    np.testing.assert_array_equal(thetas, np.r_[ref_t, t2])
