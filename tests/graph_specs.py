"""Hand-built graph descriptions shared by the layout and graph-view tests (no Qt, no engine).

They mirror what the engine describes for the tutorial's plane fit, so the drawing code can be
tested on its own.
"""

from gdviz.autodiff.describe import GraphSpec, NodeSpec


def node(name: str, op: str, inputs=(), kind: str = "op", shape=()) -> NodeSpec:
    """A float32 NodeSpec; gradient nodes get the ``gradients`` scope."""
    return NodeSpec(name, op, tuple(inputs), shape, "float32", kind,
                    "gradients" if kind == "gradient" else None)


PLANE_FORWARD = (
    node("Const", "Const", (), "constant", (2, 100)),
    node("Variable", "VariableV2", (), "variable", (1, 2)),
    node("Variable_1", "VariableV2", (), "variable", (1,)),
    node("MatMul", "MatMul", ("Variable", "Const"), shape=(1, 100)),
    node("add", "Add", ("MatMul", "Variable_1"), shape=(1, 100)),
    node("Const_1", "Const", (), "constant", (1, 100)),
    node("sub", "Sub", ("add", "Const_1"), shape=(1, 100)),
    node("Square", "Square", ("sub",), shape=(1, 100)),
    node("Mean", "Mean", ("Square",)),
)

PLANE_GRADIENTS = (
    node("gradients/Fill", "Fill", (), "gradient"),
    node("gradients/Mean_grad/truediv", "RealDiv", ("gradients/Fill",), "gradient", (1, 100)),
    node("gradients/Square_grad/mul_1", "Mul", ("gradients/Mean_grad/truediv", "sub"), "gradient", (1, 100)),
    node("gradients/add_grad/Sum_1", "Sum", ("gradients/Square_grad/mul_1",), "gradient", (1,)),
    node("gradients/MatMul_grad/MatMul", "MatMul", ("gradients/Square_grad/mul_1", "Const"), "gradient", (1, 2)),
)

PLANE_UPDATE = (
    node("GradientDescent/learning_rate", "Const", (), "constant"),
    node("GradientDescent/update", "ApplyGradientDescent",
         ("Variable", "GradientDescent/learning_rate", "gradients/MatMul_grad/MatMul"), "update", (1, 2)),
)


def plane_spec(gradients: bool = True, update: bool = False) -> GraphSpec:
    """The plane fit's forward graph, optionally with its gradient and update nodes."""
    return GraphSpec(PLANE_FORWARD + (PLANE_GRADIENTS if gradients else ())
                     + (PLANE_UPDATE if update else ()))
