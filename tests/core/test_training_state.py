"""PlaneFit.state() / restore(): the exact state that time travel and session files rely on."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.training import MODES, OPTIMIZERS, PlaneFit, TrainConfig


def _cfg(mode: str, optimizer: str) -> TrainConfig:
    return TrainConfig(mode=mode, optimizer=optimizer, lr=0.05)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_restore_then_continue_is_bit_identical(mode, optimizer):
    fit = PlaneFit(config=_cfg(mode, optimizer))
    fit.steps(30)
    saved = fit.state()
    straight = fit.steps(40)
    W1, b1 = fit.weights()
    end = fit.state()

    fit.restore(saved)
    assert fit.step_count == 30
    again = fit.steps(40)
    W2, b2 = fit.weights()
    np.testing.assert_array_equal(straight, again)
    np.testing.assert_array_equal(W1, W2)
    np.testing.assert_array_equal(b1, b2)
    for name, value in end.variables.items():
        np.testing.assert_array_equal(value, fit.state().variables[name], err_msg=name)


def test_restore_into_a_fresh_session_matches():
    a = PlaneFit(config=_cfg("manual", "adam"))
    a.steps(25)
    saved = a.state()
    tail_a = a.steps(25)
    b = PlaneFit(config=TrainConfig())  # different optimizer: restore brings the config too
    b.restore(saved)
    assert b.config == saved.config
    np.testing.assert_array_equal(tail_a, b.steps(25))


def test_state_is_frozen():
    fit = PlaneFit()
    s = fit.state()
    with pytest.raises(ValueError):
        s.variables["W"][0, 0] = 1.0
    with pytest.raises(TypeError):
        s.variables["W"] = np.zeros((1, 2))  # type: ignore[index]


def test_bad_state_changes_nothing():
    fit = PlaneFit(config=_cfg("optimizer", "momentum"))
    fit.steps(10)
    good = fit.state()
    from dataclasses import replace
    for bad, msg in [
        (replace(good, variables={"b": good.variables["b"]}), "no value for W"),
        (replace(good, variables={**good.variables, "W": np.zeros((2, 2), np.float32)}),
         "wrong shape"),
        (replace(good, variables={k: v for k, v in good.variables.items() if k != "W/Momentum"}),
         "W/Momentum"),
    ]:
        with pytest.raises(ValueError, match=msg):
            fit.restore(bad)
        assert fit.step_count == 10
        np.testing.assert_array_equal(fit.weights()[0], good.variables["W"])


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("mode", MODES)
def test_steps_traced_is_steps_plus_the_exact_path(optimizer, mode):
    from gdviz.training import make_plane_data

    cfg = TrainConfig(optimizer=optimizer, mode=mode, lr=0.05)
    a, b = PlaneFit(make_plane_data(), cfg), PlaneFit(make_plane_data(), cfg)
    b.steps(3)
    a.steps(3)
    losses, thetas = a.steps_traced(25)
    for i in range(25):
        W, bb = b.weights()
        np.testing.assert_array_equal(thetas[i], np.r_[np.ravel(W), np.ravel(bb)])
        np.testing.assert_array_equal(losses[i], b.steps(1)[0])
    np.testing.assert_array_equal(a.weights()[0], b.weights()[0])
    assert a.step_count == b.step_count == 28


def test_set_start_starts_there_and_reset_returns_there():
    from gdviz.training import make_plane_data

    fit = PlaneFit(make_plane_data(), TrainConfig(optimizer="momentum", lr=0.05))
    fit.steps(10)
    fit.set_start([1.5, -2.0], [0.25])
    W, b = fit.weights()
    assert fit.step_count == 0 and W.tolist() == [[1.5, -2.0]] and b.tolist() == [0.25]
    assert all(not np.any(v) for k, v in fit.state().variables.items() if "/" in k)   # slots zero
    fit.steps(5)
    fit.reset()
    assert fit.weights()[0].tolist() == [[1.5, -2.0]]
    for bad in (([np.nan, 0], [0]), ([1, 2, 3], [0]), ([1e39, 0], [0])):
        with pytest.raises(ValueError):
            fit.set_start(*bad)
    assert fit.weights()[0].tolist() == [[1.5, -2.0]]
