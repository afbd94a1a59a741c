"""The parameter space, exactly: every number checked against the engine."""

import numpy as np
import pytest

from gdviz.training import PlaneFit, TrainConfig, make_plane_data
from gdviz.training import landscape as ls

DATA = make_plane_data()
LAND = ls.analyze(DATA)


def engine_loss(theta):
    """The engine's own loss at θ (a fresh PlaneFit, weights restored there)."""
    fit = PlaneFit(DATA, TrainConfig())
    st = fit.state()
    vars_ = dict(st.variables)
    vars_["W"] = np.asarray(theta[:2], np.float32).reshape(1, 2)
    vars_["b"] = np.asarray(theta[2:], np.float32).reshape(1)
    from dataclasses import replace
    fit.restore(replace(st, variables=vars_))
    return fit.snapshot().loss, fit.snapshot()


def test_the_default_data_facts():
    np.testing.assert_allclose(LAND.eigenvalues, [0.1368, 0.1391, 3.252], atol=5e-4)
    assert LAND.condition_number == pytest.approx(23.8, abs=0.1)
    np.testing.assert_allclose(LAND.theta_star, [0.1, 0.2, 0.3], atol=1e-6)
    assert LAND.min_loss < 1e-20


@pytest.mark.parametrize("theta", [[0.0, 0.0, 0.0], [0.5, -0.3, 1.2], [-2.0, 3.0, 0.1]])
def test_the_quadratic_form_is_the_engines_loss_and_gradient(theta):
    loss, snap = engine_loss(np.array(theta))
    assert LAND.loss(theta) == pytest.approx(loss, rel=1e-5)
    g = LAND.gradient(theta)
    np.testing.assert_allclose(g[:2], np.ravel(snap.grad_W), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(g[2], np.ravel(snap.grad_b)[0], rtol=1e-4, atol=1e-6)


def run(optimizer, lr, m=0.9, steps=3000):
    fit = PlaneFit(DATA, TrainConfig(optimizer=optimizer, lr=lr, momentum=m))
    l0 = fit.snapshot().loss
    losses = fit.steps(steps)
    return l0, losses


@pytest.mark.parametrize("optimizer", ls.LINEAR)
@pytest.mark.parametrize("m", [0.5, 0.9])
def test_each_lr_limit_holds_in_the_engine(optimizer, m):
    limit = ls.lr_limits(LAND.eigenvalues, m)[optimizer]
    l0, below = run(optimizer, 0.98 * limit, m)
    assert np.isfinite(below).all() and below[-1] < 1e-6 * l0          # converges at 0.98x
    l0, above = run(optimizer, 1.02 * limit, m)
    assert not np.isfinite(above[-1]) or above[-1] > 1e3 * l0           # diverges at 1.02x
    assert ls.band(optimizer, 0.98 * limit, m, LAND.eigenvalues) != "divergent"
    assert ls.band(optimizer, 1.02 * limit, m, LAND.eigenvalues) == "divergent"


def measured_rate(losses):
    """Per-step error factor from the engine's losses: loss - L* ~ rate^(2k) late in the run."""
    ok = np.flatnonzero((losses < 1e-4) & (losses > 1e-11))
    a, b = ok[0], ok[-1]
    return (losses[b] / losses[a]) ** (1 / (2 * (b - a)))


@pytest.mark.parametrize("optimizer,lr,m", [("gd", 0.3, 0.0), ("gd", "optimal", 0.0),
                                            ("momentum", "optimal", None), ("nesterov", 0.05, 0.5)])
def test_predicted_rates_are_the_engines(optimizer, lr, m):
    lam = LAND.eigenvalues
    if lr == "optimal":
        lr, m2 = (ls.lr_optimal_gd(lam), 0.0) if optimizer == "gd" else ls.momentum_optimal(lam)
        m = m if m is not None else m2
    _, losses = run(optimizer, lr, m, steps=1500)
    # the optimal heavy ball is critically damped (a double root: error ~ k r^k), and its fast
    # descent leaves only ~20 steps to measure, so its estimate runs a little high
    tol = 0.03 if optimizer == "momentum" else 0.01
    assert measured_rate(losses) == pytest.approx(ls.rate(optimizer, lr, m, lam), abs=tol)


def test_the_optimal_settings_are_the_fastest():
    lam = LAND.eigenvalues
    best = ls.lr_optimal_gd(lam)
    assert all(ls.rate("gd", best, 0, lam) <= ls.rate("gd", lr, 0, lam) + 1e-12
               for lr in np.linspace(0.05, 0.6, 56))
    lr, m = ls.momentum_optimal(lam)
    r = ls.rate("momentum", lr, m, lam)
    assert r < ls.rate("gd", best, 0, lam)                     # heavy ball beats the best GD
    grid = ls.rate_map("momentum", np.linspace(0.1, 2.0, 20), np.linspace(0.0, 0.95, 20), lam)
    assert r <= grid.min() + 1e-3


def test_no_linear_limit_for_adaptive_optimizers():
    assert ls.band("adam", 0.5, 0.9, LAND.eigenvalues) == "no linear limit"
    with pytest.raises(ValueError, match="not a linear"):
        ls.rate("rmsprop", 0.1, 0.9, LAND.eigenvalues)


def test_bands_along_lr_for_gd():
    bands = ls.bands_along_lr("gd", 0.0, LAND.eigenvalues, 1.0)
    kinds = [b for _, _, b in bands]
    assert kinds == ["monotone", "oscillating", "divergent"]
    assert bands[0][1] == pytest.approx(1 / LAND.eigenvalues[-1], abs=0.003)
    assert bands[1][1] == pytest.approx(2 / LAND.eigenvalues[-1], abs=0.003)


@pytest.mark.parametrize("kind", ls.SLICES)
def test_slice_grid_values_are_the_engines_loss(kind):
    theta = np.array([0.3, -0.2, 0.5])
    s, t, L = ls.slice_grid(LAND, theta, kind, half=1.0, n=9)
    u, v, _ = ls.slice_directions(kind, LAND)
    for i, j in [(0, 0), (4, 4), (8, 1), (2, 7)]:
        loss, _ = engine_loss(theta + s[i] * u + t[j] * v)
        assert L[i, j] == pytest.approx(loss, rel=1e-4)
    assert L[4, 4] == pytest.approx(LAND.loss(theta))          # the current point lies on the slice


def test_contours_are_level_sets():
    theta = np.array([0.3, -0.2, 0.5])
    for kind in ls.SLICES:
        u, v, _ = ls.slice_directions(kind, LAND)
        pts = ls.slice_contours(LAND, theta, kind, [0.05, 0.2])
        pts = pts[np.isfinite(pts).all(axis=1)]
        vals = LAND.loss(theta + pts[:, :1] * u + pts[:, 1:] * v)
        assert np.all(np.isclose(vals, 0.05, rtol=1e-9) | np.isclose(vals, 0.2, rtol=1e-9))


def test_facts_json_shape():
    f = ls.facts(DATA, momentum=0.9)
    assert set(f) >= {"optimum", "min_loss", "hessian_eigenvalues", "condition_number", "lr_limit",
                      "lr_optimal", "momentum_optimal"}
    assert f["lr_limit"]["gd"] == pytest.approx(0.615, abs=0.001)
    assert f["lr_limit"]["nesterov"] == pytest.approx(2 * 1.9 / (2.8 * 3.252), abs=0.002)
    assert f["hessian_eigenvalues"] == sorted(f["hessian_eigenvalues"])


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_the_vectorised_rate_map_equals_the_matrix_roots(optimizer):
    lam = LAND.eigenvalues
    lrs, ms = np.linspace(0.05, 1.5, 7), np.linspace(0, 0.95, 5)
    grid = ls.rate_map(optimizer, lrs, ms, lam)
    for i, lr in enumerate(lrs):
        for j, m in enumerate(ms):
            assert grid[i, j] == pytest.approx(ls.rate(optimizer, lr, m, lam), rel=1e-9)
