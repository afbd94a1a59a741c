"""The window over the real PlaneFit: update modes, stop_gradients, graph clicks."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt

from gdviz.gui.widgets.grad_readout import NOT_CONNECTED
from tests.gui.windows import barrier, last

def step(qtbot, w, n=1):
    for _ in range(n):
        qtbot.mouseClick(w.controls.step_button, Qt.MouseButton.LeftButton)
    barrier(qtbot, w)


def to_manual(qtbot, w):
    combo = w.controls.optimizer_form.mode_combo
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # "Optimizer (minimize)" -> "Manual gradients ..."
    qtbot.waitUntil(lambda: last(w).config.mode == "manual", timeout=10000)
    assert combo.currentText().startswith("Manual gradients")


def test_real_session_shows_graph_and_steps(qtbot, window):
    step(qtbot, window, 3)
    u = last(window)
    assert u.snapshot.step == 3 and "MatMul" in window.graph_view.node_names()
    assert window.controls.stop_list.count() == len(u.forward_names) > 0
    assert window.controls.grad_readout.grad_W.text().startswith("[[")


def test_mode_switch_mid_run_keeps_w_and_step(qtbot, window):
    with qtbot.waitSignal(window.controller.playing_changed, timeout=5000):
        qtbot.mouseClick(window.controls.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: last(window).snapshot.step > 30, timeout=10000)
    to_manual(qtbot, window)
    at_switch = last(window).snapshot.step
    qtbot.waitUntil(lambda: last(window).snapshot.step > at_switch + 30, timeout=10000)
    # (Space would open the focused combo box, as Qt does; the button always works.)
    with qtbot.waitSignal(window.controller.playing_changed, timeout=5000):
        qtbot.mouseClick(window.controls.play_button, Qt.MouseButton.LeftButton)
    barrier(qtbot, window)
    steps, _ = window.loss_view.data()
    np.testing.assert_array_equal(steps, np.arange(len(steps)))  # one unbroken curve
    assert last(window).config.mode == "manual"
    assert last(window).snapshot.loss < 0.01  # the fit carried on from where it was


def test_stop_gradients_tick_matmul_cuts_w(qtbot, window):
    to_manual(qtbot, window)
    lst = window.controls.stop_list
    assert lst.isEnabled()
    row = [lst.item(i).text() for i in range(lst.count())].index("MatMul")
    rect = lst.visualItemRect(lst.item(row))
    # The check box sits at the left of the row.
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.left() + 10, rect.center().y()))
    qtbot.waitUntil(lambda: last(window).config.stop_gradients == ("MatMul",), timeout=10000)
    barrier(qtbot, window)
    W0 = np.array(last(window).snapshot.W)
    b0 = np.array(last(window).snapshot.b)
    step(qtbot, window, 3)
    snap = last(window).snapshot
    assert snap.grad_W is None and snap.grad_b is not None
    np.testing.assert_array_equal(snap.W, W0)  # W no longer moves ...
    assert not np.array_equal(snap.b, b0)  # ... while b still learns
    text = window.controls.grad_readout.grad_W.text()
    assert text.startswith(NOT_CONNECTED) and "MatMul" in text
    assert "MatMul" in window.graph_view.stopped()


def test_clicking_a_graph_node_toggles_its_stop(qtbot, window):
    to_manual(qtbot, window)
    barrier(qtbot, window)
    qtbot.waitUntil(lambda: "add" in window.graph_view.node_names(), timeout=5000)
    view = window.graph_view
    item = view.node_item("add")
    pos = view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: last(window).config.stop_gradients == ("add",), timeout=10000)
    assert "add" in window.controls.ticked_stops()
    step(qtbot, window)
    snap = last(window).snapshot
    assert snap.grad_W is None and snap.grad_b is None  # add is upstream of both W and b


def test_real_divergence_pauses_with_hint_and_reset_recovers(qtbot, window):
    box = window.controls.optimizer_form.lr
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "50")
    qtbot.waitUntil(lambda: last(window).config.lr == 50.0, timeout=10000)
    with qtbot.waitSignal(window.controller.diverged, timeout=20000) as blocker:
        qtbot.mouseClick(window.controls.play_button, Qt.MouseButton.LeftButton)
    d = blocker.args[0]
    assert f"step {d.step}" in d.message and "lower the learning rate" in d.message
    qtbot.waitUntil(lambda: window.controls.play_button.text() == "Play", timeout=5000)
    assert window.banner.isVisible()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "0.5")
    qtbot.mouseClick(window.controls.reset_button, Qt.MouseButton.LeftButton)
    step(qtbot, window, 2)
    snap = last(window).snapshot
    assert snap.step == 2 and np.isfinite(snap.loss) and not snap.diverged


def _consumers(spec):
    out = {}
    for src, dst in spec.forward().edges():
        out.setdefault(src, set()).add(dst)
    return out


def test_backward_animation_steps_through_the_plane_fits_gradients_call(qtbot, window):
    step(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    view, u = window.graph_view, last(window)
    qtbot.waitUntil(lambda: view.backward_length() > 0, timeout=5000)
    assert not window.controller.is_playing()
    for _ in range(view.backward_length()):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    seen = view.highlighted()
    assert len(seen) == view.backward_length() and seen[0] == u.record.ys[0] == "Mean"
    assert {"W", "b"} <= set(seen)
    # Reverse topological: a node's gradient is known only after every consumer on the path.
    consumers = _consumers(u.spec)
    for i, name in enumerate(seen):
        assert not (consumers.get(name, set()) & set(seen[i + 1:])), (name, seen)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.backward_length() == 0


def test_backward_animation_never_passes_a_stop(qtbot, window):
    to_manual(qtbot, window)
    window.controls.stop_list.findItems("MatMul", Qt.MatchFlag.MatchExactly)[0].setCheckState(
        Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: last(window).config.stop_gradients == ("MatMul",), timeout=10000)
    step(qtbot, window)
    window.act_backward.trigger()
    view = window.graph_view
    while view.backward_step():
        pass
    seen = view.highlighted()
    assert "MatMul" in seen and "b" in seen
    assert "W" not in seen  # only reachable through the stopped MatMul


def test_export_graph_menu_writes_png_and_svg(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QFileDialog

    step(qtbot, window)
    for name in ("graph.png", "graph.svg"):
        target = tmp_path / name
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
        export = next(a for a in window.menuBar().actions()[0].menu().actions()
                      if a.text().startswith("Export graph"))
        export.trigger()
        assert target.stat().st_size > 1000
    assert not QImage(str(tmp_path / "graph.png")).isNull()
    svg = (tmp_path / "graph.svg").read_text()
    assert "<svg" in svg and "MatMul" in svg
    bad = tmp_path / "no-such-dir" / "g.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(bad), ""))
    export.trigger()
    assert window.statusBar().currentMessage().startswith("Could not export the graph")


def test_reset_during_the_backward_animation_clears_it(qtbot, window):
    step(qtbot, window, 3)
    window.act_backward.trigger()
    view = window.graph_view
    view.backward_step()
    assert view.backward_length() > 0 and view.backward_caption()
    window.act_reset.trigger()
    qtbot.waitUntil(lambda: last(window).snapshot.step == 0, timeout=10000)
    qtbot.waitUntil(lambda: view.backward_length() == 0, timeout=10000)
    assert view.backward_caption() == ""
    assert all(view.node_item(n).state == "" for n in view.node_names())
