"""GraphView drawing a real ``gradients()`` call of the engine (the tutorial's plane fit)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import gdviz.autodiff as tf
from gdviz.autodiff.describe import describe_graph
from gdviz.gui.graph.items import format_value
from gdviz.gui.graph.view import GraphView

SHOTS = Path(os.environ.get("GDVIZ_SHOTS", "/tmp/gdviz_shots"))


def plane_fit(stop: tuple[str, ...] = ()):
    """Build the tutorial's model and one gradients() call; returns graph, spec, record, values."""
    rng = np.random.default_rng(0)
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(rng.random((2, 100)).astype(np.float32))
        y = tf.constant((np.dot([0.1, 0.2], rng.random((2, 100))) + 0.3).astype(np.float32)[None, :])
        W = tf.Variable(tf.random_uniform([1, 2], -1.0, 1.0, seed=1))
        b = tf.Variable(tf.zeros([1]))
        loss = tf.reduce_mean(tf.square(tf.matmul(W, x) + b - y))
        grads = tf.gradients(loss, [W, b], stop_gradients=[g.get_node(n) for n in stop])
        spec = describe_graph(g)
        record = g.gradient_records[-1]
        names = [n.name for n in spec.nodes if n.kind != "update"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            fetched = sess.run([g.get_node(n) for n in names])
            grad_values = sess.run([gr for gr in grads if gr is not None])
    values = dict(zip(names, fetched))
    by_x = iter(grad_values)
    x_grads = {xn: (next(by_x) if gr is not None else None) for xn, gr in zip(record.xs, grads)}
    fwd_grads = {fwd: values[gnode] for fwd, gnode in record.grads}
    fwd_grads.update(x_grads)
    return spec, record, values, fwd_grads


@pytest.fixture
def view(qtbot):
    v = GraphView()
    qtbot.addWidget(v)
    v.resize(1400, 600)
    return v


def test_draws_real_gradients_call(view, qtbot):
    spec, record, values, grads = plane_fit()
    view.set_graph(spec, record)
    view.set_values(values, grads)
    assert set(view.node_names()) == set(spec.names())
    w_grad = grads["Variable"]
    assert view.node_item("Variable").grad_text == "∇ " + format_value(w_grad)
    assert view.edge_item("Variable", "MatMul").strength is not None
    view.set_show_gradients(False)
    assert not view.node_item("Variable/Assign").isVisible()  # initialisers are update machinery
    assert not view.node_item("random_uniform").isVisible()
    view.set_show_gradients(True)
    view.start_backward(record)
    steps = 0
    while view.backward_step():
        steps += 1
    assert view.highlighted() == record.order and steps == len(record.order)
    assert view.node_item("Variable").is_final and view.node_item("Variable_1").is_final
    view.show()
    qtbot.waitExposed(view)
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(SHOTS / "graphview_engine_full.png"))
    view.export_png(SHOTS / "graphview_engine_export.png")


def test_real_stop_gradients_call_never_lights_past_the_stop(view, qtbot):
    spec, record, values, grads = plane_fit(stop=("add",))
    view.set_graph(spec, record)
    view.set_values(values, grads)
    view.set_stopped(record.stop_gradients)
    view.set_show_gradients(False)
    view.start_backward(record)
    while view.backward_step():
        pass
    assert view.highlighted()[-1] == "add"
    assert not {"MatMul", "Variable", "Variable_1"} & set(view.highlighted())
    assert view.node_item("Variable").unconnected.startswith("path cut at")
    assert view.node_item("Variable").grad_text == "∇ None"
    view.show()
    qtbot.waitExposed(view)
    view.grab().save(str(SHOTS / "graphview_engine_stopped.png"))
