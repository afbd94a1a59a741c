"""The Parameter-space panel over the real engine: every drawn number is the engine's."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gdviz.training import PlaneFit, TrainConfig, make_plane_data
from gdviz.training import landscape as ls
from tests.gui.windows import barrier, last, open_param_space_window

DATA = make_plane_data()


@pytest.fixture
def window(qtbot):
    w = open_param_space_window(qtbot)
    yield w
    w.close()


def configure(qtbot, w, **changes):
    cfg = replace(last(w).config, **changes)
    w.on_config_requested(cfg)
    barrier(qtbot, w)
    return cfg


def step(qtbot, w, n):
    for _ in range(n):
        w.controller.step()
    barrier(qtbot, w)


def theta(fit):
    W, b = fit.weights()
    return np.r_[np.ravel(W), np.ravel(b)].astype(np.float64)


def test_heatmap_values_are_the_engines_loss(qtbot, window):
    step(qtbot, window, 3)
    plot, panel = window.plane_tab.param_panel.plot, window.plane_tab.param_panel
    (xs, ys), grid = plot.grid_axes, plot.grid_loss
    from gdviz.gui.landscape.view import SliceGeometry
    geo = SliceGeometry(panel.land, "W1–W2", panel.theta)
    for i, j in [(0, 0), (64, 10), (127, 127), (30, 90)]:
        th = geo.to_theta(xs[j], ys[i])
        fit = PlaneFit(DATA, TrainConfig())
        fit.set_start(th[:2], th[2:])
        assert grid[i, j] == pytest.approx(fit.snapshot().loss, rel=2e-5, abs=1e-9)


def test_drawn_path_is_the_runs_trajectory(qtbot, window):
    step(qtbot, window, 12)
    ref = PlaneFit(DATA, TrainConfig(), init_seed=0)
    expected = [theta(ref)]
    for _ in range(12):
        ref.steps(1)
        expected.append(theta(ref))
    x, y = window.plane_tab.param_panel.plot.path.getData()
    np.testing.assert_array_equal(x, np.array(expected)[:, 0])
    np.testing.assert_array_equal(y, np.array(expected)[:, 1])


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_arrows_are_the_engines_gradient_and_slots(qtbot, window, optimizer):
    cfg = configure(qtbot, window, optimizer=optimizer, lr=0.05, momentum=0.9)
    step(qtbot, window, 4)
    snap = last(window).snapshot
    g = np.r_[np.ravel(snap.grad_W), np.ravel(snap.grad_b)]
    arrows = window.plane_tab.param_panel.plot.arrow_values
    ref = PlaneFit(DATA, cfg, init_seed=0)
    ref.steps(4)
    before = theta(ref)
    ref.steps(1)
    next_step = theta(ref) - before
    if optimizer == "gd":
        np.testing.assert_allclose(arrows["gradient"], -0.05 * g, rtol=1e-6)
        np.testing.assert_allclose(arrows["gradient"], next_step, rtol=1e-4, atol=1e-7)
    else:  # velocity + gradient, tip to tail, is exactly the next step the engine takes
        np.testing.assert_allclose(arrows["velocity"] + arrows["gradient"], next_step, rtol=1e-4, atol=1e-7)
    assert "step" in arrows


def test_ghost_path_equals_the_real_run(qtbot, window):
    step(qtbot, window, 5)
    panel = window.plane_tab.param_panel
    cfg = replace(last(window).config, lr=0.3)
    ghost = panel.preview(cfg)
    configure(qtbot, window, lr=0.3)
    ref = PlaneFit(DATA, TrainConfig(), init_seed=0)
    ref.steps(5)
    ref.configure(cfg)
    _, path = ref.steps_traced(300)
    np.testing.assert_array_equal(ghost[:-1], path)
    np.testing.assert_array_equal(ghost[-1], theta(ref))


def test_a_click_sets_where_training_starts(qtbot, window):
    panel = window.plane_tab.param_panel
    plot = panel.plot
    vb = plot.getPlotItem().getViewBox()
    target = QPointF(0.6, -0.4)
    pos = plot.mapFromScene(vb.mapViewToScene(target))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    barrier(qtbot, window)
    u = last(window)
    assert u.snapshot.step == 0 and u.restart
    W = np.ravel(u.snapshot.W)
    assert W[0] == pytest.approx(0.6, abs=0.02) and W[1] == pytest.approx(-0.4, abs=0.02)
    step(qtbot, window, 1)
    assert last(window).snapshot.step == 1


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "rmsprop", "adam"])
def test_scrub_back_and_continue_is_bit_identical(qtbot, window, optimizer):
    cfg = configure(qtbot, window, optimizer=optimizer, lr=0.05)
    step(qtbot, window, 40)
    window.controller.goto(17)
    barrier(qtbot, window)
    assert last(window).snapshot.step == 17 and last(window).jumped
    step(qtbot, window, 10)
    ref = PlaneFit(DATA, cfg, init_seed=0)
    ref.steps(27)
    W, b = ref.weights()
    np.testing.assert_array_equal(last(window).snapshot.W, W)
    np.testing.assert_array_equal(last(window).snapshot.b, b)
    steps, _ = window.loss_view.data()
    assert steps[-1] == 27 and len(steps) == 28


def test_stability_band_and_optimal_lr(qtbot, window):
    panel = window.plane_tab.param_panel
    configure(qtbot, window, optimizer="gd", lr=0.5)
    assert "oscillating" in panel.band.text()
    configure(qtbot, window, lr=0.7)
    assert "divergent" in panel.band.text()
    panel.optimal.click()
    barrier(qtbot, window)
    assert last(window).config.lr == pytest.approx(ls.lr_optimal_gd(ls.analyze(DATA).eigenvalues))
    assert window.controls.config().lr == pytest.approx(last(window).config.lr)


def test_the_conditioning_lesson_reports_kappa_and_maps_back(qtbot, window):
    panel = window.plane_tab.param_panel
    panel.conditioning.setCurrentText("standardise x")
    assert panel.cond_result is not None
    path, k0, k1, s0, s1 = panel.cond_result
    assert k0 == pytest.approx(23.8, abs=0.1) and k1 < 2 and s1 < s0
    np.testing.assert_allclose(path[-1], ls.analyze(DATA).theta_star, atol=2e-5)   # original units
    assert "condition number 23.8 → 1.65" in panel.band.text()
    x, _ = panel.plot.conditioned.getData()
    assert x is not None and len(x) == len(path)


def test_beside_or_in_place_of_the_3d_view(qtbot, window):
    t = window.plane_tab
    window.act_beside.setChecked(True)
    qtbot.waitUntil(lambda: t.param_panel.isVisible() and t.plane_view.isVisible())
    step(qtbot, window, 3)
    assert len(last(window).path) == 1                      # traced while shown beside
    window.act_beside.setChecked(False)
    t.space_tabs.setCurrentWidget(t.plane_view)
    qtbot.waitUntil(lambda: not t.param_panel.isVisible())
    step(qtbot, window, 1)
    assert len(last(window).path) == 0                      # hidden: no tracing cost
