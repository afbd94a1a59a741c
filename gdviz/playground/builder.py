"""Turn a parsed playground program into engine tensors in a fresh graph.

The node made for ``name = expr`` is given the user's name (``w1``, ``res2a``) so the graph
view shows it; inner sub-expressions get the engine's TF-style names (``MatMul``, ``add_1``).
Engine errors raised while building (shape or dtype mismatches) become :class:`ExprError`
positioned at the operator or call that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

import gdviz.autodiff as tf
from gdviz.playground.exprlang import Assign, BinOp, Call, ExprError, Literal, Name, Neg, Node, Program, parse

_BINARY = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "@": "matmul"}
_UNARY = ("square", "sqrt", "exp", "log", "tanh", "sigmoid", "relu", "stop_gradient")


@dataclass
class Built:
    """A built program.

    Attributes
    ----------
    graph : Graph
        The fresh graph holding every node.
    tensors : dict of str to Tensor
        The user's names, in definition order, to their nodes.
    program : Program
    wrapped : dict of str to str
        For each name in ``stop_gradient_ops``: the node *inside* the inserted StopGradient op.
    """

    graph: object
    tensors: dict
    program: Program
    wrapped: dict

    def node_name(self, name: str) -> str:
        """Graph node name of user name ``name`` (the same unless it clashed)."""
        return self.tensors[name].name

    def user_name(self, node_name: str) -> str:
        """The user's name for a graph node, or the node name itself."""
        for user, t in self.tensors.items():
            if t.name == node_name:
                return user
        return node_name


def build(program: str | Program, stop_gradient_ops: Iterable[str] = (), graph=None) -> Built:
    """Build ``program`` into ``graph`` (default: a new ``tf.Graph``).

    Parameters
    ----------
    program : str or Program
        Program text (parsed here) or an already parsed :class:`Program`.
    stop_gradient_ops : iterable of str
        Names whose definition is wrapped in an inserted ``tf.stop_gradient`` op: the name
        then refers to the StopGradient node, so every consumer sees ``stop_gradient(t)``.

    Raises
    ------
    ExprError
        Parse errors, and engine shape/dtype errors mapped to the offending token.
    """
    prog = parse(program) if isinstance(program, str) else program
    if not prog.statements:
        raise ExprError("the program defines no tensors: write a line like 'w1 = [[1, 2]]'", 1, 1)
    graph = graph if graph is not None else tf.Graph()
    wrap = set(stop_gradient_ops)
    tensors: dict = {}
    wrapped: dict = {}
    with graph.as_default():
        for stmt in prog.statements:
            if stmt.target in wrap:
                inner = _top(stmt, tensors, None)
                wrapped[stmt.target] = inner.name
                tensors[stmt.target] = _engine(lambda: tf.stop_gradient(inner, name=stmt.target), stmt)
            else:
                tensors[stmt.target] = _top(stmt, tensors, stmt.target)
    return Built(graph=graph, tensors=tensors, program=prog, wrapped=wrapped)


def _engine(make, node: Node):
    """Run one engine constructor; its ValueError/TypeError is reported at ``node``."""
    try:
        return make()
    except ExprError:
        raise
    except (ValueError, TypeError) as exc:
        message = str(exc)
        if isinstance(exc, TypeError) and "int" in message:
            message += " (integer literals make int32 tensors: write 2. or 2.0 for a float)"
        raise ExprError(message, node.line, node.col) from None


def _top(stmt: Assign, env: dict, name: str | None):
    """The node for a whole right-hand side, named ``name``."""
    expr = stmt.expr
    if isinstance(expr, Literal):  # a bare literal is a variable-like leaf
        return _engine(lambda: _variable(expr.value, name), expr)
    if isinstance(expr, Name):
        return _engine(lambda: tf.identity(env[expr.id], name=name), stmt)
    return _expr(expr, env, name)


def _variable(value: np.ndarray, name: str | None):
    return tf.Variable(value, name=name) if name else tf.Variable(value)


def _expr(node: Node, env: dict, name: str | None = None):
    """Tensor (or raw ndarray for a literal operand) for ``node``."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return env[node.id]
    if isinstance(node, Neg):
        x = _expr(node.operand, env)
        return _engine(lambda: tf.negative(x, name=name), node)
    if isinstance(node, BinOp):
        if node.op == "**":
            raise ExprError("'**' is for update rules only; write square(x) or x * x", node.line, node.col)
        a, b = _expr(node.left, env), _expr(node.right, env)
        fn = getattr(tf, _BINARY[node.op])
        return _engine(lambda: fn(a, b, name=name), node)
    if isinstance(node, Call):
        return _call(node, env, name)
    raise ExprError(f"cannot build {type(node).__name__}", node.line, node.col)  # pragma: no cover


def _call(node: Call, env: dict, name: str | None):
    f = node.func
    if f in ("constant", "variable"):
        arg = node.args[0]
        if not isinstance(arg, Literal):
            raise ExprError(f"{f}() takes a number or an array literal like [[1, 2]]", arg.line, arg.col)
        make = (lambda: tf.constant(arg.value, name=name)) if f == "constant" else \
            (lambda: _variable(arg.value, name))
        return _engine(make, node)
    args = [_expr(a, env) for a in node.args]
    if f in _UNARY:
        fn = getattr(tf, f)
        return _engine(lambda: fn(args[0], name=name), node)
    if f == "matmul":
        return _engine(lambda: tf.matmul(args[0], args[1], name=name), node)
    # reduce_sum / reduce_mean
    kw = {k: _keyword(k, v, line, col) for k, v, line, col in node.kwargs}
    fn = getattr(tf, f)
    return _engine(lambda: fn(args[0], axis=kw.get("axis"), keepdims=kw.get("keepdims", False), name=name), node)


def _keyword(key: str, value: Node, line: int, col: int):
    """Python value of ``axis=`` (int, list of ints or None) or ``keepdims=`` (True/False)."""
    if isinstance(value, Name) and value.id in ("True", "False", "None"):
        v = {"True": True, "False": False, "None": None}[value.id]
        if key == "axis" and v is None or key == "keepdims" and v is not None:
            return v
    elif isinstance(value, Literal) and value.value.dtype.kind == "i":
        if key == "axis" and value.value.ndim <= 1:
            return value.value.tolist()
        if key == "keepdims" and value.value.ndim == 0 and value.value.item() in (0, 1):
            return bool(value.value.item())
    want = "an integer, a list of integers or None" if key == "axis" else "True or False"
    raise ExprError(f"{key}= must be {want}", value.line, value.col)
