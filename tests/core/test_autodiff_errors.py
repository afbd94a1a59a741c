"""Each error condition: its type (as TF) and a message naming the op, node and shapes."""

from __future__ import annotations

import numpy as np
import pytest

import gdviz.autodiff as tf
from gdviz.autodiff import errors


pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_elementwise_shape_mismatch_names_op_nodes_and_shapes():
    a = tf.constant(np.ones((2, 3), np.float32), name="a")
    b = tf.constant([1., 2., 3., 4.], name="b")
    with pytest.raises(ValueError, match=r"3 and 4 for 'add' \(op: Add\).*a \(2, 3\), b \(4,\)"):
        a + b


def test_matmul_inner_dimension_and_rank():
    a = tf.constant(np.ones((2, 3), np.float32), name="a")
    with pytest.raises(ValueError, match=r"3 and 2 for 'MatMul' \(op: MatMul\).*a \(2, 3\)"):
        tf.matmul(a, a)
    with pytest.raises(ValueError, match=r"rank 2 but is rank 1 .*MatMul.*\(3,\)"):
        tf.matmul(a, tf.constant([1., 2., 3.]))
    tf.matmul(a, a, transpose_b=True)  # fine


def test_dtype_mismatch_between_tensors_is_type_error():
    a = tf.constant([1., 2.])
    b = tf.constant(np.array([1., 2.]))  # float64
    with pytest.raises(TypeError, match="Input 'y' of 'Sub' Op has type float64 .* float32"):
        a - b


def test_python_operand_takes_the_tensor_dtype():
    y = tf.constant(np.ones(3, np.float32))
    d = y - np.array([1., 2., 3.])  # float64 numpy data meets a float32 tensor
    assert d.dtype == np.float32
    assert tf.constant(3).dtype == np.int32 and tf.constant(3.).dtype == np.float32
    with pytest.raises(TypeError, match="integer tensor"):
        tf.constant(1) * 2.5


def test_bad_reduction_axis():
    with pytest.raises(ValueError, match=r"Invalid reduction dimension 3 .*Sum.*\(2, 3\)"):
        tf.reduce_sum(tf.ones([2, 3]), axis=3)


def test_grad_ys_errors():
    x = tf.constant([1., 2.], name="x")
    y = tf.multiply(x, 3., name="y")
    with pytest.raises(ValueError, match="Passed 2 grad_ys for 1 ys"):
        tf.gradients(y, x, grad_ys=[1., 2.])
    with pytest.raises(ValueError, match=r"y 'y' has shape \(3,\), but y has shape \(2,\)"):
        tf.gradients(y, x, grad_ys=np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(2, 1\)"):
        tf.gradients(y, x, grad_ys=tf.ones([2, 1]))
    with pytest.raises(TypeError, match="does not match type float32"):
        tf.gradients(y, x, grad_ys=tf.constant([1, 2]))


def test_unknown_unconnected_gradients_checked_first():
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: None"):
        tf.gradients(tf.constant(1.), tf.constant(2.), grad_ys=[1., 2., 3.], unconnected_gradients=None)


def test_no_gradient_defined_is_lookup_error():
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable(1.0)
    with pytest.raises(LookupError, match=r"No gradient defined for operation 'Assign' \(op type: Assign\)"):
        tf.gradients(v.assign(tf.reduce_sum(x)), x)


def test_stop_gradients_must_be_tensors():
    x = tf.constant(1.)
    with pytest.raises(AttributeError, match="'float' object has no attribute 'op'"):
        tf.gradients(x * 2., x, stop_gradients=[1.0])


def test_feed_wrong_shape_and_missing_feed():
    x = tf.placeholder(tf.float32, [2], name="x")
    sess = tf.Session()
    msg = r"Cannot feed value of shape \(3,\) for Tensor 'x:0', which has shape '\(2,\)'"
    with pytest.raises(ValueError, match=msg):
        sess.run(x * 2., {x: [1., 2., 3.]})
    with pytest.raises(errors.InvalidArgumentError, match="You must feed a value for placeholder tensor 'x'"):
        sess.run(x * 2.)
    p = tf.placeholder(tf.float32, [None, 2], name="p")
    assert sess.run(p, {p: np.ones((5, 2))}).shape == (5, 2)
    with pytest.raises(ValueError, match=r"which has shape '\(\?, 2\)'"):
        sess.run(p, {p: np.ones((5, 3))})


def test_none_fetch_is_type_error_mentioning_none():
    x = tf.constant(1.)
    with pytest.raises(TypeError, match="Fetch argument None has invalid type <class 'NoneType'>"):
        tf.Session().run([x, None])
    w1, w2 = tf.Variable([[1, 2]]), tf.Variable([[3, 4]])
    grads = tf.gradients(tf.matmul(w1, [[2], [1]]), [w1, w2])
    assert grads[1] is None
    with pytest.raises(TypeError, match="None"):
        tf.Session().run(grads)


def test_uninitialised_variable():
    v = tf.Variable(tf.zeros([2]))
    assert issubclass(errors.FailedPreconditionError, ValueError)
    sess = tf.Session()
    with pytest.raises(errors.FailedPreconditionError, match="Attempting to use uninitialized value Variable"):
        sess.run(v * 2.)
    sess.run(v.initializer)
    np.testing.assert_array_equal(sess.run(v * 2.), [0., 0.])


def test_assign_shape_and_dtype():
    v = tf.Variable(tf.zeros([2]))
    with pytest.raises(ValueError, match=r"Assign: shapes of variable Variable \(2,\)"):
        v.assign(tf.zeros([3]))
    with pytest.raises(TypeError):
        v.assign(tf.constant([1, 2]))


def test_session_misuse():
    x = tf.constant(1.)
    with pytest.raises(ValueError, match="No default session"):
        x.eval()
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(x)
    other = tf.Graph()
    with other.as_default():
        y = tf.constant(2.)
    with pytest.raises(ValueError, match="not an element of this graph"):
        tf.Session().run(y)
    with pytest.raises(TypeError, match="invalid type"):
        tf.Session().run(3.5)
    with pytest.raises(ValueError, match="does not exist"):
        tf.Session().run("nope:0")


def test_bad_node_name():
    with pytest.raises(ValueError, match="not a valid node name"):
        tf.constant(1., name="bad name!")


def test_unshaped_placeholder_is_a_scalar():
    lr = tf.placeholder(tf.float32, name="lr")
    sess = tf.Session()
    assert sess.run(lr * 2., {lr: 0.5}) == 1.0
    with pytest.raises(ValueError, match=r"shape \(2,\) for Tensor 'lr:0', which was declared without a shape"):
        sess.run(lr * 2., {lr: [1., 2.]})
