"""GraphView's backward-pass animation: record order, stops, summed paths, final x, keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gdviz.autodiff.describe import GradientRecord, GraphSpec, backward_frames
from gdviz.gui.graph.view import GraphView
from tests.graph_specs import node, plane_spec

SHOTS = Path(os.environ.get("GDVIZ_SHOTS", "/tmp/gdviz_shots"))


PLANE = plane_spec(gradients=False)

FULL = GradientRecord(
    scope="gradients", ys=("Mean",), xs=("Variable", "Variable_1"), seeds=("gradients/Fill",),
    order=("Mean", "Square", "sub", "add", "MatMul", "Variable_1", "Variable"),
    contributions=(("Mean", "<seed>", "g0"), ("Square", "Mean", "g1"), ("sub", "Square", "g2"),
                   ("add", "sub", "g3"), ("MatMul", "add", "g4"), ("Variable_1", "add", "g5"),
                   ("Variable", "MatMul", "g6")),
)

# gradients(Mean, [W, b], stop_gradients=[add]): add receives its gradient but passes nothing on.
STOPPED = GradientRecord(
    scope="gradients_1", ys=("Mean",), xs=("Variable", "Variable_1"), seeds=("gradients_1/Fill",),
    stop_gradients=("add",),
    # "MatMul" is listed although nothing reached it: the view must still not light it up.
    order=("Mean", "Square", "sub", "add", "MatMul"),
    contributions=(("Mean", "<seed>", "h0"), ("Square", "Mean", "h1"), ("sub", "Square", "h2"), ("add", "sub", "h3")),
    stopped=(("add", "stop_gradients"),),
    cut_edges=(("MatMul", "add"), ("Variable_1", "add")),
    unconnected=(("Variable", "path cut at add"), ("Variable_1", "path cut at add")),
)

# TF's docstring example: a = 0.; b = 2 * a; gradients(a + b, [a, b]) -> [3, 1]
DOC = GraphSpec((node("Const", "Const", (), "constant"), node("mul/x", "Const", (), "constant"),
                 node("mul", "Mul", ("mul/x", "Const")), node("add", "Add", ("Const", "mul"))))
DOC_RECORD = GradientRecord(
    scope="gradients", ys=("add",), xs=("Const", "mul"), seeds=("gradients/Fill",),
    order=("add", "mul", "Const"),
    contributions=(("add", "<seed>", "s"), ("mul", "add", "c1"), ("Const", "add", "c0"), ("Const", "mul", "c2")),
)


@pytest.fixture
def view(qtbot):
    v = GraphView()
    qtbot.addWidget(v)
    v.resize(1100, 420)
    v.set_graph(PLANE)
    return v


def _run(view) -> int:
    steps = 0
    while view.backward_step():
        steps += 1
        assert view.backward_position() == steps
        assert steps < 100
    return steps


def _consumers(spec):
    out = {n: set() for n in spec.names()}
    for src, dst in spec.edges():
        out[src].add(dst)
    return out


def test_frames_follow_record_order_and_end_with_false(view):
    count = view.scene_item_count()
    view.start_backward(FULL)
    assert view.backward_position() == 0 and view.highlighted() == ()
    assert view.node_item("Variable").state == "pending"
    assert _run(view) == len(FULL.order)
    assert view.highlighted() == FULL.order
    assert view.backward_step() is False  # stays done
    assert view.backward_position() == len(FULL.order)
    view.backward_reset()
    assert view.scene_item_count() == count  # the animation only restyles items


def test_order_is_reverse_topological(view):
    view.start_backward(FULL)
    _run(view)
    seen = view.highlighted()
    cons = _consumers(PLANE)
    for i, n in enumerate(seen):
        # every consumer of n that got a gradient was finished before n
        assert all(c in seen[:i] for c in cons[n] if c in seen)


def test_each_step_lights_the_node_and_the_edges_its_gradient_came_along(view):
    view.start_backward(FULL)
    view.backward_step()
    mean = view.node_item("Mean")
    assert mean.state == "current" and mean.seed
    view.backward_step()
    assert mean.state == "known"
    assert view.node_item("Square").state == "current"
    assert view.edge_item("Square", "Mean").glow == 2
    view.backward_step()
    assert view.edge_item("Square", "Mean").glow == 1 and view.edge_item("sub", "Square").glow == 2
    assert view.node_item("MatMul").state == "pending"  # not reached yet


def test_never_past_a_stop(view):
    view.start_backward(STOPPED)
    n = _run(view)
    assert view.highlighted() == ("Mean", "Square", "sub", "add")
    assert n == 4
    behind = {"MatMul", "Variable", "Variable_1", "Const"}  # reachable only through the stop
    assert not behind & set(view.highlighted())
    assert all(view.node_item(b).state == "unreached" for b in behind)  # said so once done
    add = view.node_item("add")
    assert add.anim_stopped and "stop" in [t for t, _ in add.badges()]
    assert "no gradient" in [t for t, _ in view.node_item("Variable").badges()]
    assert {("MatMul", "add"), ("Variable_1", "add")} <= set(view.cut_edges())
    assert view.node_item("Variable").unconnected == "path cut at add"
    assert not view.node_item("Variable").is_final
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.show()
    view.grab().save(str(SHOTS / "graphview_backward_stopped.png"))


def test_summed_paths_and_final_x(qtbot):
    v = GraphView()
    qtbot.addWidget(v)
    v.set_graph(DOC)
    v.start_backward(DOC_RECORD)
    _run(v)
    a = v.node_item("Const")
    assert a.is_final and a.paths == 2 and "Σ 2 paths" in [t for t, _ in a.badges()]
    assert v.node_item("mul").is_final and v.node_item("mul").paths == 1
    assert v.edge_item("Const", "add").glow and v.edge_item("Const", "mul").glow
    assert not v.node_item("add").is_final and v.node_item("add").seed


def test_reset_back_and_clear(view):
    view.start_backward(FULL)
    for _ in range(3):
        view.backward_step()
    view.backward_back()
    assert view.highlighted() == FULL.order[:2]
    assert view.node_item("Square").state == "current" and view.node_item("sub").state == "pending"
    view.backward_reset()
    assert view.backward_position() == 0
    assert all(view.node_item(n).state == "pending" for n in PLANE.names())
    assert not any(view.edge_item(*e).glow for e in PLANE.edges())
    view.clear_backward()
    assert all(view.node_item(n).state == "" for n in PLANE.names())
    assert view.backward_step() is False


def test_keys_step_back_and_restart(view, qtbot):
    view.show()
    qtbot.waitExposed(view)
    view.start_backward(FULL)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.backward_position() == 3
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.backward_position() == 2
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.backward_position() == 0
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.backward_length() == 0


def test_view_frames_match_describe(view):
    frames = backward_frames(FULL)
    view.start_backward(FULL)
    assert view.backward_length() == len(frames)
    assert tuple(f.node for f in frames) == FULL.order


def test_caption_explains_each_frame(view):
    assert view.backward_caption() == ""
    view.start_backward(STOPPED)
    assert "→/Space" in view.backward_caption()
    view.backward_step()
    assert "seed" in view.backward_caption()
    for _ in range(3):
        view.backward_step()
    text = view.backward_caption()
    assert "add" in text and "Stopped (stop_gradients)" in text
    assert "Done" in text and "Variable (path cut at add)" in text


def test_caption_names_summed_contributions(qtbot):
    v = GraphView()
    qtbot.addWidget(v)
    v.set_graph(DOC)
    v.start_backward(DOC_RECORD)
    _run(v)
    assert "Sum of 2 contributions (from add, from mul)" in v.backward_caption()
    assert "final gradient" in v.backward_caption()


def test_stepper_buttons_drive_the_animation(view, qtbot):
    view.show()
    qtbot.waitExposed(view)
    buttons = view.stepper_buttons
    assert not buttons["step"].isVisible()
    with qtbot.waitSignal(view.backward_changed) as blocker:
        view.start_backward(FULL)
    assert blocker.args == [0, len(FULL.order)]
    assert buttons["step"].isVisible() and not buttons["back"].isEnabled()
    with qtbot.waitSignal(view.backward_changed) as blocker:
        qtbot.mouseClick(buttons["step"], Qt.MouseButton.LeftButton)
    assert blocker.args == [1, len(FULL.order)] and view.highlighted() == ("Mean",)
    qtbot.mouseClick(buttons["step"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(buttons["back"], Qt.MouseButton.LeftButton)
    assert view.backward_position() == 1
    qtbot.mouseClick(buttons["restart"], Qt.MouseButton.LeftButton)
    assert view.backward_position() == 0
    qtbot.mouseClick(buttons["leave"], Qt.MouseButton.LeftButton)
    assert view.backward_length() == 0 and not buttons["step"].isVisible()
