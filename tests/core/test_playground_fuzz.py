"""Whatever a person types, the playground reports an error or a result; it never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz.playground.exprlang import ExprError, parse
from gdviz.playground.model import Playground
from gdviz.playground.presets import TUTORIAL

_PIECES = ["w1", "w2", "res", "x", " = ", "=", "+", "-", "*", "/", "@", "(", ")", "[", "]", ",", "\n",
           "1", "2.", "0", "-3", "1e3", "[[1, 2]]", "[[2], [1]]", "[1., 2.]", "square(", "exp(", "log(",
           "reduce_sum(", "reduce_mean(", "axis=", "keepdims=", "True", "matmul(", "stop_gradient(",
           "constant(", "variable(", "relu(", "tanh(", "sigmoid(", "#", " ", "$", "_", "foo("]

programs = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_parse_raises_only_expr_errors(text):
    try:
        parse(text)
    except ExprError as exc:
        assert exc.line >= 1 and exc.col >= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
       st.sampled_from(["res", "res2a", "x", "bad"]), st.sampled_from(["w1", "w2", "res", "x"]),
       st.sampled_from(["none", "zero"]))
def test_evaluate_never_raises_and_keeps_the_last_good_result(tail, y, x, mode):
    m = Playground(TUTORIAL, ys=("res2a", y), xs=("w1", x), unconnected=mode)
    good = m.evaluate()
    assert good is not None and m.error is None
    m.program = TUTORIAL + "x = " + tail + "\n"
    m.stop_gradients = (y,)
    result = m.evaluate()
    if m.error is not None:
        assert result is good
        if m.error.where == "program":
            assert m.error.line >= 1 and m.error.col >= 1
