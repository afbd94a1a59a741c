"""Ready-made playground examples: the tutorial's tf.gradients walk-through and TF's docstring.

Each :class:`Preset` states its expected numbers in ``expected`` (x name -> value, ``None``
for an unconnected x) so tests and the README can check them against the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TUTORIAL = """\
# The tutorial's example (integers, as in the blog)
w1 = [[1, 2]]
w2 = [[3, 4]]
res = w1 @ [[2], [1]]
res2a = w1 @ [[2], [1]] + w2 @ [[3], [5]]
res2b = w1 @ [[2], [4]] + w2 @ [[8], [6]]
"""

DOCSTRING = """\
# TF's docstring: gradients(a + b, [a, b])
a = constant(0.)
b = 2 * a
y = a + b
"""

TOTAL_PARTIAL = """\
# z = y·x with y = x·x, at x = 3
x = 3.
y = x * x
z = y * x
"""


@dataclass(frozen=True)
class Preset:
    """One example: a program and the gradients() settings to use with it."""

    name: str
    description: str
    program: str
    ys: tuple[str, ...]
    xs: tuple[str, ...]
    grad_ys: dict = field(default_factory=dict)
    stop_gradients: tuple[str, ...] = ()
    stop_gradient_ops: tuple[str, ...] = ()
    unconnected: str = "none"
    expected: dict = field(default_factory=dict)


PRESETS: tuple[Preset, ...] = (
    Preset("Sum over ys",
           "gradients([res2a, res2b], [w1, w2]) sums the ys: each x gets d(res2a + res2b)/dx.",
           TUTORIAL, ("res2a", "res2b"), ("w1", "w2"),
           expected={"w1": [[4, 5]], "w2": [[11, 11]]}),
    Preset("grad_ys = [1, 2]",
           "grad_ys weights each y: d(1·res2a + 2·res2b)/dx.",
           TUTORIAL, ("res2a", "res2b"), ("w1", "w2"), grad_ys={"res2a": [[1]], "res2b": [[2]]},
           expected={"w1": [[6, 9]], "w2": [[19, 17]]}),
    Preset("Unconnected → None",
           "res does not depend on w2, so its gradient is None (the tutorial's TypeError when fetched).",
           TUTORIAL, ("res",), ("w1", "w2"),
           expected={"w1": [[2, 1]], "w2": None}),
    Preset("Unconnected → zeros",
           "unconnected_gradients='zero' returns zeros of w2's shape instead of None.",
           TUTORIAL, ("res",), ("w1", "w2"), unconnected="zero",
           expected={"w1": [[2, 1]], "w2": [[0, 0]]}),
    Preset("TF docstring: total",
           "gradients(a + b, [a, b]) with b = 2a: a gets 1 + 2·1 = 3 (the total derivative).",
           DOCSTRING, ("y",), ("a", "b"),
           expected={"a": 3.0, "b": 1.0}),
    Preset("TF docstring: stop_gradients=[a, b]",
           "stop_gradients=[a, b] treats a and b as constants: partial derivatives [1.0, 1.0].",
           DOCSTRING, ("y",), ("a", "b"), stop_gradients=("a", "b"),
           expected={"a": 1.0, "b": 1.0}),
    Preset("TF docstring: stop_gradient ops",
           "a = stop_gradient(constant(0.)); b = stop_gradient(2 * a): the same [1.0, 1.0], "
           "but the graph itself is cut, for every gradients() call.",
           DOCSTRING, ("y",), ("a", "b"), stop_gradient_ops=("a", "b"),
           expected={"a": 1.0, "b": 1.0}),
    Preset("Total derivative dz/dx",
           "z = (x·x)·x: dz/dx = 3x² = 27 at x = 3 (through y and directly).",
           TOTAL_PARTIAL, ("z",), ("x",),
           expected={"x": 27.0}),
    Preset("Partial derivative: stop_gradients=[y]",
           "Holding y constant leaves only the direct path: ∂z/∂x = y = 9 at x = 3.",
           TOTAL_PARTIAL, ("z",), ("x",), stop_gradients=("y",),
           expected={"x": 9.0}),
)


def preset(name: str) -> Preset:
    """The preset called ``name``."""
    for p in PRESETS:
        if p.name == name:
            return p
    raise KeyError(f"no preset named {name!r}; known: {', '.join(p.name for p in PRESETS)}")
