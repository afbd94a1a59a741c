"""Numbers are never silently wrong and unknown arguments are refused (issue 7, section 2)."""
import numpy as np
import pytest

import gdviz.autodiff as tf


def test_constant_too_big_for_int32_raises(fresh_graph):
    with pytest.raises(ValueError, match="out of range for int32"):
        tf.constant(2**32 + 5)


def test_constant_too_big_for_int64_raises(fresh_graph):
    with pytest.raises(ValueError, match="int64"):
        tf.constant(2**70)


def test_explicit_int64_constant_keeps_big_value(fresh_graph):
    c = tf.constant(2**32 + 5, dtype=tf.int64)
    assert int(tf.Session().run(c)) == 2**32 + 5


def test_float_operand_out_of_int_range_raises(fresh_graph):
    a = tf.constant([1, 2])
    with pytest.raises(ValueError, match="out of range for int32"):
        a + 1e10


def test_in_range_int_operand_still_works(fresh_graph):
    out = tf.Session().run(tf.constant([1, 2]) + 3.0)
    assert out.tolist() == [4, 5]


def test_huge_int_grad_ys_raises(fresh_graph):
    x = tf.constant(3)
    y = x * 2
    with pytest.raises(ValueError, match="grad_ys\\[0\\].*int32"):
        tf.gradients(y, x, grad_ys=2**40)


def test_xs_from_another_graph_raise(fresh_graph):
    y = tf.constant(1.0) * 2.0
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    with pytest.raises(ValueError, match="same graph"):
        tf.gradients(y, other)


def test_stop_gradients_from_another_graph_raise(fresh_graph):
    x = tf.constant(1.0)
    y = x * 2.0
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    with pytest.raises(ValueError, match="same graph"):
        tf.gradients(y, x, stop_gradients=[other])


def test_gradients_keyword_typo_raises(fresh_graph):
    x = tf.constant(1.0)
    with pytest.raises(TypeError):
        tf.gradients(x * 2.0, x, stop_gradient=[x])


def test_gradients_tf1_noop_keywords_accepted(fresh_graph):
    x = tf.constant(1.0)
    (g,) = tf.gradients(x * 2.0, x, colocate_gradients_with_ops=True, gate_gradients=True,
                        aggregation_method=None)
    assert np.isclose(tf.Session().run(g), 2.0)


@pytest.mark.parametrize("bad", ["x\n import os", "x\n", "", "a b", "x;y"])
def test_name_scope_refuses_bad_names(fresh_graph, bad):
    with pytest.raises(ValueError, match="not a valid node name"):
        with fresh_graph.name_scope(bad):
            pass


def test_gradients_name_validated(fresh_graph):
    x = tf.constant(1.0)
    with pytest.raises(ValueError, match="not a valid node name"):
        tf.gradients(x * 2.0, x, name="g\nimport os")


def test_optimizer_name_validated(fresh_graph):
    w = tf.Variable(1.0)
    with pytest.raises(ValueError, match="not a valid node name"):
        tf.train.GradientDescentOptimizer(0.1, name="sgd\n ").minimize(w * w)


def test_unique_scopes_stay_fresh(fresh_graph):
    x = tf.constant(1.0)
    y = x * 2.0
    tf.constant(0.0, name="gradients_2")
    names = [fresh_graph.unique_scope("gradients") for _ in range(4)]
    assert names == ["gradients", "gradients_1", "gradients_3", "gradients_4"]
    (g,) = tf.gradients(y, x)
    assert g.name.startswith("gradients_5/")


def test_generated_plan_contains_no_node_names(fresh_graph):
    x = tf.placeholder(tf.float32, shape=(), name="secret_input")
    w = tf.Variable(2.0, name="secret_weight")
    y = tf.multiply(x, w, name="secret_product")
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    assert np.isclose(sess.run({"out": y}, feed_dict={x: 3.0})["out"], 6.0)
    sources = [plan.source for plan in sess._plans.values()]
    assert sources and not any("secret" in src for src in sources)
