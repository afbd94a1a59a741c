"""Session: nested fetches, feeds, the plan cache, and no aliasing of returned values."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import gdviz.autodiff as tf


pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_nested_fetches_keep_structure():
    a, b = tf.constant(1.), tf.constant([2., 3.])
    c = a + b
    sess = tf.Session()
    out = sess.run({"a": a, "pair": (b, [c, a]), "list": [[a]]})
    assert list(out) == ["a", "pair", "list"]
    assert out["a"] == 1.0 and isinstance(out["pair"], tuple) and isinstance(out["pair"][1], list)
    np.testing.assert_array_equal(out["pair"][1][0], [3., 4.])
    assert out["list"] == [[1.0]]
    P = namedtuple("P", "x y")
    p = sess.run(P(a, c))
    assert isinstance(p, P) and p.x == 1.0
    assert sess.run(c.name) .tolist() == [3., 4.] and sess.run("add:0").tolist() == [3., 4.]
    assert sess.run([]) == [] and sess.run(()) == ()


def test_scalar_fetch_is_numpy_scalar_and_ops_give_none():
    x = tf.constant(2.)
    sess = tf.Session()
    v = sess.run(x * 3.)
    assert v == 6.0 and v.dtype == np.float32 and np.ndim(v) == 0
    assert sess.run(tf.no_op()) is None
    assert sess.run(tf.global_variables_initializer()) is None


def test_feed_dict_placeholders_and_other_tensors():
    x = tf.placeholder(tf.float32, [None], name="x")
    y = x * 2.
    z = y + 1.
    sess = tf.Session()
    np.testing.assert_array_equal(sess.run(z, {x: [1, 2, 3]}), [3., 5., 7.])
    np.testing.assert_array_equal(sess.run(z, {"x:0": np.array([1.])}), [3.])
    np.testing.assert_array_equal(sess.run(z, feed_dict={x: [0.], y: [10.]}), [11.])  # feeding an intermediate
    assert sess.run(x, {x: [1, 2]}).dtype == np.float32


def test_plan_is_compiled_once_per_fetch_set():
    W = tf.Variable([[1., 2.]])
    loss = tf.reduce_sum(tf.square(W))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    x = tf.placeholder(tf.float32, [2])
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    n0 = sess.compile_count
    for _ in range(5):
        sess.run(train)
    assert sess.compile_count == n0 + 1
    for _ in range(5):
        sess.run([train, loss])
    assert sess.compile_count == n0 + 2
    y = x * 2.
    for i in range(3):
        sess.run(y, {x: [i, i]})
    assert sess.compile_count == n0 + 3
    sess.run((train, loss))  # a tuple is another structure
    assert sess.compile_count == n0 + 4


def test_returned_values_are_not_aliases():
    W = tf.Variable(np.array([[1., 2.]], np.float32))
    c = tf.constant([5., 6.])
    x = tf.placeholder(tf.float32, [2])
    new = W.assign(W * 2.)
    sess = tf.Session()
    sess.run(W.initializer)
    w = sess.run(W)
    w[0, 0] = 99.
    np.testing.assert_array_equal(sess.run(W), [[1., 2.]])
    n = sess.run(new)
    n[0, 0] = -1.
    np.testing.assert_array_equal(sess.run(W), [[2., 4.]])
    cv = sess.run(c)
    cv[0] = 0.
    np.testing.assert_array_equal(sess.run(c), [5., 6.])
    feed = np.array([1., 2.], np.float32)
    out = sess.run(x, {x: feed})
    assert out is not feed
    a, b = sess.run([W, W])
    assert a is not b
    both = sess.run([x * 2., tf.identity(x)], {x: feed})
    assert not np.shares_memory(both[1], feed)


def test_in_place_temporaries_never_corrupt_fetched_values():
    x = tf.constant(np.arange(4, dtype=np.float32))
    v = tf.Variable(np.ones(4, np.float32))
    a = x * v          # fresh temporary
    b = a + 1.         # may write into a's buffer only if a is not needed elsewhere
    sess = tf.Session()
    sess.run(v.initializer)
    ra, rb = sess.run([a, b])
    np.testing.assert_array_equal(ra, [0., 1., 2., 3.])
    np.testing.assert_array_equal(rb, [1., 2., 3., 4.])
    np.testing.assert_array_equal(sess.run(b), [1., 2., 3., 4.])


def test_fed_arrays_are_never_written():
    x = tf.placeholder(tf.float32, [3])
    y = tf.square(x * 2.) + 1.
    feed = np.array([1., 2., 3.], np.float32)
    tf.Session().run(y, {x: feed})
    np.testing.assert_array_equal(feed, [1., 2., 3.])


def test_variables_are_per_session_and_assign_ops():
    v = tf.Variable(1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(tf.global_variables_initializer())
    s2.run(tf.global_variables_initializer())
    assert s1.run(v.assign_add(2.)) == 3.0
    assert s1.run(v.assign_sub(0.5)) == 2.5
    assert s2.run(v) == 1.0
    assert s1.run(v.assign(7.)) == 7.0 and s1.run(v) == 7.0


def test_snapshot_semantics_within_one_run():
    """Every read of a variable in one run sees the value from the start of that run."""
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    sess = tf.Session()
    sess.run(v.initializer)
    old, new = sess.run([v * 1.0, inc])
    assert (old, new) == (1.0, 2.0)


def test_default_session_eval_and_op_run():
    v = tf.Variable(3.0)
    with tf.Session() as sess:
        tf.global_variables_initializer().run()
        assert (v * 2.).eval() == 6.0
        assert tf.get_default_session() is sess
    assert tf.get_default_session() is None
    isess = tf.InteractiveSession()
    v.initializer.run()
    assert v.eval() == 3.0
    isess.close()
    assert tf.get_default_session() is None


def test_session_enter_makes_its_graph_default():
    g = tf.Graph()
    with tf.Session(graph=g):
        c = tf.constant(1.)
    assert c.graph is g


def test_random_uniform_seeded_and_fresh_each_run():
    tf.set_random_seed(3)
    r = tf.random_uniform([3], -1., 1.)
    s = tf.Session()
    a, b = s.run(r), s.run(r)
    assert not np.array_equal(a, b) and np.all((a >= -1) & (a < 1)) and a.dtype == np.float32
    np.testing.assert_array_equal(tf.Session().run(r), a)  # same seed, new session: same sequence
    r2 = tf.random_uniform([2], seed=5)
    np.testing.assert_array_equal(tf.Session().run(r2), tf.Session().run(r2))


def test_constant_subgraphs_are_folded():
    W = tf.Variable(np.ones((1, 2), np.float32))
    loss = tf.reduce_mean(tf.square(W - 1.))
    g, = tf.gradients(loss, [W])
    sess = tf.Session()
    sess.run(W.initializer)
    sess.run(g)
    plan = next(p for k, p in sess._plans.items() if k is g)
    kinds = {n.op_type for n in plan.nodes}
    assert "Const" not in kinds and "BroadcastTo" not in kinds and "Reshape" not in kinds


def test_in_place_never_overwrites_a_buffer_still_seen_through_a_view():
    v = tf.Variable(np.arange(6, dtype=np.float32))
    x = v * 1.0                      # fresh temporary
    r = tf.reshape(x, (2, 3))        # a view of x's buffer
    n = -x                           # last direct reader of x
    m = tf.square(r)                 # reads x's buffer through the view, after n
    sess = tf.Session()
    sess.run(v.initializer)
    got_r, got_n = sess.run([r, n])  # r is computed first, n last reads x directly
    np.testing.assert_array_equal(got_r, np.arange(6.).reshape(2, 3))
    np.testing.assert_array_equal(got_n, -np.arange(6.))
    got_r, got_n, got_m = sess.run([r, n, m])
    np.testing.assert_array_equal(got_m, np.square(np.arange(6.)).reshape(2, 3))


def test_assigning_a_fed_array_keeps_a_copy():
    v = tf.Variable(np.zeros(2, np.float32))
    x = tf.placeholder(tf.float32, [2])
    sess = tf.Session()
    feed = np.array([1., 2.], np.float32)
    sess.run(v.assign(x), {x: feed})
    feed[0] = 42.
    np.testing.assert_array_equal(sess.run(v), [1., 2.])


# --- differential test of the planner (folding, scalars, in-place reuse) against a naive interpreter
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gdviz.autodiff.kernels import KERNELS  # noqa: E402


def naive_eval(node, values):
    if node not in values:
        if node.op_type == "Const":
            values[node] = node.attrs["value"]
        else:
            fn = KERNELS[node.op_type](node)[0]
            values[node] = np.array(fn(*[naive_eval(i, values) for i in node.inputs]))
    return values[node]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=10),
       st.lists(st.integers(0, 50), min_size=1, max_size=5))
def test_plans_match_a_naive_interpreter(steps, fetch_idx):
    tf.reset_default_graph()
    rng = np.random.default_rng(len(steps))
    v = tf.Variable(rng.standard_normal((2, 3)).astype(np.float32))
    pool = [v, tf.constant(rng.standard_normal(3).astype(np.float32)), tf.ones([2, 3]) * 0.5]
    for kind, i, j in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        ops = [lambda: a + b, lambda: a - b, lambda: a * b, lambda: -a, lambda: tf.square(a),
               lambda: tf.tanh(a), lambda: tf.reshape(tf.reshape(a, (a.shape[::-1] or ())), a.shape),
               lambda: tf.identity(a), lambda: tf.reduce_sum(a, axis=0, keepdims=True) * b,
               lambda: tf.stop_gradient(a) + 1.0]
        pool.append(ops[kind]())
    fetches = [pool[k % len(pool)] for k in fetch_idx]
    same_shape = [p for p in pool[1:] if p.shape == (2, 3)]
    assign = v.assign(same_shape[fetch_idx[0] % len(same_shape)]) if same_shape and fetch_idx[0] % 2 else None
    if assign is not None:
        fetches.insert(fetch_idx[-1] % (len(fetches) + 1), assign)
    sess = tf.Session()
    sess.run(v.initializer)
    for _ in range(2):   # the second run uses the cached plan and the variable's new value
        values = {v: sess.run(v)}
        got = sess.run(fetches)
        for f, g in zip(fetches, got):
            want = naive_eval(f.inputs[1] if f is assign else f, values)
            np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-6)
        if assign is not None:
            np.testing.assert_allclose(sess.run(v), naive_eval(assign.inputs[1], values), rtol=1e-6, atol=1e-6)
