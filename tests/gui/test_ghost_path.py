"""Issue 20.1: the ghost ("next 300 steps") appears after every change of lr, momentum or start,
and stays until the run moves past it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gdviz.gui.landscape.panel import GHOST_STEPS
from tests.gui.windows import barrier, last, open_param_space_window


@pytest.fixture
def window(qtbot):
    w = open_param_space_window(qtbot)
    yield w
    w.close()


def ghost_drawn(w) -> bool:
    panel = w.plane_tab.param_panel
    x, _ = panel.plot.ghost.getData()
    return panel.ghost is not None and x is not None and len(x) > 1


def settle(qtbot, w, **config):
    """Wait for the engine's Updates after a change: until the newest carries ``config``."""
    barrier(qtbot, w)
    qtbot.waitUntil(lambda: all(getattr(last(w).config, k) == pytest.approx(v) for k, v in config.items()),
                    timeout=10000)
    barrier(qtbot, w)


def type_lr(qtbot, w, text: str) -> None:
    box = w.controls.optimizer_form.lr
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


@pytest.mark.parametrize("steps", [0, 7])
def test_typed_lr_draws_the_ghost_and_it_stays(qtbot, window, steps):
    for _ in range(steps):
        window.controller.step()
    barrier(qtbot, window)
    type_lr(qtbot, window, "0.2")
    settle(qtbot, window, lr=0.2)
    assert ghost_drawn(window)
    panel = window.plane_tab.param_panel
    assert len(panel.ghost) == GHOST_STEPS + 1
    assert np.allclose(panel.ghost[0], panel.theta)      # from where the run stands
    window.controller.set_speed(50.0)                    # another Update, same config: still there
    barrier(qtbot, window)
    assert ghost_drawn(window)


def test_spin_arrow_momentum_draws_the_ghost(qtbot, window):
    form = window.controls.optimizer_form
    form.optimizer_combo.setCurrentIndex(form.optimizer_combo.findData("momentum")
                                         if form.optimizer_combo.findData("momentum") >= 0
                                         else form.optimizer_combo.findText("Momentum"))
    settle(qtbot, window, optimizer="momentum")
    m = last(window).config.momentum
    form.momentum.stepUp()
    settle(qtbot, window, momentum=m + 0.05)
    assert ghost_drawn(window)


def test_optimal_lr_draws_the_ghost(qtbot, window):
    window.controller.step()
    barrier(qtbot, window)
    lr0 = last(window).config.lr
    window.plane_tab.param_panel.optimal.click()
    barrier(qtbot, window)
    qtbot.waitUntil(lambda: last(window).config.lr != lr0, timeout=10000)
    barrier(qtbot, window)
    assert ghost_drawn(window)


def test_click_on_the_landscape_draws_the_ghost_from_the_new_start(qtbot, window):
    panel = window.plane_tab.param_panel
    panel._on_clicked((0.3, -0.2))
    qtbot.waitUntil(lambda: last(window).restart, timeout=10000)
    barrier(qtbot, window)
    assert ghost_drawn(window)
    assert np.allclose(panel.ghost[0], panel.theta)


def test_the_ghost_goes_once_the_run_moves_past_it(qtbot, window):
    type_lr(qtbot, window, "0.2")
    settle(qtbot, window, lr=0.2)
    assert ghost_drawn(window)
    window.controller.step()
    barrier(qtbot, window)
    assert ghost_drawn(window)                           # one step along it: the rest still ahead
    window.controller.reset()
    qtbot.waitUntil(lambda: last(window).restart, timeout=10000)
    barrier(qtbot, window)
    assert window.plane_tab.param_panel.ghost is None    # a reset leaves it behind
