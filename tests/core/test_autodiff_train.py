"""Optimizers: first steps against TF1's update rules computed by hand in numpy (float64)."""

from __future__ import annotations

import numpy as np
import pytest

import gdviz.autodiff as tf

RNG = np.random.default_rng(7)
X = RNG.random((2, 20), dtype=np.float32)
YD = (np.dot([0.1, 0.2], X) + 0.3).astype(np.float32)
W0 = np.array([[0.5, -0.4]], np.float32)
B0 = np.array([0.1], np.float32)


pytestmark = pytest.mark.usefixtures("fresh_graph")


def model():
    b = tf.Variable(B0)
    W = tf.Variable(W0)
    loss = tf.reduce_mean(tf.square(tf.matmul(W, X) + b - YD))
    return W, b, loss


def np_grads(W, b):
    d = W @ X.astype(np.float64) + b - YD
    g = 2 * d / d.size
    return g @ X.T, g.sum(keepdims=True)[0]


def run_steps(opt, steps=3):
    W, b, loss = model()
    train = opt.minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    out = []
    for _ in range(steps):
        sess.run(train)
        out.append(sess.run([W, b]))
    return out, sess, W, b


def compare(got, expected):
    for (gw, gb), (ew, eb) in zip(got, expected):
        np.testing.assert_allclose(gw, ew, rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(gb, eb, rtol=2e-5, atol=1e-6)


def reference(update, steps=3, slots=None):
    params = [W0.astype(np.float64), B0.astype(np.float64)]
    state = [dict(slots(p)) if slots else {} for p in params]
    out = []
    for t in range(1, steps + 1):
        gs = np_grads(*params)
        params = [update(p, g, s, t) for p, g, s in zip(params, gs, state)]
        out.append([p.copy() for p in params])
    return out


def test_gradient_descent():
    got, *_ = run_steps(tf.train.GradientDescentOptimizer(0.5))
    compare(got, reference(lambda p, g, s, t: p - 0.5 * g))


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov):
    lr, mu = 0.1, 0.9

    def upd(p, g, s, t):
        s["a"] = mu * s["a"] + g
        return p - (lr * g + lr * mu * s["a"] if nesterov else lr * s["a"])
    got, sess, W, _ = run_steps(tf.train.MomentumOptimizer(lr, mu, use_nesterov=nesterov))
    compare(got, reference(upd, slots=lambda p: {"a": np.zeros_like(p)}))


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop_tf1_rule(momentum):
    lr, decay, eps = 0.01, 0.9, 1e-10

    def upd(p, g, s, t):
        s["ms"] = s["ms"] + (g * g - s["ms"]) * (1 - decay)
        s["mom"] = momentum * s["mom"] + lr * g / np.sqrt(s["ms"] + eps)
        return p - s["mom"]
    got, *_ = run_steps(tf.train.RMSPropOptimizer(lr, momentum=momentum))
    compare(got, reference(upd, slots=lambda p: {"ms": np.ones_like(p), "mom": np.zeros_like(p)}))


def test_adam_tf1_rule():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8

    def upd(p, g, s, t):
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
        s["v"] = s["v"] + (g * g - s["v"]) * (1 - b2)
        return p - lr_t * s["m"] / (np.sqrt(s["v"]) + eps)
    opt = tf.train.AdamOptimizer(lr)
    got, sess, W, b = run_steps(opt)
    compare(got, reference(upd, slots=lambda p: {"m": np.zeros_like(p), "v": np.zeros_like(p)}))
    b1p, b2p = opt.variables()[:2]
    np.testing.assert_allclose(sess.run([b1p, b2p]), [b1 ** 4, b2 ** 4], rtol=1e-6)


def test_slot_initial_values_and_names():
    W, b, loss = model()
    rms, adam, mom = (tf.train.RMSPropOptimizer(0.1), tf.train.AdamOptimizer(), tf.train.MomentumOptimizer(0.1, 0.9))
    for opt in (rms, adam, mom):
        opt.minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(rms.get_slot(W, "rms")), np.ones((1, 2)))      # TF1: ones
    np.testing.assert_array_equal(sess.run(rms.get_slot(W, "momentum")), np.zeros((1, 2)))
    np.testing.assert_array_equal(sess.run(adam.get_slot(W, "m")), np.zeros((1, 2)))
    np.testing.assert_array_equal(sess.run(mom.get_slot(b, "momentum")), np.zeros(1))
    b1p, b2p = adam.variables()[:2]
    np.testing.assert_allclose(sess.run([b1p, b2p]), [0.9, 0.999], rtol=1e-7)
    assert rms.get_slot(W, "rms").name == "Variable_1/RMSProp"
    assert rms.get_slot(W, "momentum").name == "Variable_1/RMSProp_1"
    assert adam.get_slot(W, "v").name == "Variable_1/Adam_1"
    assert mom.get_slot(W, "momentum").name == "Variable_1/Momentum"
    assert set(tf.trainable_variables()) == {W, b}


def test_defaults():
    rms, adam = tf.train.RMSPropOptimizer(0.1), tf.train.AdamOptimizer()
    assert (rms._decay, rms._momentum, rms._epsilon) == (0.9, 0.0, 1e-10)
    assert (adam._lr, adam._beta1, adam._beta2, adam._epsilon) == (0.001, 0.9, 0.999, 1e-8)
    assert not tf.train.MomentumOptimizer(0.1, 0.9)._nesterov


def test_optimizer_and_manual_assign_are_bit_identical():
    got, *_ = run_steps(tf.train.GradientDescentOptimizer(0.5), steps=50)
    tf.reset_default_graph()
    W, b, loss = model()
    gW, gb = tf.gradients(loss, [W, b])
    new_W, new_b = W.assign(W - 0.5 * gW), b.assign(b - 0.5 * gb)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    for step in range(50):
        sess.run([new_W, new_b])
        w, bb = sess.run([W, b])
        assert np.array_equal(w, got[step][0]) and np.array_equal(bb, got[step][1]), step


def test_update_nodes_names_and_kinds():
    W, b, loss = model()
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    assert train.name == "GradientDescent" and train.op_type == "NoOp"
    spec = tf.describe_graph()
    apply = spec.node("GradientDescent/update_Variable_1/ApplyGradientDescent")
    assert apply.kind == "update" and apply.inputs[0] == "Variable_1"
    assert spec.node("GradientDescent/learning_rate").kind == "constant"
    assert spec.node("Variable").kind == "variable"
    assert spec.node("gradients/MatMul_grad/MatMul").kind == "gradient"


def test_var_list_grad_loss_and_compute_apply():
    W, b, loss = model()
    opt = tf.train.GradientDescentOptimizer(0.5)
    gv = opt.compute_gradients(loss, var_list=[b], grad_loss=2.0)
    assert [v for _, v in gv] == [b]
    train = opt.apply_gradients(gv)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    sess.run(train)
    w, bb = sess.run([W, b])
    np.testing.assert_array_equal(w, W0)  # not in var_list
    np.testing.assert_allclose(bb, B0 - 0.5 * 2.0 * np_grads(W0, B0)[1], rtol=1e-5)


def test_no_gradients_raises():
    W, b, loss = model()
    c = tf.Variable(1.0)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[c])


def test_tensor_learning_rate_changes_without_rebuilding():
    lr = tf.Variable(0.5, trainable=False)
    W, b, loss = model()
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    sess.run(lr.assign(0.0))
    sess.run(train)
    np.testing.assert_array_equal(sess.run(W), W0)
    sess.run(lr.assign(0.5))
    sess.run(train)
    np.testing.assert_allclose(sess.run(W), W0 - 0.5 * np_grads(W0, B0)[0], rtol=1e-5)
    assert set(tf.trainable_variables()) == {W, b}
