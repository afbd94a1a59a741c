"""One loss per step everywhere (issue 8 item 2) and messages that stay true (item 6)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from gdviz.training.types import TrainConfig
from tests.gui.windows import barrier, last


def _number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in {text!r}"
    return float(m.group(1))


@pytest.mark.parametrize("n", [1, 3])
def test_after_n_steps_every_place_shows_the_same_loss(qtbot, window, n):
    for _ in range(n):
        qtbot.mouseClick(window.controls.step_button, Qt.MouseButton.LeftButton)
    barrier(qtbot, window)
    window.plane_tab.flush()
    window.loss_view.flush()
    snap = last(window).snapshot
    status_step = _number(r"step (\d+)", window.status.step.text())
    status_loss = _number(r"loss (\S+)", window.status.loss.text())
    readout = window.loss_view.readout.text()
    steps, losses = window.loss_view.data()
    assert status_step == snap.step == n == _number(r"step (\d+)", readout)
    assert steps[-1] == n and steps[0] == 0 and len(steps) == n + 1
    for value in (status_loss, _number(r"loss (\S+)", readout), losses[-1]):
        assert value == pytest.approx(snap.loss, rel=1e-5)


def test_divergence_note_goes_on_reset_and_on_play(qtbot, window):
    ctl = window.controller
    ctl.set_config(TrainConfig(lr=50.0))
    ctl.set_speed(None)
    with qtbot.waitSignal(ctl.diverged, timeout=20000):
        ctl.play()
    qtbot.waitUntil(lambda: "Diverged at step" in window.status.current_message(), timeout=5000)
    qtbot.mouseClick(window.controls.reset_button, Qt.MouseButton.LeftButton)
    assert window.status.current_message() == ""
    with qtbot.waitSignal(ctl.diverged, timeout=20000):
        ctl.play()
    qtbot.waitUntil(lambda: "Diverged at step" in window.status.current_message(), timeout=5000)
    ctl.set_config(TrainConfig(lr=0.1))
    ctl.set_speed(1.0)  # slow: nothing else (convergence) may post a message meanwhile
    ctl.reset()  # the controller's own reset: only playing can clear the note now
    barrier(qtbot, window)
    assert "Diverged" in window.status.current_message()
    with qtbot.waitSignal(ctl.playing_changed, timeout=10000) as blocker:
        ctl.play()
    assert blocker.args == [True] and window.status.current_message() == ""
    ctl.pause()
    barrier(qtbot, window)


def test_default_pace_is_watchable_and_auto_stop_is_a_saved_setting(qtbot, window):
    from gdviz.gui.settings import AppState
    from gdviz.gui.widgets.controls import DEFAULT_SPEED, SPEEDS

    assert DEFAULT_SPEED in SPEEDS and DEFAULT_SPEED <= 5 and SPEEDS[-1] is None  # max still there
    assert AppState().auto_stop and window.act_auto_stop.isChecked()
    window.act_auto_stop.setChecked(False)
    assert window._state.auto_stop is False
    window.act_auto_stop.setChecked(True)
    ctl = window.controller
    ctl.set_speed(None)
    with qtbot.waitSignal(ctl.message, timeout=60000) as blocker:
        ctl.play()
    assert "Converged at step" in blocker.args[0]
    qtbot.waitUntil(lambda: not ctl.is_playing(), timeout=5000)
