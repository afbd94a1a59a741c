"""The Playground tab with real widgets: presets, errors, stops, animation, export."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from gdviz.autodiff.describe import backward_frames
from gdviz.gui.playground.panel import PlaygroundPanel
from gdviz.playground.formatting import fmt
from gdviz.playground.presets import PRESETS, TUTORIAL

SHOTS = Path("/tmp/gdviz_shots")


@pytest.fixture
def panel(qtbot):
    p = PlaygroundPanel()
    qtbot.addWidget(p)
    p.resize(1500, 950)
    p.show()
    qtbot.waitExposed(p)
    return p


def shown_values(panel) -> dict[str, str]:
    """``x -> displayed text`` read back from the results pane."""
    out = {}
    for line in panel.results_text().splitlines():
        m = re.match(r"^(\w+): (.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def select_preset(qtbot, panel, index: int) -> None:
    """Walk the combo with the keyboard, as a person would."""
    combo = panel.preset_combo
    combo.setFocus()
    while combo.currentIndex() < index:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    while combo.currentIndex() > index:
        qtbot.keyClick(combo, Qt.Key.Key_Up)


def test_each_preset_via_the_combo_shows_engine_and_worked_values(qtbot, panel):
    for i, p in enumerate(PRESETS):
        select_preset(qtbot, panel, i)
        assert panel.preset_note.text() == p.description
        r = panel.result()
        assert r.xs == p.xs and r.ys == p.ys
        shown = shown_values(panel)
        for x, want in p.expected.items():
            engine = r.result_for(x)
            if want is None:
                assert engine.value is None
                assert shown[x].startswith("None — not connected")
            else:
                np.testing.assert_array_equal(engine.value, np.asarray(want))
                assert shown[x].split(" (")[0] == fmt(engine.value)
    select_preset(qtbot, panel, 1)
    assert shown_values(panel) == {"w1": "[[6, 9]]", "w2": "[[19, 17]]"}
    for y, text in (("res2a", "[[1]]"), ("res2b", "[[2]]")):
        assert panel.seeds.toggle(y).isVisible() and panel.seeds.toggle(y).isChecked()
        assert panel.seeds.editor(y).isVisible() and panel.seeds.editor(y).text() == text
    assert "d(1·res2a + 2·res2b)/dw1 = 1·[[2, 1]] + 2·[[2, 4]] = [[6, 9]]" in panel.results_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    panel.grab().save(str(SHOTS / "playground_panel.png"))


def test_docstring_numbers_on_screen(qtbot, panel):
    names = [p.name for p in PRESETS]
    select_preset(qtbot, panel, names.index("TF docstring: total"))
    assert shown_values(panel) == {"a": "3.0", "b": "1.0"}
    select_preset(qtbot, panel, names.index("TF docstring: stop_gradients=[a, b]"))
    assert shown_values(panel) == {"a": "1.0", "b": "1.0"}
    select_preset(qtbot, panel, names.index("Total derivative dz/dx"))
    assert shown_values(panel) == {"x": "27.0"}
    assert "paths summed into x: via z: 9.0 + via y: 18.0 = 27.0" in panel.results_text()
    select_preset(qtbot, panel, names.index("Partial derivative: stop_gradients=[y]"))
    assert shown_values(panel) == {"x": "9.0"}


def _replace_last_line(qtbot, editor, text: str) -> None:
    """Select the last line and paste ``text`` over it (one edit, like a paste)."""
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    cursor.movePosition(cursor.MoveOperation.StartOfBlock, cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.insertPlainText(text)
    settle(qtbot, editor.window())


def settle(qtbot, panel) -> None:
    """Typed programs are evaluated debounced, off the GUI thread: wait for the newest."""
    qtbot.waitUntil(panel.idle, timeout=20000)


def test_bad_expression_shows_position_and_keeps_the_last_good_graph(qtbot, panel):
    names_before = panel.graph.node_names()
    items_before = panel.graph.scene_item_count()
    values_before = shown_values(panel)
    editor = panel.editor
    _replace_last_line(qtbot, editor, "bad = w1 @ w2")
    assert "line 7, col 10" in panel.status.text()
    assert "MatMul" in panel.status.text()
    assert editor.error_position() == (7, 10)
    assert len(editor.extraSelections()) == 2
    assert panel.graph.node_names() == names_before
    assert panel.graph.scene_item_count() == items_before
    assert shown_values(panel) == values_before
    # typing more (key by key) moves the error to an unknown name's column
    _replace_last_line(qtbot, editor, "bad = ")
    qtbot.keyClicks(editor, "zz + 1")
    settle(qtbot, editor.window())
    assert editor.error_position() == (7, 7) and "unknown name 'zz'" in panel.status.text()
    assert panel.graph.node_names() == names_before
    # fixing it clears the error and the new node appears
    _replace_last_line(qtbot, editor, "bad = w1 + w2")
    assert panel.status.text().startswith("OK")
    assert editor.error_position() is None and editor.extraSelections() == []
    assert "bad" in panel.graph.node_names()


def test_ys_xs_grad_ys_unconnected_and_stops_recompute(qtbot, panel):
    select_preset(qtbot, panel, 0)
    panel.ys_list.set_checked("res2b", False)
    assert shown_values(panel) == {"w1": "[[2, 1]]", "w2": "[[3, 5]]"}
    panel.ys_list.set_checked("res2b", True)
    # give res2b a grad_y of 2 by ticking and typing
    qtbot.mouseClick(panel.seeds.toggle("res2b"), Qt.MouseButton.LeftButton,
                     pos=QPoint(4, panel.seeds.toggle("res2b").height() // 2))
    edit = panel.seeds.editor("res2b")
    assert edit.isEnabled()
    edit.selectAll()
    qtbot.keyClicks(edit, "2")
    assert shown_values(panel) == {"w1": "[[6, 9]]", "w2": "[[19, 17]]"}
    # a wrong shape turns the field red and changes nothing
    edit.selectAll()
    qtbot.keyClicks(edit, "[1, 2]")
    assert edit.error_text()
    assert shown_values(panel) == {"w1": "[[6, 9]]", "w2": "[[19, 17]]"}
    # unconnected none / zero
    panel.ys_list.set_checked("res2a", False)
    panel.ys_list.set_checked("res2b", False)
    panel.ys_list.set_checked("res", True)
    assert shown_values(panel)["w2"] == "None — not connected: no path from the ys"
    qtbot.mouseClick(panel.radio_zero, Qt.MouseButton.LeftButton, pos=QPoint(6, panel.radio_zero.height() // 2))
    assert shown_values(panel)["w2"].startswith("[[0, 0]]")
    # a stop_gradients tick on res cuts everything
    panel.stops.set_ticked("res", 1, True)
    assert panel.model.stop_gradients == ("res",)
    assert shown_values(panel)["w1"].startswith("[[0, 0]]")
    assert "path cut at node res" in shown_values(panel)["w1"]
    assert panel.graph.stopped() == ("res",)


def test_stop_gradient_op_tick_adds_the_node(qtbot, panel):
    select_preset(qtbot, panel, [p.name for p in PRESETS].index("TF docstring: total"))
    assert shown_values(panel) == {"a": "3.0", "b": "1.0"}
    panel.stops.set_ticked("b", 2, True)
    assert panel.model.stop_gradient_ops == ("b",)
    assert shown_values(panel) == {"a": "1.0", "b": "1.0"}
    assert panel.graph.node_item("b").spec.op_type == "StopGradient"


def test_clicking_a_graph_node_toggles_stop_gradients(qtbot, panel):
    select_preset(qtbot, panel, [p.name for p in PRESETS].index("Total derivative dz/dx"))
    view = panel.graph
    item = view.node_item("y")
    pos = view.mapFromScene(item.sceneBoundingRect().center())
    with qtbot.waitSignal(view.node_clicked):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert panel.model.stop_gradients == ("y",)
    assert shown_values(panel) == {"x": "9.0"}
    assert panel.stops.ticked(1) == ("y",)
    item = view.node_item("y")
    pos = view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert shown_values(panel) == {"x": "27.0"}


def _animate(qtbot, panel) -> list[str]:
    qtbot.mouseClick(panel.start_btn, Qt.MouseButton.LeftButton)
    n = panel.graph.backward_length()
    assert n > 0 and panel.step_label.text() == f"step 0/{n}"
    for i in range(n + 2):  # two extra presses do nothing
        qtbot.mouseClick(panel.next_btn, Qt.MouseButton.LeftButton)
        assert panel.graph.backward_position() == min(i + 1, n)
    assert panel.step_label.text() == f"step {n}/{n}"
    return list(panel.graph.highlighted())


@pytest.mark.parametrize("name", [p.name for p in PRESETS])
def test_backward_animation_is_reverse_topological_and_stops_at_stops(qtbot, panel, name):
    select_preset(qtbot, panel, [p.name for p in PRESETS].index(name))
    r = panel.result()
    visited = _animate(qtbot, panel)
    assert visited and len(set(visited)) == len(visited)
    pos = {n: i for i, n in enumerate(visited)}
    fwd = r.spec.forward()
    for src, dst in fwd.edges():  # a consumer's gradient is known before its input's
        if src in pos and dst in pos:
            assert pos[dst] < pos[src], (src, dst, visited)
    stopped = {n for n, _why in r.record.stopped}
    frames = {f.node: f for f in backward_frames(r.record)}
    for i, node in enumerate(visited):  # each gradient comes from consumers shown earlier, never from a stop
        for src in frames[node].sources:
            if src != "<seed>":
                assert src in pos and pos[src] < i, (node, src, visited)
                assert src not in stopped, (node, src)
    assert set(r.ys) & set(visited) or not r.ys
    for x in r.results:  # every connected x is reached, unconnected ones never
        assert (x.name in visited) == x.connected or (x.name in r.ys)


def test_animation_keys_and_reset(qtbot, panel):
    select_preset(qtbot, panel, 1)
    qtbot.mouseClick(panel.start_btn, Qt.MouseButton.LeftButton)
    qtbot.keyClick(panel.graph, Qt.Key.Key_Right)
    qtbot.keyClick(panel.graph, Qt.Key.Key_Space)
    assert panel.graph.backward_position() == 2
    assert panel.step_label.text().startswith("step 2/")
    qtbot.keyClick(panel.graph, Qt.Key.Key_Left)
    assert panel.graph.backward_position() == 1
    assert panel.step_label.text().startswith("step 1/")
    qtbot.mouseClick(panel.reset_btn, Qt.MouseButton.LeftButton)
    assert panel.graph.backward_position() == 0
    panel.show_grads.setChecked(False)
    assert not panel.graph.show_gradients()
    assert not panel.graph.node_item("gradients/AddN").isVisible()


def test_export_buttons_write_png_and_svg(qtbot, panel, tmp_path, monkeypatch):
    png, svg = tmp_path / "graph.png", tmp_path / "graph.svg"
    answers = iter([(str(png), "PNG image (*.png)"), (str(svg), "SVG image (*.svg)")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: next(answers)))
    qtbot.mouseClick(panel.png_btn, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.svg_btn, Qt.MouseButton.LeftButton)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 100 and image.height() > 50
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert "res2a" in svg.read_text()
    assert "Exported" in panel.status.text()


def test_cancelled_export_and_garbage_program_do_not_crash(qtbot, panel, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    qtbot.mouseClick(panel.png_btn, Qt.MouseButton.LeftButton)
    good = panel.result()
    for text in ["", "(((", "x = [[1, 2]] @ [[1, 2]]", "x = log(-1.)\ny = x / 0", "x = 1e40", "\x00"]:
        panel.editor.setPlainText(text)
        settle(qtbot, panel)
        assert panel.result() is not None
    panel.editor.setPlainText(TUTORIAL)
    settle(qtbot, panel)
    assert panel.status.text().startswith("OK")
    assert panel.result() is not good
    assert panel.result().names == ("w1", "w2", "res", "res2a", "res2b")


def test_seed_of_a_y_that_changed_shape_can_be_fixed(qtbot, panel):
    select_preset(qtbot, panel, 1)  # grad_ys [[1]], [[2]] for res2a, res2b of shape (1, 1)
    good = panel.result()
    panel.editor.setPlainText(TUTORIAL.replace("res2b = w1 @ [[2], [4]] + w2 @ [[8], [6]]",
                                               "res2b = [[2], [4]] @ w1"))
    settle(qtbot, panel)
    assert "grad_ys for res2b" in panel.status.text() and "(2, 2)" in panel.status.text()
    assert panel.result() is good
    edit = panel.seeds.editor("res2b")
    assert edit.error_text()  # the kept [[2]] is shown red against the new shape
    edit.selectAll()
    qtbot.keyClicks(edit, "[[1, 0], [0, 1]]")
    assert panel.status.text().startswith("OK")
    assert shown_values(panel) == {"w1": "[[4, 5]]", "w2": "[[3, 5]]"}  # [[2, 1]] + [[2, 4]]; [[3, 5]] + None


def test_keyboard_ticks_keep_the_current_item(qtbot, panel):
    select_preset(qtbot, panel, 0)
    lst = panel.xs_list
    lst.setFocus()
    lst.setCurrentRow(2)  # "res"
    item = lst.item(2)
    qtbot.keyClick(lst, Qt.Key.Key_Space)
    assert panel.model.xs == ("w1", "w2", "res")
    assert lst.item(2) is item and lst.currentRow() == 2
    assert shown_values(panel)["res"] == "None — not connected: no path from the ys"
    qtbot.keyClick(lst, Qt.Key.Key_Space)
    assert panel.model.xs == ("w1", "w2")


def test_typing_is_debounced_off_the_gui_thread_and_only_the_newest_text_counts(qtbot, panel):
    seen = []
    panel.evaluator.finished.connect(lambda snap: seen.append(snap.program))
    for i in range(5):  # five quick edits: only the last one is evaluated and shown
        panel.editor.setPlainText(f"w = [[{i}.5]]\ny = square(w)")
    assert panel.status.text().startswith("evaluating")  # the GUI thread did not compute
    settle(qtbot, panel)
    assert seen == ["w = [[4.5]]\ny = square(w)"]
    assert panel.status.text().startswith("OK") and panel.result().names == ("w", "y")


def test_a_huge_literal_is_refused_with_the_limit_and_the_window_stays_usable(qtbot, panel):
    from gdviz.literal import MAX_ELEMENTS
    panel.editor.setPlainText("w = [" + ", ".join(["1"] * (MAX_ELEMENTS + 1)) + "]")
    settle(qtbot, panel)
    assert str(MAX_ELEMENTS) in panel.status.text() and "line 1" in panel.status.text()
    panel.editor.setPlainText("w = [[1.0]]\ny = w + 3e38 + 3e38")
    settle(qtbot, panel)
    assert "overflowed" in panel.status.text() and not panel.status.text().startswith("OK")
