"""The 40 worked cases of docs/gradient-cases.md (C27/C28 per project decision 1)."""

from __future__ import annotations

import numpy as np
import pytest

import gdviz.autodiff as tf


pytestmark = pytest.mark.usefixtures("fresh_graph")


def const(v):
    return tf.constant(v)


def arr(v):
    return np.array(v)


def ev(grads):
    """Evaluate a gradients() result list, keeping None entries."""
    assert isinstance(grads, list)
    with tf.Session() as sess:
        return [None if g is None else sess.run(g) for g in grads]


def check(grads, expect):
    got = ev(grads)
    assert len(got) == len(expect)
    for g, e in zip(got, expect):
        if e is None:
            assert g is None
        else:
            assert g is not None
            np.testing.assert_allclose(g, e, rtol=1e-6)
            assert np.shape(g) == np.shape(e)


def test_c01_c02_blog_single():
    w1, w2 = const([[1., 2.]]), const([[3., 4.]])
    res = tf.matmul(w1, const([[2.], [1.]]))
    check(tf.gradients(res, [w1, w2]), [[[2., 1.]], None])
    check(tf.gradients(res, [w1, w2], unconnected_gradients="zero"), [[[2., 1.]], [[0., 0.]]])


def _blog_two():
    w1, w2 = const([[1., 2.]]), const([[3., 4.]])
    res2a = tf.matmul(w1, const([[2.], [1.]])) + tf.matmul(w2, const([[3.], [5.]]))
    res2b = tf.matmul(w1, const([[2.], [4.]])) + tf.matmul(w2, const([[8.], [6.]]))
    return w1, w2, res2a, res2b


def test_c03_blog_two_ys_summed():
    w1, w2, a, b = _blog_two()
    check(tf.gradients([a, b], [w1, w2]), [[[4., 5.]], [[11., 11.]]])


def test_c04_blog_two_ys_with_grad_ys():
    w1, w2, a, b = _blog_two()
    check(tf.gradients([a, b], [w1, w2], grad_ys=[[[1.]], [[2.]]]), [[[6., 9.]], [[19., 17.]]])


def test_c05_docstring_total_vs_partial():
    a = const(0.)
    b = 2. * a
    y = a + b
    check(tf.gradients(y, [a, b]), [3., 1.])
    check(tf.gradients(y, [a, b], stop_gradients=[a, b]), [1., 1.])


def test_c06_stop_gradient_op_equivalent():
    a0 = const(0.)
    a = tf.stop_gradient(a0)
    b = tf.stop_gradient(2. * a)
    y = a + b
    check(tf.gradients(y, [a, b]), [1., 1.])
    check(tf.gradients(y, [a0]), [None])
    check(tf.gradients(y, [a0], unconnected_gradients="zero"), [0.])


def test_c07_stop_gradient_cuts_one_path_only():
    x = const(3.)
    y = tf.stop_gradient(x) * x
    check(tf.gradients(y, x), [3.])


def test_c08_stop_gradients_on_intermediate_and_on_x():
    x = const(3.)
    y = x * x
    z = y * x
    check(tf.gradients(z, x), [27.])
    check(tf.gradients(z, x, stop_gradients=[y]), [9.])
    check(tf.gradients(z, x, stop_gradients=y), [9.])
    check(tf.gradients(z, x, stop_gradients=[x]), [27.])


def test_c09_stop_gradients_on_target_and_off_path():
    x = const(3.)
    y = 2. * x
    w = x * x
    u = const(5.) * 2.
    check(tf.gradients(y, x, stop_gradients=[y]), [None])
    check(tf.gradients(y, x, stop_gradients=[y], unconnected_gradients="zero"), [0.])
    check(tf.gradients(w, x, stop_gradients=[u]), [6.])
    check(tf.gradients(y, x, stop_gradients=[x]), [2.])


def test_c10_stop_gradients_tensor_that_is_also_a_y_or_x():
    x = const(2.)
    y = x * x
    z = y + x
    a = const(0.)
    b = 2. * a
    c = a + b
    check(tf.gradients([z, y], x, stop_gradients=[y]), [1.])
    check(tf.gradients(z, [x, y], stop_gradients=[y]), [1., 1.])
    check(tf.gradients(c, [a, b, c], stop_gradients=[a, b]), [1., 1., 1.])


def test_c11_x_and_its_function_both_in_xs():
    x = const(1.)
    y = x * 2.
    z = y * 3.
    check(tf.gradients(z, [x, y]), [6., 3.])


def test_c12_dependent_ys():
    x = const(3.)
    y = tf.square(x)
    y1 = tf.square(y)
    y2 = tf.square(y1)
    check(tf.gradients([y, y2], x), [17502.])
    check(tf.gradients(y + y2, x), [17502.])


def test_c13_sum_over_ys_list_and_tuple():
    x = const(3.)
    y1 = 2. * x
    y2 = x * x
    check(tf.gradients([y1, y2], x), [8.])
    check(tf.gradients((y1, y2), (x,)), [8.])


def test_c14_duplicate_ys_count_twice():
    x = const(3.)
    y = x * x
    check(tf.gradients([y, y], x), [12.])


def test_c15_duplicate_xs_same_gradient():
    x = const(3.)
    y = x * x
    check(tf.gradients(y, [x, x]), [6., 6.])


def test_c16_x_is_also_a_y():
    x = const([1., 2.])
    s = const(3.)
    t = 2. * s
    check(tf.gradients(x, x), [[1., 1.]])
    check(tf.gradients(x, x, grad_ys=arr([5., 7.])), [[5., 7.]])
    check(tf.gradients([t, s], s), [3.])
    check(tf.gradients(s, s, stop_gradients=[s]), [1.])


def test_c17_intermediate_as_x_and_non_ancestor():
    x = const(2.)
    y = 3. * x
    z = y + x
    a = const(1.)
    p = a * 2.
    q = a * 3.
    check(tf.gradients(z, [y]), [1.])
    check(tf.gradients(z, [x, y]), [4., 1.])
    check(tf.gradients(q, p), [None])


def test_c18_some_xs_unconnected():
    x1, x2 = const(2.), const(5.)
    y = 4. * x1
    check(tf.gradients([y], [x1, x2]), [4., None])
    check(tf.gradients([y], [x1, x2], unconnected_gradients="zero"), [4., 0.])


def test_c19_ys_that_do_not_depend_on_x_contribute_nothing():
    x = const(2.)
    y = x * x
    u = const(5.) * 2.
    check(tf.gradients([y, u], x), [4.])
    check(tf.gradients([y, u], x, grad_ys=[1., 100.]), [4.])


def test_c20_no_y_depends_on_x():
    x = const(2.)
    y1 = const(1.) + 1.
    y2 = const(3.) * 2.
    a = tf.ones([1, 2])
    b = tf.ones([3, 1])
    check(tf.gradients([y1, y2], x), [None])
    check(tf.gradients([y1, y2], x, unconnected_gradients="zero"), [0.])
    check(tf.gradients([b], [a], unconnected_gradients="none"), [None])
    check(tf.gradients([b], [a], unconnected_gradients="zero"), [[[0., 0.]]])
    check(tf.gradients([b], [a], unconnected_gradients=tf.UnconnectedGradients.ZERO), [[[0., 0.]]])


def test_c21_unconnected_gradients_invalid_value():
    x, y = const(1.), const(1.)
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'nonsense'"):
        tf.gradients([y], [x], unconnected_gradients="nonsense")
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'ZERO'"):
        tf.gradients([y], [x], unconnected_gradients="ZERO")


def test_c22_connected_but_zero_is_not_none():
    x = const(3.)
    check(tf.gradients(x - x, x), [0.])
    check(tf.gradients(x * x, x), [6.])
    check(tf.gradients(x + x, x), [2.])


def test_c23_grad_ys_length_mismatch():
    x = const(3.)
    y1 = 2. * x
    y2 = x * x
    with pytest.raises(ValueError, match="Passed 1 grad_ys for 2 ys"):
        tf.gradients([y1, y2], x, grad_ys=[1.])
    with pytest.raises(ValueError, match="Passed 2 grad_ys for 1 ys"):
        tf.gradients([y1], x, grad_ys=[1., 2.])
    with pytest.raises(ValueError, match="Passed 1 grad_ys for 2 ys"):
        tf.gradients([y1, y2], x, grad_ys=1.)
    v = const([5., 7.])
    with pytest.raises(ValueError, match="Passed 2 grad_ys for 1 ys"):
        tf.gradients(v, v, grad_ys=[5., 7.])


def test_c24_grad_ys_forms():
    x = const(3.)
    y = x * x
    y1 = 2. * x
    check(tf.gradients([y1, y], x, grad_ys=[None, 2.]), [14.])
    check(tf.gradients(y, x, grad_ys=10.), [60.])
    check(tf.gradients(y, x, grad_ys=(2.,)), [12.])


def test_c25_grad_ys_bad_dtype():
    x = const(3.)
    y = x * x
    c = tf.constant(7 + 3j, dtype=np.complex64)
    cy = tf.square(c)
    with pytest.raises(TypeError, match="must be real or integer"):
        tf.gradients(y, x, grad_ys=np.array("a"))
    with pytest.raises(TypeError, match="Gradients of complex tensors .*must set grad_ys"):
        tf.gradients(cy, c)


def test_c26_grad_ys_shape_mismatch():
    w = const([[1., 2.]])
    m = tf.matmul(w, const([[2.], [1.]]))
    x = const([1., 2.])
    y = x * 3.
    with pytest.raises(ValueError, match=r"MatMul.*\(2,\).*\(1, 1\)"):
        tf.gradients(m, w, grad_ys=arr([1., 2.]))
    with pytest.raises(ValueError, match=r"mul.*\(3,\).*\(2,\)"):
        tf.gradients(y, x, grad_ys=arr([1., 2., 3.]))
    # project decision 2: a Python scalar grad_y is broadcast to y's shape (TF would raise)
    check(tf.gradients(y, x, grad_ys=5.), [[15., 15.]])
    with pytest.raises(ValueError, match="shape"):
        tf.gradients(y, x, grad_ys=np.array(5.))  # an explicit 0-d array is not broadcast


def test_c27_integer_tensors_are_differentiated():
    """Project decision 1 (TF gives None / int 0 for the first two calls)."""
    n = tf.constant(3)
    m = n * 2
    f = const(2.)
    g = ev(tf.gradients(m, n))
    assert g[0] == 2 and g[0].dtype == np.int32
    g = ev(tf.gradients(m, n, unconnected_gradients="zero"))
    assert g[0] == 2 and g[0].dtype == np.int32
    g = ev(tf.gradients(n, n))
    assert g[0] == 1 and g[0].dtype == np.int32
    g = ev(tf.gradients(n, [n, f], unconnected_gradients="zero"))
    assert g[0] == 1 and g[0].dtype == np.int32 and g[1] == 0. and g[1].dtype == np.float32


def test_c28_float_through_integer_cast():
    x = const([3.9, 4.1])
    k = tf.cast(tf.cast(x, tf.int32), tf.float32)
    y = k * k
    v = const(3.)
    w = tf.cast(v, tf.int32) * 2
    check(tf.gradients(y, x), [None])
    check(tf.gradients(y, x, unconnected_gradients="zero"), [[0., 0.]])
    check(tf.gradients(w, v), [None])


def test_c29_aggregation_of_paths():
    x = const(1.)
    y = x * 2.
    z = y + y + y + y + y + y + y + y + y + y
    s = const(2.)
    a = s * s
    b = 3. * s
    d = a * b
    check(tf.gradients(z, [x, y]), [20., 10.])
    check(tf.gradients(d, s), [36.])


def test_c30_add_broadcasting_reduces_to_input_shape():
    x = const([[1., 2., 3.], [4., 5., 6.]])
    b = const([10., 20., 30.])
    c = const([[1.], [2.]])
    s = const(7.)
    p = const([[1.], [2.]])
    q = const([[10., 20., 30.]])
    ones = [[1., 1., 1.], [1., 1., 1.]]
    check(tf.gradients(x + b, [x, b]), [ones, [2., 2., 2.]])
    check(tf.gradients(x + c, [x, c]), [ones, [[3.], [3.]]])
    check(tf.gradients(x + s, [x, s]), [ones, 6.])
    check(tf.gradients(p + q, [p, q]), [[[3.], [3.]], [[2., 2., 2.]]])


def test_c31_add_broadcast_with_grad_ys_and_size1_dims():
    x = const([[1., 2., 3.], [4., 5., 6.]])
    b = const([10., 20., 30.])
    g = arr([[1., 2., 3.], [4., 5., 6.]])
    u = const([[1., 2., 3.]])
    v = const([[1., 1., 1.]])
    check(tf.gradients(x + b, [x, b], grad_ys=g), [[[1., 2., 3.], [4., 5., 6.]], [5., 7., 9.]])
    check(tf.gradients(u + v, [u, v], grad_ys=arr([[1., 2., 3.]])), [[[1., 2., 3.]], [[1., 2., 3.]]])


def test_c32_sub_and_mul_broadcasting():
    x = const([[1., 2., 3.], [4., 5., 6.]])
    b = const([10., 20., 30.])
    r = const([1., 2.])
    s = const(3.)
    check(tf.gradients(x - b, [x, b]), [[[1., 1., 1.], [1., 1., 1.]], [-2., -2., -2.]])
    check(tf.gradients(x * b, [x, b]), [[[10., 20., 30.], [10., 20., 30.]], [5., 7., 9.]])
    check(tf.gradients(r * s, [r, s]), [[3., 3.], 3.])


def test_c33_square_and_neg():
    x = const([1., 2., 3.])
    n = const([1., -2.])
    check(tf.gradients(tf.square(x), x), [[2., 4., 6.]])
    check(tf.gradients(tf.square(x), x, grad_ys=arr([1., 0., 2.])), [[2., 0., 12.]])
    check(tf.gradients(-n, n), [[-1., -1.]])
    check(tf.gradients(-n, n, grad_ys=arr([3., 4.])), [[-3., -4.]])


def test_c34_reduce_sum_gradient():
    x = const([[1., 2., 3.], [4., 5., 6.]])
    check(tf.gradients(tf.reduce_sum(x), x), [[[1., 1., 1.], [1., 1., 1.]]])
    check(tf.gradients(tf.reduce_sum(x, axis=0), x, grad_ys=arr([1., 2., 3.])), [[[1., 2., 3.], [1., 2., 3.]]])
    check(tf.gradients(tf.reduce_sum(x, axis=1), x, grad_ys=arr([1., 2.])), [[[1., 1., 1.], [2., 2., 2.]]])
    check(tf.gradients(tf.reduce_sum(x, axis=1, keepdims=True), x, grad_ys=arr([[1.], [2.]])),
          [[[1., 1., 1.], [2., 2., 2.]]])


def test_c35_reduce_mean_gradient_divides_by_count():
    x = const([[1., 2., 3.], [4., 5., 6.]])
    sixth = 1 / 6
    check(tf.gradients(tf.reduce_mean(x), x), [[[sixth] * 3, [sixth] * 3]])
    check(tf.gradients(tf.reduce_mean(x, axis=0), x), [[[.5] * 3, [.5] * 3]])
    check(tf.gradients(tf.reduce_mean(x, axis=1), x, grad_ys=arr([6., 12.])), [[[2.] * 3, [4.] * 3]])
    check(tf.gradients(tf.reduce_mean(x, axis=[0, 1]), x, grad_ys=12.), [[[2.] * 3, [2.] * 3]])


def test_c36_matmul_transpose_flags():
    A = const([[1., 2.], [3., 4.]])
    B = const([[5., 6.], [7., 8.]])
    check(tf.gradients(tf.matmul(A, B), [A, B]), [[[11., 15.], [11., 15.]], [[4., 4.], [6., 6.]]])
    check(tf.gradients(tf.matmul(A, B, transpose_a=True), [A, B]), [[[11., 11.], [15., 15.]], [[3., 3.], [7., 7.]]])
    check(tf.gradients(tf.matmul(A, B, transpose_b=True), [A, B]), [[[12., 14.], [12., 14.]], [[4., 6.], [4., 6.]]])
    check(tf.gradients(tf.matmul(A, B, transpose_a=True, transpose_b=True), [A, B]),
          [[[12., 12.], [14., 14.]], [[3., 7.], [3., 7.]]])


def test_c37_matmul_with_grad_ys_and_vector_shapes():
    A = const([[1., 2.], [3., 4.]])
    B = const([[5., 6.], [7., 8.]])
    a = const([[1., 2.]])
    b = const([[3.], [4.]])
    check(tf.gradients(tf.matmul(A, B), [A, B], grad_ys=arr([[1., 0.], [0., 2.]])),
          [[[5., 7.], [12., 16.]], [[1., 6.], [2., 8.]]])
    check(tf.gradients(tf.matmul(a, b), [a, b], grad_ys=arr([[2.]])), [[[6., 8.]], [[2.], [4.]]])


def test_c38_mse_pipeline():
    w = const([[1.], [2.]])
    X = const([[1., 2.], [3., 4.]])
    t = const([[1.], [1.]])
    loss = tf.reduce_mean(tf.square(tf.matmul(X, w) - t))
    check(tf.gradients(loss, [w, t, X]), [[[34.], [48.]], [[-4.], [-10.]], [[4., 8.], [10., 20.]]])


def test_c39_empty_lists():
    x = const(3.)
    y = 2. * x
    assert tf.gradients(y, []) == []
    check(tf.gradients([], [x]), [None])


def test_c40_grad_ys_rank_mismatch_for_scalar_y():
    x = const(1.)
    y1 = x * 2.
    y2 = x * 3.
    with pytest.raises(ValueError, match=r"\(1,\)"):
        tf.gradients([y1, y2], [x], grad_ys=[[1.], [2.]])


def test_stop_gradients_equal_stop_gradient_ops_tf_testStopGradients():
    """TF's ``testStopGradients``: for every subset S of a chain graph, ``stop_gradients=S``
    gives the same gradients as inserting ``stop_gradient`` ops at S."""
    def make(rng, stops=""):
        def function_of(xs, k=3):
            return tf.convert_to_tensor(sum(tf.matmul(rng.rand(k, k), x) for x in xs) + rng.rand(k, k))
        g = {}
        for name, deps in (("a", ""), ("b", "a"), ("c", "ab"), ("d", "bc")):
            t = function_of([g[d] for d in deps])
            g[name] = tf.stop_gradient(t) if name in stops else t
        return g

    def grads(ys, xs, **kw):
        out = tf.gradients(ys, xs, **kw)
        return [0. * x if g is None else g for x, g in zip(xs, out)]

    subsets = [""] + "a b c d ab ac ad bc bd cd abc abd acd bcd abcd".split()
    plain = make(np.random.RandomState(11))
    pairs = []
    for constants in subsets:
        stopped = make(np.random.RandomState(11), constants)
        for variables in subsets:
            g1 = grads([stopped[v] for v in variables], [stopped[v] for v in constants])
            g2 = grads([plain[v] for v in variables], [plain[v] for v in constants],
                       stop_gradients=[plain[v] for v in constants])
            pairs.append((g1, g2))
    with tf.Session() as sess:
        for g1, g2 in pairs:
            for a, b in zip(sess.run(g1), sess.run(g2)):
                np.testing.assert_allclose(a, b, rtol=1e-12)


def test_boundary_stop_x_itself_is_never_differentiated():
    """TF's ``testBoundaryStop``: an x's own op is not differentiated (its rule is not even
    looked up), while differentiating through an op without a rule is a LookupError."""
    c = const([1., -2.])
    r = tf.gradients(tf.relu(c), c)[0]
    assert r.op_type == "ReluGrad"   # no gradient rule registered for ReluGrad
    y = r * 3.
    check(tf.gradients(y, r), [[3., 3.]])
    with pytest.raises(LookupError, match=r"No gradient defined for operation '.*ReluGrad' \(op type: ReluGrad\)"):
        tf.gradients(y, c)
