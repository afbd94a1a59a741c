"""Graph inspection: TF-style names, gradient scopes, GradientRecords and describe_graph."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import gdviz.autodiff as tf
from gdviz.autodiff.describe import backward_frames


pytestmark = pytest.mark.usefixtures("fresh_graph")


def tutorial_graph():
    x_data = np.float32(np.random.default_rng(0).random((2, 100)))
    y_data = np.dot([0.100, 0.200], x_data) + 0.300
    b = tf.Variable(tf.zeros([1]))
    W = tf.Variable(tf.random_uniform([1, 2], -1.0, 1.0))
    y = tf.matmul(W, x_data) + b
    loss = tf.reduce_mean(tf.square(y - y_data))
    return W, b, loss


def test_tf_style_unique_names_and_lookup():
    W, b, loss = tutorial_graph()
    g = tf.get_default_graph()
    names = [n.name for n in g.nodes]
    assert names[:3] == ["zeros", "Variable", "Variable/Assign"]
    assert {"MatMul", "add", "sub", "Square", "Mean", "Variable_1"} <= set(names)
    assert len(names) == len(set(names))
    assert g.get_node("MatMul").op_type == "MatMul" and g.get_node("MatMul").inputs[0] is W
    assert (tf.constant(1.) + 1.).name == "add_1"
    assert g.get_node("Mean").shape == () and g.get_node("MatMul").shape == (1, 100)
    assert g.get_node("sub").dtype == np.float32
    with pytest.raises(KeyError):
        g.get_node("nope")


def test_gradient_nodes_live_in_numbered_scopes():
    W, b, loss = tutorial_graph()
    gW, gb = tf.gradients(loss, [W, b])
    assert gW.name == "gradients/MatMul_grad/MatMul" and gW.grad_scope == "gradients"
    assert gb.name == "gradients/add_grad/Reshape"
    g2, = tf.gradients(loss, [W])
    assert g2.grad_scope == "gradients_1" and g2.name.startswith("gradients_1/")
    assert W.grad_scope is None
    recs = tf.get_default_graph().gradient_records
    assert [r.scope for r in recs] == ["gradients", "gradients_1"]


def test_gradient_record_of_the_tutorial_loss():
    W, b, loss = tutorial_graph()
    gW, gb = tf.gradients(loss, [W, b])
    r = tf.get_default_graph().gradient_records[-1]
    assert r.ys == ("Mean",) and r.xs == (W.name, b.name) and r.seeds == ("gradients/grad_ys_0",)
    assert r.order == ("Mean", "Square", "sub", "add", "MatMul", "Variable", "Variable_1")
    assert r.grad_of("Variable_1") == gW.name and r.grad_of("Variable") == gb.name
    assert ("Mean", "<seed>", "gradients/grad_ys_0") in r.contributions
    assert ("Variable_1", "MatMul", gW.name) in r.contributions
    assert r.stopped == () and r.cut_edges == () and r.unconnected == ()
    frames = backward_frames(r)
    assert frames[0].node == "Mean" and frames[0].sources == ("<seed>",) and frames[-1].is_x


def test_record_of_stops_cuts_and_unconnected():
    x = tf.constant(3., name="x")
    y = x * x
    z = y * x
    other = tf.constant(1., name="other")
    tf.gradients(z, [x, other], stop_gradients=[y])
    r = tf.get_default_graph().gradient_records[-1]
    assert r.stop_gradients == ("mul",)
    assert r.stopped == (("mul", "stop_gradients"),)
    assert r.cut_edges == (("x", "mul"),)
    assert r.unconnected == (("other", "no path"),)
    assert r.contributions.count(("mul", "mul_1", r.grad_of("mul"))) == 1
    a0 = tf.constant(0., name="a0")
    s = tf.stop_gradient(a0)
    tf.gradients(s * 2., a0)
    r = tf.get_default_graph().gradient_records[-1]
    assert r.stopped == (("StopGradient", "StopGradient op"),)
    assert r.cut_edges == (("a0", "StopGradient"),)
    assert r.unconnected == (("a0", "path cut at StopGradient"),)


def test_aggregation_is_an_addn_node_with_all_contributions():
    x = tf.constant(2., name="x")
    y = x * x
    tf.gradients(y, x)
    r = tf.get_default_graph().gradient_records[-1]
    agg = tf.get_default_graph().get_node(r.grad_of("x"))
    assert agg.op_type == "AddN" and len(agg.inputs) == 2
    assert [c[1] for c in r.contributions if c[0] == "x"] == ["mul", "mul"]


def test_describe_graph_kinds_and_subset():
    W, b, loss = tutorial_graph()
    tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    spec = tf.describe_graph()
    kinds = {n.name: n.kind for n in spec.nodes}
    assert kinds["Variable"] == "variable" and kinds["zeros"] == "constant" and kinds["MatMul"] == "op"
    assert kinds["gradients/MatMul_grad/MatMul"] == "gradient" and kinds["GradientDescent"] == "update"
    assert spec.node("MatMul").inputs == ("Variable_1", "Const")
    assert spec.node("MatMul").shape == (1, 100) and spec.node("MatMul").dtype == "float32"
    sub = tf.describe_graph(names=["add", "MatMul"])
    assert sub.names() == ("MatMul", "add") and sub.edges() == (("MatMul", "add"),)
    with pytest.raises(KeyError):
        tf.describe_graph(names=["nope"])
    tf.placeholder(tf.float32, [None, 2], name="p")
    assert tf.describe_graph().node("p").kind == "placeholder" and tf.describe_graph().node("p").shape == (None, 2)
    assert "gradient" not in {n.kind for n in spec.forward().nodes}


def test_graph_as_default_and_reset():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.)
        assert tf.get_default_graph() is g
    assert c.graph is g and tf.get_default_graph() is not g
    before = tf.get_default_graph()
    tf.reset_default_graph()
    assert tf.get_default_graph() is not before


def test_core_imports_no_qt():
    code = "import sys, gdviz.autodiff; print(any(m.startswith(('PySide', 'PyQt', 'pyqtgraph')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("reduce", [tf.reduce_mean, tf.reduce_sum])
def test_gradients_through_unknown_placeholder_sizes(reduce):
    """None dimensions: the gradient nodes read the run-time shape; same numbers as static."""
    data = np.random.default_rng(5).standard_normal((4, 2)).astype(np.float32)
    results = []
    for shape in ([None, 2], [4, 2]):
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, shape, name="x")
        w = tf.Variable(np.array([0.5, -1.0], np.float32))
        b = tf.Variable(np.array([[0.1]], np.float32))
        loss = reduce(reduce(tf.square(x * w - b), axis=1, keepdims=True) + b)
        grads = tf.gradients(loss, [w, b, x])
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        results.append(sess.run(grads, {x: data}))
    for dyn, static in zip(*results):
        np.testing.assert_allclose(dyn, static, rtol=1e-6)
