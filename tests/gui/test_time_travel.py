"""Time travel in the Parameter-space panel (issue 20, Confusing): a step back keeps the walked
path drawn, and a click on the timeline's groove moves the state as a drag does."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt

from gdviz.training import PlaneFit, TrainConfig, make_plane_data
from tests.gui.test_landscape_panel import step, window  # noqa: F401  (the fixture)
from tests.gui.windows import barrier, last


def theta(fit):
    W, b = fit.weights()
    return np.r_[np.ravel(W), np.ravel(b)]


def test_a_step_back_keeps_the_walked_path(qtbot, window):  # noqa: F811
    step(qtbot, window, 12)
    panel = window.plane_tab.param_panel
    panel.back.click()                       # Alt+Left
    barrier(qtbot, window)
    assert last(window).snapshot.step == 11 and last(window).jumped
    ref = PlaneFit(make_plane_data(), TrainConfig(), init_seed=0)
    expected = [theta(ref)]
    for _ in range(11):
        ref.steps(1)
        expected.append(theta(ref))
    x, y = panel.plot.path.getData()
    np.testing.assert_array_equal(x, np.array(expected)[:, 0])
    np.testing.assert_array_equal(y, np.array(expected)[:, 1])
    step(qtbot, window, 2)                    # and it grows on from there
    assert len(panel.plot.path.getData()[0]) == 14


def test_a_click_on_the_timeline_groove_moves_the_state(qtbot, window):  # noqa: F811
    step(qtbot, window, 40)
    tl = window.plane_tab.param_panel.timeline
    assert tl.value() == 40
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(8, tl.height() // 2))   # left of the handle
    barrier(qtbot, window)
    assert tl.value() < 40
    assert last(window).snapshot.step == tl.value() and last(window).jumped
