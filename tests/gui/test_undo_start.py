"""A click on the landscape replaces the run: Edit → Undo new start (Ctrl+Z) puts the run and its
history back, and Edit → Tutorial start returns to the tutorial's own start (issue 20)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from gdviz.training import PlaneFit, TrainConfig, make_plane_data
from gdviz.training.plane_fit import initial_start
from tests.gui.test_landscape_panel import step, window  # noqa: F401  (the fixture)
from tests.gui.windows import barrier, last


def test_ctrl_z_undoes_a_click_on_the_landscape(qtbot, window):  # noqa: F811
    step(qtbot, window, 12)
    before = last(window).snapshot
    panel = window.plane_tab.param_panel
    panel.start_requested.emit(np.array([0.6, -0.4]), np.array([0.1]))   # what a click sends
    barrier(qtbot, window)
    step(qtbot, window, 3)
    assert last(window).snapshot.step == 3
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    barrier(qtbot, window)
    u = last(window)
    assert u.snapshot.step == 12
    np.testing.assert_array_equal(u.snapshot.W, before.W)
    ref = PlaneFit(make_plane_data(), TrainConfig(), init_seed=0)
    expected = ref.steps(12)
    steps, losses = window.loss_view.data()
    np.testing.assert_array_equal(steps, np.arange(13))               # the curve is back
    np.testing.assert_allclose(losses[:-1], expected, rtol=1e-12)
    assert len(panel.plot.path.getData()[0]) == 13                     # and the walked path
    step(qtbot, window, 1)
    ref.steps(1)
    np.testing.assert_array_equal(last(window).snapshot.W, ref.weights()[0])


def test_nothing_to_undo_says_so(qtbot, window):  # noqa: F811
    said = []
    window.controller.message.connect(said.append)
    window.menus.undo_start.trigger()
    barrier(qtbot, window)
    assert any("nothing to undo" in m for m in said)


def test_the_tutorial_start_is_one_action_away(qtbot, window):  # noqa: F811
    window.plane_tab.param_panel.start_requested.emit(np.array([0.6, -0.4]), np.array([0.1]))
    barrier(qtbot, window)
    step(qtbot, window, 2)
    window.menus.tutorial_start.trigger()
    barrier(qtbot, window)
    u = last(window)
    W0, b0 = initial_start(0)
    assert u.snapshot.step == 0 and u.restart
    np.testing.assert_array_equal(u.snapshot.W, W0)
    np.testing.assert_array_equal(u.snapshot.b, b0)
