"""TF1 ``Variable``: a ``VariableV2`` node whose value lives in each Session.

Reading an uninitialised variable raises ``errors.FailedPreconditionError`` (a ValueError).
Assignments are graph nodes (``Assign``, ``AssignAdd``, ``AssignSub``) whose value is the new
variable value; the session *rebinds* the variable to a new array (never writes in place).
"""

from __future__ import annotations

from typing import Any, Sequence

from .graph import Tensor, as_dtype, check_name, convert_to_tensor, get_default_graph
from .ops import _node, _shape_str, constant, no_op


class Variable(Tensor):
    """A trainable (by default) graph variable.

    Parameters
    ----------
    initial_value : tensor or array-like
        Its shape and dtype become the variable's (Python floats -> float32).
    trainable : bool
        Whether optimizers update it by default (``trainable_variables()``).
    name : str, optional
        Base name; default ``"Variable"`` (``Variable_1`` ...).
    dtype : optional
        Converts a non-tensor ``initial_value`` to this dtype.
    """

    def __init__(self, initial_value: Any = None, trainable: bool = True, name: str | None = None,
                 dtype: Any = None) -> None:
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        graph = initial_value.graph if isinstance(initial_value, Tensor) else get_default_graph()
        if isinstance(initial_value, Tensor):
            init = initial_value
            if dtype is not None and as_dtype(dtype) != init.dtype:
                raise TypeError(f"initial value {init.name} has dtype {init.dtype.name}, not {as_dtype(dtype).name}")
        else:
            init = None
        shape = init.shape if init is not None else None
        if init is None:
            # build the constant first in a throw-away position so the variable gets the base name
            tmp = constant(initial_value, dtype=dtype, name="initial_value")
            shape, vdtype = tmp.shape, tmp.dtype
        else:
            vdtype = init.dtype
        super().__init__(graph, "VariableV2", (), shape, vdtype, check_name(name, "Variable"),
                         {"trainable": bool(trainable)})
        if init is None:
            init = tmp
            # rename the constant under the variable's scope, as TF shows it ("Variable/initial_value")
            graph.rename(init, f"{self.name}/initial_value")
        self.trainable = bool(trainable)
        self.initial_value = init
        self.initializer = _node("Assign", (self, init), self.shape, self.dtype, f"{self.name}/Assign", "Assign",
                                 {"initializer": True})
        graph.add_variable(self)

    def _assign_op(self, op_type: str, value: Any, name: str | None, default: str) -> Tensor:
        value = convert_to_tensor(value, dtype=self.dtype) if not isinstance(value, Tensor) else value
        if value.dtype != self.dtype:
            raise TypeError(f"{op_type} to variable {self.name} ({self.dtype.name}) of {value.name} with dtype "
                            f"{value.dtype.name}")
        if len(value.shape) != len(self.shape) or any(a != b for a, b in zip(value.shape, self.shape)
                                                      if a is not None):
            raise ValueError(f"{op_type}: shapes of variable {self.name} {_shape_str(self.shape)} and value "
                             f"{value.name} {_shape_str(value.shape)} must be equal")
        return _node(op_type, (self, value), self.shape, self.dtype, name, default)

    def assign(self, value: Any, name: str | None = None) -> Tensor:
        """Node that sets the variable to ``value`` and evaluates to the new value."""
        return self._assign_op("Assign", value, name, "Assign")

    def assign_add(self, delta: Any, name: str | None = None) -> Tensor:
        return self._assign_op("AssignAdd", delta, name, "AssignAdd")

    def assign_sub(self, delta: Any, name: str | None = None) -> Tensor:
        return self._assign_op("AssignSub", delta, name, "AssignSub")

    def value(self) -> Tensor:
        return self

    read_value = value

    def initialized_value(self) -> Tensor:
        return self.initial_value

    def __repr__(self) -> str:
        return f"<tf.Variable '{self.name}:0' shape={self.shape} dtype={self.dtype.name}>"


def global_variables(graph=None) -> list[Variable]:
    return list((graph or get_default_graph())._variables)


def trainable_variables(graph=None) -> list[Variable]:
    return [v for v in global_variables(graph) if v.trainable]


def variables_initializer(var_list: Sequence[Variable], name: str = "init") -> Tensor:
    """A ``NoOp`` that runs the initializers of ``var_list``."""
    return no_op([v.initializer for v in var_list], name=name)


def global_variables_initializer() -> Tensor:
    """A ``NoOp`` named ``init`` that runs every variable's initializer."""
    return variables_initializer(global_variables(), name="init")


initialize_all_variables = global_variables_initializer
