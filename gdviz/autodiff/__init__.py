"""``import gdviz.autodiff as tf``: a numpy reverse-mode autodiff with TensorFlow 1's graph API.

Build a graph with ops (nodes get TF-style names), take ``gradients(ys, xs, ...)`` with TF1's
exact semantics (gradients are graph nodes too), and run anything in a ``Session``.  Integer
tensors are differentiated (integer results), a project decision so the tutorial's integer
example prints its published numbers.
"""

from __future__ import annotations

from types import SimpleNamespace

from . import errors, train
from .checker import check_gradients
from .describe import GradientRecord, GraphSpec, describe_graph
from .gradients import UnconnectedGradients, gradients
from .graph import (Graph, Tensor, as_dtype, bool_, convert_to_tensor, float16, float32, float64,
                    get_default_graph, int32, int64, reset_default_graph, set_random_seed)
from .ops import (add, add_n, broadcast_to, cast, constant, divide, exp, group, identity, log, matmul,
                  multiply, negative, no_op, ones, ones_like, placeholder, random_uniform, realdiv,
                  reduce_mean, reduce_sum, relu, reshape, sigmoid, sqrt, square, stop_gradient, subtract,
                  tanh, truediv, zeros, zeros_like)
from .session import InteractiveSession, Session, get_default_session
from .variables import (Variable, global_variables, global_variables_initializer,
                        initialize_all_variables, trainable_variables, variables_initializer)

nn = SimpleNamespace(relu=relu, sigmoid=sigmoid, tanh=tanh)
math = SimpleNamespace(add=add, subtract=subtract, multiply=multiply, divide=divide, square=square, exp=exp,
                       log=log, sqrt=sqrt, sigmoid=sigmoid, tanh=tanh, negative=negative, reduce_sum=reduce_sum,
                       reduce_mean=reduce_mean)
sub = subtract
mul = multiply
neg = negative

__all__ = [
    "errors", "train", "check_gradients", "GradientRecord", "GraphSpec", "describe_graph",
    "UnconnectedGradients", "gradients", "Graph", "Tensor", "as_dtype", "bool_", "convert_to_tensor",
    "float16", "float32", "float64", "get_default_graph", "int32", "int64", "reset_default_graph",
    "set_random_seed", "add", "add_n", "broadcast_to", "cast", "constant", "divide", "exp", "group",
    "identity", "log", "matmul", "multiply", "negative", "no_op", "ones", "ones_like", "placeholder",
    "random_uniform", "realdiv", "reduce_mean", "reduce_sum", "relu", "reshape", "sigmoid", "sqrt", "square",
    "stop_gradient", "subtract", "tanh", "truediv", "zeros", "zeros_like", "InteractiveSession", "Session",
    "get_default_session", "Variable", "global_variables", "global_variables_initializer",
    "initialize_all_variables", "trainable_variables", "variables_initializer", "nn", "math",
]
