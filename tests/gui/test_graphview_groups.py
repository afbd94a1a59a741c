"""GraphView with name-scope groups: readable labels at the window's sizes, folded outputs equal
the engine's values, stable folding, re-fit, the animation through groups, exports."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt

from gdviz.diagram.backward import NodeState
from gdviz.diagram.labels import is_cut_from_start, name_candidates
from gdviz.gui.graph.group_items import GroupItem
from gdviz.gui.graph.text import MIN_PX
from gdviz.gui.graph.view import GraphView
from gdviz.training.plane_fit import PlaneFit
from gdviz.training.types import MODES, TrainConfig

SHOTS = Path(os.environ.get("GDVIZ_SHOTS", "/tmp/gdviz_shots"))
OPTIMIZERS = ("gd", "momentum", "adam")


def _view(qtbot, fit: PlaneFit, size=(600, 270), placement="below") -> GraphView:
    v = GraphView()
    qtbot.addWidget(v)
    v.resize(*size)
    v.set_backward_placement(placement)
    snap = fit.snapshot()
    v.set_graph(fit.spec, fit.record)
    v.set_values(snap.values, snap.grads)
    v.show()
    qtbot.waitExposed(v)
    return v


def _assert_labels_readable(view: GraphView, every_box_named: bool = True) -> None:
    view.grab()  # paints every item at the view's zoom
    boxes = view.drawn_boxes()
    assert boxes
    for box in boxes:
        if not box.drawn and not every_box_named:
            continue  # zoomed far out: a box shows less text, down to none, never smaller text
        assert box.drawn, f"{box.name} shows no text at all"
        name = box.drawn[0][0]
        full = box.name if not isinstance(box, GroupItem) else name
        assert not is_cut_from_start(name, full), (box.name, name)
        for text, px in box.drawn:
            assert px >= MIN_PX - 1e-6, (box.name, text, px)
            assert not text.startswith(("...", "…")), (box.name, text)


@pytest.mark.parametrize("size", [(600, 270), (900, 300)], ids=["1366x768", "1920x1080"])
@pytest.mark.parametrize("mode,optimizer", list(itertools.product(MODES, OPTIMIZERS)))
def test_every_label_is_whole_and_at_least_8pt(qtbot, mode, optimizer, size):
    fit = PlaneFit(config=TrainConfig(mode=mode, optimizer=optimizer))
    fit.steps(3)
    view = _view(qtbot, fit, size)
    _assert_labels_readable(view)
    assert len(view.drawn_boxes()) == 11  # the forward graph, the gradients box, the optimizer's box
    view.toggle_all_groups()  # unfolded: every node, still never below 8 pt (less text instead)
    _assert_labels_readable(view, every_box_named=False)
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(SHOTS / f"graph-{mode}-{optimizer}-{size[0]}.png"))


def test_the_folded_gradients_show_the_engines_gradients(qtbot):
    fit = PlaneFit(config=TrainConfig(optimizer="gd", lr=0.1))
    fit.steps(4)
    view = _view(qtbot, fit)
    W, b = (np.asarray(a, np.float64) for a in fit.weights())
    x, y = np.asarray(fit.data.x, np.float64), np.asarray(fit.data.y, np.float64).reshape(1, -1)
    r = W @ x + b - y  # the tutorial's loss is mean((W x + b - y)^2)
    expected = {"∇W": 2 * r @ x.T / r.size, "∇b": np.array([2 * r.mean()])}
    shown = {label: value for label, _node, value in view.group_item("gradients").output_values()}
    for label, want in expected.items():
        np.testing.assert_allclose(np.asarray(shown[label]).reshape(want.shape), want, rtol=1e-4, atol=1e-7)
    lr = dict((label, v) for label, _n, v in view.group_item("GradientDescent").output_values())["lr"]
    assert float(lr) == pytest.approx(0.1)


def test_the_folded_optimizer_shows_its_slots(qtbot):
    lr, m = 0.1, 0.9
    fit = PlaneFit(config=TrainConfig(optimizer="momentum", lr=lr, momentum=m))
    W, b = (np.asarray(a, np.float64) for a in fit.weights())
    x, y = np.asarray(fit.data.x, np.float64), np.asarray(fit.data.y, np.float64).reshape(1, -1)
    acc_W, acc_b = np.zeros_like(W), np.zeros_like(b)
    for _ in range(5):  # TF's ApplyMomentum: accum = m * accum + g; var -= lr * accum
        r = W @ x + b - y
        acc_W = m * acc_W + 2 * r @ x.T / r.size
        acc_b = m * acc_b + 2 * r.mean()
        W, b = W - lr * acc_W, b - lr * acc_b
    fit.steps(5)
    view = _view(qtbot, fit)
    shown = {node: value for _label, node, value in view.group_item("Momentum").output_values()}
    np.testing.assert_allclose(np.asarray(shown["W/Momentum"]).reshape(acc_W.shape), acc_W, rtol=1e-4)
    np.testing.assert_allclose(np.asarray(shown["b/Momentum"]).reshape(acc_b.shape), acc_b, rtol=1e-4)
    # Unfolded, the slot nodes show the same values and no "∇ None".
    view.set_folded("Momentum", False)
    slot = view.node_item("W/Momentum")
    assert slot.isVisible() and slot.grad_text == "" and slot.value_text


def _positions(view: GraphView) -> dict[str, tuple[float, float]]:
    return {b.key if isinstance(b, GroupItem) else b.name: (b.x(), b.y()) for b in view.drawn_boxes()}


def test_double_click_unfolds_keeps_the_others_in_place_and_refits(qtbot):
    fit = PlaneFit(config=TrainConfig(mode="manual", optimizer="adam"))
    view = _view(qtbot, fit)
    before = _positions(view)
    group = view.group_item("gradients")
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(group.scenePos()))
    assert "gradients" not in view.folded_groups()
    after = _positions(view)
    members = set(group.group.members)
    assert {n: p for n, p in before.items() if n != "gradients/"} == {
        n: p for n, p in after.items() if n in before and n not in members}
    assert members & set(after)  # the gradient nodes are drawn now
    _assert_content_in_view(view)
    frame = view.frame_item("gradients")
    assert frame.isVisible()
    view.grab()  # painted: its tab is where the user sees it
    tab = frame.mapToScene(frame.shape().boundingRect().center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(tab))
    assert "gradients" in view.folded_groups() and _positions(view) == before


def _assert_content_in_view(view: GraphView) -> None:
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    for box in view.drawn_boxes():
        r = box.mapRectToScene(box.box())
        assert shown.contains(r), box.name


def test_b_refits_even_after_zooming(qtbot):
    fit = PlaneFit(config=TrainConfig(mode="manual"))
    view = _view(qtbot, fit, placement="right")
    view.zoom(3.0)  # the user zoomed in: the picture no longer fits
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert view.backward_placement() == "below"
    _assert_content_in_view(view)
    qtbot.keyClick(view, Qt.Key.Key_G)  # unfold everything: re-fitted too
    assert view.folded_groups() == ()
    _assert_content_in_view(view)


def test_animation_lights_the_folded_group_and_follows_into_it(qtbot):
    fit = PlaneFit(config=TrainConfig(mode="manual"))
    fit.steps(1)
    view = _view(qtbot, fit)
    view.start_backward(fit.record)
    assert view.group_item("gradients").state == NodeState.IDLE  # nothing computed yet
    view.backward_step()  # Mean: its seed (grad_ys) lives inside the gradients group
    assert view.node_item("Mean").state == NodeState.CURRENT
    assert view.group_item("gradients").state == NodeState.CURRENT
    assert "grad_ys seed enters here" in view.backward_caption()
    view.backward_step()  # Square: computed inside the folded group, and the caption says by what
    assert "Inside the folded gradients group: Mean_grad/truediv computed it" in view.backward_caption()
    view.set_folded("gradients", False)  # unfold during the animation: follow node by node
    assert view.backward_position() == 2
    lit = [n for n in view.group_item("gradients").group.members if view.node_item(n).state == NodeState.CURRENT]
    assert lit and all(n.startswith("gradients/") for n in lit)
    assert "Inside the folded" not in view.backward_caption()
    while view.backward_step():
        pass
    assert {"W", "b"} <= set(view.highlighted())


def test_exports_are_legible_and_a_full_disk_is_an_error(qtbot, tmp_path):
    fit = PlaneFit(config=TrainConfig(mode="manual", optimizer="momentum"))
    fit.steps(2)
    view = _view(qtbot, fit)
    png = tmp_path / "g.png"
    view.export_png(png)
    for box in view.drawn_boxes():  # painted for the export at 2 px per scene unit
        assert box.drawn[0][0] in name_candidates(box.name) or isinstance(box, GroupItem)
        assert all(px >= MIN_PX for _t, px in box.drawn)
    assert png.stat().st_size > 1000
    svg = tmp_path / "g.svg"
    view.export_svg(svg)
    assert "gradients" in svg.read_text(encoding="utf-8")
    if Path("/dev/full").exists():
        for export in (view.export_png, view.export_svg):
            with pytest.raises(OSError, match="could not write"):
                export("/dev/full")
    with pytest.raises(OSError, match="could not write"):
        view.export_svg(tmp_path / "no-such-folder" / "g.svg")


def test_content_rect_is_the_scene_of_what_is_shown(qtbot):
    fit = PlaneFit(config=TrainConfig())
    view = _view(qtbot, fit)
    shown = QRectF()
    for box in view.drawn_boxes():
        shown = shown.united(box.sceneBoundingRect())
    assert view._content_rect().contains(shown)


def test_open_by_default_shows_the_whole_graph_and_the_tab_at_every_zoom(qtbot):
    """The playground's choice: gradient nodes shown, each group framed with a readable tab."""
    fit = PlaneFit(config=TrainConfig(mode="manual"))
    view = _view(qtbot, fit, size=(700, 300), placement="right")
    view.set_backward_folded_by_default(False)
    assert view.folded_groups() == ()
    assert view.node_item("gradients/MatMul_grad/MatMul").isVisible()
    frame = view.frame_item("gradients")
    for factor in (1.0, 0.8, 0.7, 0.9, 0.6, 0.5, 0.75, 3.0, 1.2):  # zooms from ~10 % to ~150 %
        view.zoom(factor)
        view.grab()
        assert frame.drawn and frame.drawn[0][0].startswith("▾ gradients"), view.transform().m11()
        assert frame.drawn[0][1] >= MIN_PX - 1e-6
    before = _positions(view)
    view.set_folded("gradients", True)  # folds in place: nothing else moves
    after = _positions(view)
    members = set(frame.group.members)
    assert all(after[n] == p for n, p in before.items() if n not in members)


def test_the_view_visits_folded_groups_in_reverse_topological_order(qtbot):
    """A user's name scope folded: the boxes that light up, step by step, never light a box
    before every box that reads it (on the folded graph's edges)."""
    import gdviz.autodiff as tf
    from gdviz.autodiff.describe import describe_graph

    g = tf.Graph()
    with g.as_default():
        x = tf.constant(np.ones((2, 4), np.float32))
        with g.name_scope("layer"):
            W = tf.Variable(np.full((1, 2), 0.5, np.float32))
            h = tf.matmul(W, x) + tf.Variable(np.zeros((1,), np.float32))
        loss = tf.reduce_mean(tf.square(h - tf.constant(np.zeros((1, 4), np.float32))))
        tf.gradients(loss, [W])
    spec, record = describe_graph(g), g.gradient_records[-1]
    view = GraphView()
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.set_graph(spec, record)
    view.set_folded("layer", True)
    view.start_backward(record)
    members = set(view.group_item("layer").group.members)
    lit = []
    while view.backward_step():
        current = [b for b in view.drawn_boxes() if b.state == NodeState.CURRENT]
        key = "layer/" if view.highlighted()[-1] in members else view.highlighted()[-1]
        assert any((isinstance(b, GroupItem) and b.key == key) or b.name == key for b in current)
        if not lit or lit[-1] != key:
            lit.append(key)
    assert "layer/" in lit
    drawn = {b.key if isinstance(b, GroupItem) else b.name for b in view.drawn_boxes()}
    rep = {n: ("layer/" if n in members else n) for n in spec.names()}
    readers: dict[str, set[str]] = {}
    for src, dst in spec.edges():
        if rep[src] != rep[dst] and rep[dst] in drawn:
            readers.setdefault(rep[src], set()).add(rep[dst])
    for i, box in enumerate(lit):
        assert not (readers.get(box, set()) & set(lit[i + 1:])), (box, lit)
