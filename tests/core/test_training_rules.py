"""Update rules written by the learner (gdviz.training.rules), built into the engine's graph."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from gdviz.playground.syntax import ExprError
from gdviz.training import PlaneFit, TrainConfig, make_plane_data
from gdviz.training.rules import parse_rule

NG_BC = (Path(__file__).resolve().parents[2] / "assets" / "rules" / "ng_momentum_bc.rule").read_text()


def numpy_ng_momentum(data, W0, b0, steps, alpha=0.5, beta=0.9, bias_correction=True):
    """The course's loop, by hand in float64: v = beta v + (1 - beta) dW; W -= alpha v / (1 - beta^t)."""
    x, y = np.asarray(data.x, np.float64), np.asarray(data.y, np.float64)
    W, b = np.array(W0, np.float64), np.array(b0, np.float64)
    vW, vb = np.zeros_like(W), np.zeros_like(b)
    for t in range(1, steps + 1):
        r = W @ x + b - y                       # residuals, shape (1, N)
        gW = 2 * r @ x.T / x.shape[1]
        gb = np.array([2 * r.mean()])
        vW, vb = beta * vW + (1 - beta) * gW, beta * vb + (1 - beta) * gb
        c = 1 - beta ** t if bias_correction else 1.0
        W, b = W - alpha * vW / c, b - alpha * vb / c
    return W, b


def test_the_issue_rule_file_runs_and_equals_a_numpy_loop():
    fit = PlaneFit(config=TrainConfig(mode="manual", rule=NG_BC))
    W0, b0 = fit.weights()
    fit.steps(60)
    W, b = fit.weights()
    Wn, bn = numpy_ng_momentum(fit.data, W0, b0, 60)
    np.testing.assert_allclose(W, Wn, rtol=0, atol=2e-5)
    np.testing.assert_allclose(b, bn, rtol=0, atol=2e-5)
    # and it really trained: the fit is close to the tutorial's plane
    np.testing.assert_allclose(W, [[0.1, 0.2]], atol=0.02)


def test_slots_are_state_and_restore_is_exact():
    fit = PlaneFit(config=TrainConfig(mode="manual", rule=NG_BC))
    fit.steps(7)
    s = fit.state()
    assert {"rule/v_W", "rule/v_b", "rule/t"} <= set(s.variables)
    assert float(s.variables["rule/t"]) == 7.0
    assert s.variables["rule/v_W"].shape == (1, 2) and s.variables["rule/v_b"].shape == (1,)
    tail = fit.steps(20)
    fit.restore(s)
    np.testing.assert_array_equal(tail, fit.steps(20))


@pytest.mark.parametrize("optimizer", ["gd"])
def test_a_gd_rule_equals_the_built_in_manual_rule_bit_for_bit(optimizer):
    rule = "W = W - lr * grad_W\nb = b - lr * grad_b\n"
    a = PlaneFit(config=TrainConfig(mode="manual", optimizer=optimizer, rule=rule))
    b = PlaneFit(config=TrainConfig(mode="manual", optimizer=optimizer))
    np.testing.assert_array_equal(a.steps(50), b.steps(50))
    np.testing.assert_array_equal(a.weights()[0], b.weights()[0])


def test_statements_see_the_values_above_them():
    # b is updated with the *new* W: the rule reads W after W's statement
    rule = "W = W * 0\nb = b * 0 + reduce_sum(W)\n"
    fit = PlaneFit(data=make_plane_data(), config=TrainConfig(mode="manual", rule=rule))
    fit.steps(1)
    W, b = fit.weights()
    assert np.all(W == 0) and float(b[0]) == 0.0


def test_lr_is_the_live_learning_rate_and_t_counts_from_one():
    rule = "W = W - lr * grad_W\nb = b * 0 + t\n"
    fit = PlaneFit(config=TrainConfig(mode="manual", rule=rule, lr=0.1))
    fit.steps(3)
    assert float(fit.weights()[1][0]) == 3.0
    fit.configure(replace(fit.config, lr=0.2))   # live: no rebuild
    W_before = fit.weights()[0]
    g = fit.snapshot().grad_W
    fit.steps(1)
    np.testing.assert_allclose(fit.weights()[0], W_before - np.float32(0.2) * g, rtol=1e-6)


@pytest.mark.parametrize("text, line, col, words", [
    ("W = W - lr * grad_V\nb = b\n", 1, 14, "unknown name 'grad_V'"),
    ("W = W\nb = b - lr * grad_W\n", 2, 1, "shape"),
    ("v = 0.9 * v + grad_W\nW = W - v\nb = b\n", 1, 11, "slot"),
    ("x = 1\n", 2, 1, "missing: W, b"),
    ("W = W\n", 2, 1, "missing: b"),
    ("W = W\nb = b\nlr = 0.1\n", 3, 1, "read-only"),
    ("W = W - stop_gradient(grad_W)\nb = b\n", 1, 9, "not available"),
    ("W = W - grad_W ** W\nb = b\n", 1, 16, "'**' takes"),
    ("W = W -\nb = b\n", 1, 8, "expected"),
    ("W = W @ [[1., 0.], [0., 1.], [1., 1.]]\nb = b\n", 1, 7, "MatMul"),
])
def test_rule_errors_are_positioned(text, line, col, words):
    with pytest.raises(ExprError) as e:
        PlaneFit(config=TrainConfig(mode="manual", rule=text))
    assert (e.value.line, e.value.col) == (line, col), str(e.value)
    assert words.lower() in str(e.value).lower()


def test_a_bad_rule_changes_nothing():
    fit = PlaneFit(config=TrainConfig(mode="manual", rule=NG_BC))
    fit.steps(5)
    before = fit.state()
    with pytest.raises(ExprError):
        fit.configure(replace(fit.config, rule="W = W - nope\nb = b\n"))
    assert fit.config.rule == NG_BC and fit.step_count == 5
    for k, v in before.variables.items():
        np.testing.assert_array_equal(v, fit.state().variables[k])


def test_a_rule_needs_manual_mode():
    with pytest.raises(ValueError, match="manual"):
        TrainConfig(mode="optimizer", rule="W = W\nb = b\n").validated()


def test_whole_powers_and_constant_powers_of_t():
    rule = "W = W * 0 + 2 ** t\nb = b * 0 + t ** 2\n"
    fit = PlaneFit(config=TrainConfig(mode="manual", rule=rule))
    fit.steps(3)
    W, b = fit.weights()
    assert np.all(W == 8.0) and float(b[0]) == 9.0


def test_parse_rule_lists_slots_in_order_of_first_read():
    assert parse_rule(NG_BC).slots == ("v_W", "v_b")


def test_the_example_rule_is_the_issues_file():
    from pathlib import Path

    from gdviz.training.rules import EXAMPLE_RULE

    asset = Path(__file__).resolve().parents[2] / "assets" / "rules" / "ng_momentum_bc.rule"
    assert asset.read_text().strip() == EXAMPLE_RULE.strip()
