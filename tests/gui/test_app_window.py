"""The whole window over a fake session: real buttons, real keys, real views."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QObject, QSettings, Qt, Slot
from PySide6.QtWidgets import QApplication

from gdviz.gui.main_window import TITLE, MainWindow
from gdviz.gui.plane.view import plane_heights
from tests.gui.windows import barrier, last, open_window

def make_window(qtbot, factories, **kwargs):
    w = MainWindow(session_factory=factories[0], data_factory=factories[1], start=False, **kwargs)
    return open_window(qtbot, w)


@pytest.fixture
def window(qtbot, fake_window_factories):
    w = make_window(qtbot, fake_window_factories)
    yield w
    w.close()
    assert w.controller.thread.isFinished()


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def play_until(qtbot, w, points: int):
    with qtbot.waitSignal(w.controller.playing_changed, timeout=5000):
        click(qtbot, w.controls.play_button)
    qtbot.waitUntil(lambda: w.loss_view.point_count() >= points, timeout=15000)
    with qtbot.waitSignal(w.controller.playing_changed, timeout=5000):
        click(qtbot, w.controls.play_button)


def test_title_tabs_and_tooltips(window):
    assert window.windowTitle() == TITLE and window.windowTitle().startswith("gdviz")
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Plane fit", "Playground", "Race"]
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QSlider
    missing = [
        w.objectName() or type(w).__name__ + ":" + getattr(w, "text", lambda: "")()
        for kind in (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QSlider)
        for w in window.controls.findChildren(kind)
        if w.isVisibleTo(window.controls) and not w.toolTip()
        and not isinstance(w.parent(), QAbstractSpinBox)  # a spin box's inner line edit
    ]
    assert missing == []


def test_play_button_updates_arrive_and_loss_falls(qtbot, window):
    assert window.controls.play_button.text() == "Play"
    with qtbot.waitSignal(window.controller.playing_changed, timeout=5000):
        click(qtbot, window.controls.play_button)
    assert window.controls.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: window.loss_view.point_count() >= 60, timeout=15000)
    steps, losses = window.loss_view.data()
    assert losses[-1] < losses[0]
    np.testing.assert_array_equal(steps, np.arange(len(steps)))  # no point lost
    assert "playing" in window.status.state.text()
    assert window.log_pane.toPlainText().splitlines()[0].startswith("0 [[")


def test_pause_button_really_pauses(qtbot, window):
    play_until(qtbot, window, 30)
    assert window.controls.play_button.text() == "Play"
    n_updates, n_points = len(window.counter.updates), window.loss_view.point_count()
    for _ in range(5):
        barrier(qtbot, window)
    assert len(window.counter.updates) == n_updates
    # one point per step from step 0 (the start) to the current step, inclusive
    assert window.loss_view.point_count() == n_points == last(window).snapshot.step + 1


def test_step_button_and_right_key_do_exactly_one_step(qtbot, window):
    click(qtbot, window.controls.step_button)
    barrier(qtbot, window)
    assert last(window).snapshot.step == 1 and window.loss_view.point_count() == 2
    qtbot.keyClick(window, Qt.Key.Key_Right)
    barrier(qtbot, window)
    assert last(window).snapshot.step == 2 and window.loss_view.point_count() == 3
    assert window.status.step.text() == "step 2"


def _number_after(text: str, word: str) -> float:
    parts = text.split()
    return float(parts[parts.index(word) + 1])


def test_one_loss_per_step_everywhere(qtbot, window):
    """The loss at step k is the loss of the state after k updates: the status bar, the curve's
    readout, its last point and the snapshot agree after every step (issue 8, item 2)."""
    for k in range(1, 4):
        click(qtbot, window.controls.step_button)
        barrier(qtbot, window)
        snap = last(window).snapshot
        assert snap.step == k
        steps, losses = window.loss_view.data()
        assert steps[-1] == k and losses[-1] == pytest.approx(snap.loss, rel=1e-6)
        assert _number_after(window.status.loss.text(), "loss") == pytest.approx(snap.loss, rel=1e-5)
        assert _number_after(window.loss_view.readout.text(), "loss") == pytest.approx(snap.loss, rel=1e-5)
        assert _number_after(window.loss_view.readout.text(), "step") == k


def test_space_plays_and_pauses(qtbot, window):
    with qtbot.waitSignal(window.controller.playing_changed, timeout=5000) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_Space)
    assert blocker.args == [True]
    with qtbot.waitSignal(window.controller.playing_changed, timeout=5000) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_Space)
    assert blocker.args == [False]


def test_reset_button_and_r_key(qtbot, window):
    for _ in range(3):
        click(qtbot, window.controls.step_button)
    barrier(qtbot, window)
    click(qtbot, window.controls.reset_button)
    barrier(qtbot, window)
    assert last(window).snapshot.step == 0 and window.loss_view.point_count() == 1
    click(qtbot, window.controls.step_button)
    qtbot.keyClick(window, Qt.Key.Key_R)
    barrier(qtbot, window)
    assert last(window).snapshot.step == 0 and last(window).restart


def test_learning_rate_change_mid_run_takes_effect(qtbot, window):
    with qtbot.waitSignal(window.controller.playing_changed, timeout=5000):
        click(qtbot, window.controls.play_button)
    box = window.controls.optimizer_form.lr
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "0.0100")
    qtbot.waitUntil(lambda: last(window).config.lr == pytest.approx(0.01), timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.controller.is_playing(), timeout=5000)
    barrier(qtbot, window)
    assert window.controller.last_update().config.lr == pytest.approx(0.01)


def test_invalid_grad_ys_turns_red_and_changes_nothing(qtbot, window):
    edit = window.controls.grad_ys_edit
    edit.selectAll()
    qtbot.keyClicks(edit, "[1, 2")
    assert edit.error_text() and "red" not in edit.error_text()
    assert "ffe0e0" in edit.styleSheet() or "red" in edit.styleSheet()
    assert float(edit.value()) == 1.0
    click(qtbot, window.controls.step_button)
    barrier(qtbot, window)
    assert last(window).config.grad_ys == 1.0 and last(window).snapshot.step == 1
    edit.selectAll()
    qtbot.keyClicks(edit, "2")
    qtbot.waitUntil(lambda: last(window).config.grad_ys == 2.0, timeout=5000)
    assert not edit.error_text()


def test_divergence_pauses_with_banner_and_reset_recovers(qtbot, window):
    box = window.controls.optimizer_form.lr
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "50")
    qtbot.waitUntil(lambda: last(window).config.lr == 50.0, timeout=5000)
    with qtbot.waitSignal(window.controller.diverged, timeout=15000) as blocker:
        click(qtbot, window.controls.play_button)
    qtbot.waitUntil(lambda: window.controls.play_button.text() == "Play", timeout=5000)
    message = blocker.args[0].message
    assert "lower the learning rate" in message and f"step {blocker.args[0].step}" in message
    assert window.banner.isVisible() and window.banner.text() == message
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "0.5")
    click(qtbot, window.controls.reset_button)
    barrier(qtbot, window)
    assert not window.banner.isVisible()
    assert np.isfinite(last(window).snapshot.loss) and last(window).snapshot.step == 0
    assert "stability limit (0.615 for this optimizer on this data)" in message   # the cause, with the limit
    assert "Diverged" not in window.status.current_message()              # no stale message after Reset


def test_negative_grad_ys_names_gradient_ascent_not_the_learning_rate(qtbot, window):
    from dataclasses import replace

    window.on_config_requested(replace(last(window).config, grad_ys=-1.0))
    barrier(qtbot, window)
    with qtbot.waitSignal(window.controller.diverged, timeout=30000) as blocker:
        click(qtbot, window.controls.play_button)
    message = blocker.args[0].message
    assert "gradient ascent" in message and "grad_ys" in message
    assert "lower the learning rate" not in message
    qtbot.waitUntil(lambda: window.controls.play_button.text() == "Play", timeout=5000)
    assert "Diverged" in window.status.current_message()
    click(qtbot, window.controls.reset_button)                            # Reset clears it
    barrier(qtbot, window)
    assert "Diverged" not in window.status.current_message()


def test_slots_run_in_gui_thread(qtbot, window):
    click(qtbot, window.controls.step_button)
    barrier(qtbot, window)
    assert window.counter.threads == {QApplication.instance().thread()}


def test_plane_heights_follow_the_snapshot(qtbot, window):
    for _ in range(3):
        click(qtbot, window.controls.step_button)
    barrier(qtbot, window)
    snap = last(window).snapshot
    x1, x2 = window.plane_view.grid_axes()
    np.testing.assert_allclose(window.plane_view.surface_heights(),
                               plane_heights(snap.W, snap.b, x1, x2), rtol=1e-6)


def test_many_updates_create_no_new_scene_items(qtbot, window):
    click(qtbot, window.controls.step_button)
    barrier(qtbot, window)
    plane, graph = window.plane_view.scene_item_count(), window.graph_view.scene_item_count()
    window.act_auto_stop.setChecked(False)  # the fake converges before 400 steps
    play_until(qtbot, window, 400)
    assert len(window.counter.updates) > 5
    assert window.plane_view.scene_item_count() == plane
    assert window.graph_view.scene_item_count() == graph


def test_close_while_running_stops_the_thread(qtbot, fake_window_factories):
    w = make_window(qtbot, fake_window_factories)
    with qtbot.waitSignal(w.controller.playing_changed, timeout=5000):
        click(qtbot, w.controls.play_button)
    qtbot.waitUntil(lambda: w.loss_view.point_count() > 10, timeout=10000)
    w.close()
    assert w.controller.thread.isFinished()


def test_new_data_button(qtbot, window):
    window.controls.points_spin.setValue(40)
    window.controls.seed_spin.setValue(3)
    click(qtbot, window.controls.new_data_button)
    barrier(qtbot, window)
    assert last(window).data.points == 40 and last(window).data.seed == 3


def test_playground_scene_selects_second_tab_and_hides_controls(qtbot, fake_window_factories):
    w = make_window(qtbot, fake_window_factories, scene="playground")
    assert w.tabs.currentIndex() == 1 and not w.dock.isVisible()
    assert not w.act_reset.isEnabled() and not w.status.step.isVisible()
    qtbot.keyClick(w, Qt.Key.Key_Right)  # no plane-fit step from the Playground tab
    barrier(qtbot, w)
    assert last(w).snapshot.step == 0
    w.tabs.setCurrentIndex(0)
    assert w.dock.isVisible() and w.act_reset.isEnabled() and w.status.step.isVisible()
    w.close()


def test_settings_persist_and_corrupt_values_fall_back(qtbot, isolated_settings,
                                                      fake_window_factories):
    w = make_window(qtbot, fake_window_factories)
    w.controls.optimizer_form.lr.setValue(0.25)
    w.controls.speed_slider.setValue(3)
    w.act_logy.setChecked(True)
    w.close()
    w2 = make_window(qtbot, fake_window_factories)
    assert w2.controls.optimizer_form.lr.value() == pytest.approx(0.25)
    assert w2.controls.speed() == 10 and w2.loss_view.is_log_y()
    assert last(w2).config.lr == pytest.approx(0.25)
    w2.close()
    s = QSettings(str(isolated_settings), QSettings.Format.IniFormat)
    s.setValue("app/config", '{"lr": -3}')
    s.setValue("app/speed", "not json")
    s.sync()
    del s
    w3 = make_window(qtbot, fake_window_factories)
    assert w3.controls.optimizer_form.lr.value() == pytest.approx(0.5)  # default
    message = w3.status.current_message()
    assert "lr" in message and "speed" in message and "default" in message
    w3.close()


def test_run_app_presets_controls_and_selects_scene(qtbot):
    import argparse

    from PySide6.QtCore import QTimer

    from gdviz.gui.app import run_app

    seen = {}

    class Closer(QObject):
        @Slot()
        def check_and_close(self):
            wins = [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, MainWindow) and w.isVisible()]
            if not wins:
                QTimer.singleShot(50, self.check_and_close)
                return
            w = wins[0]
            seen.update(title=w.windowTitle(), tab=w.tabs.currentIndex(),
                        lr=w.controls.optimizer_form.lr.value(), mode=w.controls.config().mode,
                        points=w.controls.points_spin.value())
            w.close()

        @Slot()
        def give_up(self):
            QApplication.instance().quit()

    closer = Closer()
    QTimer.singleShot(0, closer.check_and_close)
    QTimer.singleShot(20000, closer.give_up)
    args = argparse.Namespace(scene="playground", lr=0.125, mode="manual", optimizer="gd",
                              momentum=None, points=50, noise=None, seed=None)
    assert run_app(args, argv=["--scene", "playground", "--lr", "0.125", "--mode", "manual",
                               "--points", "50"]) == 0
    assert seen == dict(title="gdviz — plane fit", tab=1, lr=0.125, mode="manual", points=50)


def test_only_typed_options_override_saved_settings():
    import argparse

    from gdviz.gui.app import _explicit

    args = argparse.Namespace(lr=0.5, mode="optimizer", optimizer="gd", momentum=0.9,
                              points=100, noise=0.0, seed=0)
    assert _explicit(args, []) == {}  # plain `gdviz`: the saved settings win
    assert _explicit(args, ["--lr=0.5", "--seed", "0"]) == dict(lr=0.5, seed=0)


def test_window_without_opengl_uses_the_2d_view_and_still_trains(qtbot, monkeypatch,
                                                                 fake_window_factories):
    from gdviz.gui.plane.view import FallbackPlaneView

    monkeypatch.setenv("GDVIZ_NO_GL", "1")
    w = make_window(qtbot, fake_window_factories)
    assert isinstance(w.plane_view, FallbackPlaneView)
    click(qtbot, w.controls.step_button)
    barrier(qtbot, w)
    snap = last(w).snapshot
    x1, x2 = w.plane_view.grid_axes()
    np.testing.assert_allclose(w.plane_view.surface_heights(),
                               plane_heights(snap.W, snap.b, x1, x2), rtol=1e-6)
    w.close()


def test_a_focused_slider_keeps_its_arrow_keys(qtbot, window):
    slider = window.controls.speed_slider
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus)
    before = slider.value()
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    barrier(qtbot, window)
    assert slider.value() == before + 1 and last(window).snapshot.step == 0     # moved, did not step
    window.graph_view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    barrier(qtbot, window)
    assert last(window).snapshot.step == 1                                      # elsewhere → steps


def test_first_launch_fits_the_screen_and_saved_geometry_is_clamped(qtbot):
    from gdviz.gui.main_window import MainWindow

    w = MainWindow(start=False)
    qtbot.addWidget(w)
    avail = w.screen().availableGeometry()
    assert w.width() <= avail.width() and w.height() <= avail.height()
    assert w.width() >= 0.85 * avail.width() or w.width() == w.minimumSizeHint().width()
    w.resize(avail.width() + 900, avail.height() + 700)          # as if saved on a bigger screen
    w.move(avail.right() + 400, avail.bottom() + 300)
    w.fit_to_screen(restored=True)
    g = w.frameGeometry()
    assert avail.contains(g.topLeft()) and g.width() <= avail.width() and g.height() <= avail.height()


def test_getting_started_opens_once_on_first_launch(qtbot):
    from gdviz.gui.main_window import MainWindow

    w = MainWindow(start=False)
    qtbot.addWidget(w)
    w.show_guide_on_first_launch()
    guide = w.menus._guide
    assert guide.isVisible() and "Try first" in guide.text.toPlainText()
    assert "stop_gradients at MatMul" in guide.text.toPlainText()
    guide.close()
    w2 = MainWindow(start=False)
    qtbot.addWidget(w2)
    w2.show_guide_on_first_launch()
    assert w2.menus._guide is None          # remembered: not shown again
