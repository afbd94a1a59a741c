"""Playground model: presets against the worked values, formulas, stops, errors (no Qt)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import gdviz.autodiff as tf
from gdviz.playground.builder import build
from gdviz.playground.exprlang import ExprError
from gdviz.playground.model import Playground
from gdviz.playground.presets import DOCSTRING, PRESETS, TOTAL_PARTIAL, TUTORIAL, preset


def evaluate(p) -> Playground:
    m = Playground()
    m.load(p)
    assert m.evaluate() is not None
    assert m.error is None, m.error
    return m


@pytest.mark.parametrize("p", PRESETS, ids=[p.name for p in PRESETS])
def test_every_preset_gives_its_worked_values(p):
    r = evaluate(p).result
    assert r.xs == p.xs
    for x, want in p.expected.items():
        got = r.result_for(x).value
        if want is None:
            assert got is None
            assert r.result_for(x).reason
        else:
            np.testing.assert_array_equal(got, np.asarray(want))


@pytest.mark.parametrize("p", PRESETS, ids=[p.name for p in PRESETS])
def test_presets_agree_with_a_direct_engine_call(p):
    """The model's numbers are exactly what tf.gradients returns for the same settings."""
    r = evaluate(p).result
    built = build(p.program, p.stop_gradient_ops)
    t = built.tensors
    seeds = [None if p.grad_ys.get(y) is None else np.asarray(p.grad_ys[y], dtype=t[y].dtype) for y in p.ys]
    with built.graph.as_default():
        init = tf.global_variables_initializer()
        grads = tf.gradients([t[y] for y in p.ys], [t[x] for x in p.xs],
                             grad_ys=seeds if any(s is not None for s in seeds) else None,
                             stop_gradients=[t[s] for s in p.stop_gradients],
                             unconnected_gradients=p.unconnected)
    with tf.Session(graph=built.graph) as sess:
        sess.run(init)
        for x, g in zip(p.xs, grads):
            mine = r.result_for(x).value
            if g is None:
                assert mine is None
            else:
                np.testing.assert_array_equal(mine, sess.run(g))


def test_tutorial_numbers_print_as_in_the_blog():
    r = evaluate(preset("grad_ys = [1, 2]")).result
    assert [x.text() for x in r.results] == ["[[6, 9]]", "[[19, 17]]"]
    assert r.result_for("w1").value.dtype == np.int32
    r = evaluate(preset("Sum over ys")).result
    assert [x.text() for x in r.results] == ["[[4, 5]]", "[[11, 11]]"]


def test_formula_for_grad_ys_1_2():
    r = evaluate(preset("grad_ys = [1, 2]")).result
    assert r.result_for("w1").formula == "d(1·res2a + 2·res2b)/dw1 = 1·[[2, 1]] + 2·[[2, 4]] = [[6, 9]]"
    assert r.result_for("w2").formula == "d(1·res2a + 2·res2b)/dw2 = 1·[[3, 5]] + 2·[[8, 6]] = [[19, 17]]"
    terms = r.result_for("w1").terms
    np.testing.assert_array_equal(terms[0], [[2, 1]])
    np.testing.assert_array_equal(terms[1], [[4, 8]])


def test_formula_default_seed_and_non_uniform_seed():
    r = evaluate(preset("Sum over ys")).result
    assert r.result_for("w2").formula == "d(res2a + res2b)/dw2 = [[3, 5]] + [[8, 6]] = [[11, 11]]"
    m = Playground("x = [1., 2.]\ny = x * x", ys=("y",), xs=("x",), grad_ys={"y": np.array([1., 3.])})
    r = m.evaluate()
    assert m.error is None
    assert r.result_for("x").formula == "d(sum([1.0, 3.0]*y))/dx = [2.0, 12.0]"


def test_docstring_example_total_and_partial():
    assert [x.text() for x in evaluate(preset("TF docstring: total")).result.results] == ["3.0", "1.0"]
    for name in ("TF docstring: stop_gradients=[a, b]", "TF docstring: stop_gradient ops"):
        assert [x.text() for x in evaluate(preset(name)).result.results] == ["1.0", "1.0"]


def test_stop_gradient_op_equals_stop_gradients_but_changes_the_graph():
    """docs/gradients.md (stops): same numbers; the op variant adds StopGradient nodes to the graph."""
    by_arg = evaluate(preset("TF docstring: stop_gradients=[a, b]")).result
    by_op = evaluate(preset("TF docstring: stop_gradient ops")).result
    for x in ("a", "b"):
        np.testing.assert_array_equal(by_arg.result_for(x).value, by_op.result_for(x).value)
    ops = {n.name: n.op_type for n in by_op.spec.nodes}
    assert ops["a"] == ops["b"] == "StopGradient"
    assert "StopGradient" not in {n.op_type for n in by_arg.spec.nodes}
    assert dict(by_arg.record.stopped) == {"a": "stop_gradients", "b": "stop_gradients"}
    assert dict(by_op.record.stopped)["b"] == "StopGradient op"
    assert by_arg.stopped == ("a", "b") and by_op.stopped == ()
    assert set(by_op.wrapped) == {"a", "b"}
    # written in the language itself, the same graph and numbers
    m = Playground("a = stop_gradient(constant(0.))\nb = stop_gradient(2 * a)\ny = a + b", ys=("y",), xs=("a", "b"))
    assert [x.text() for x in m.evaluate().results] == ["1.0", "1.0"]


def test_none_reasons_no_path_and_path_cut():
    r = evaluate(preset("Unconnected → None")).result
    assert r.result_for("w2").text() == "None — not connected: no path from the ys"
    m = Playground(DOCSTRING + "c = 3 * a\n", ys=("c",), xs=("a",), stop_gradients=("c",))
    res = m.evaluate()
    assert res.result_for("a").value is None
    assert res.result_for("a").reason == "path cut at node c"
    m.stop_gradients, m.stop_gradient_ops = (), ("c",)
    res = m.evaluate()
    assert res.result_for("a").value is None
    assert res.result_for("a").reason == "path cut at node c"
    m.unconnected = "zero"
    res = m.evaluate()
    assert res.result_for("a").value == 0.0
    assert "not connected: path cut at node c" in res.result_for("a").text()


def test_total_vs_partial_derivative():
    assert evaluate(preset("Total derivative dz/dx")).result.result_for("x").value == 27.0
    assert evaluate(preset("Partial derivative: stop_gradients=[y]")).result.result_for("x").value == 9.0
    m = Playground(TOTAL_PARTIAL, ys=("z",), xs=("x", "y"))
    assert [x.text() for x in m.evaluate().results] == ["27.0", "3.0"]  # dz/dy = x


def test_errors_keep_the_last_good_result():
    m = Playground(TUTORIAL, ys=("res2a",), xs=("w1",))
    good = m.evaluate()
    assert m.error is None
    m.program = TUTORIAL + "bad = w1 @ w2\n"
    assert m.evaluate() is good
    assert (m.error.where, m.error.line, m.error.col) == ("program", 7, 10)
    assert "MatMul" in m.error.message and "(1, 2)" in m.error.message
    m.program = TUTORIAL
    m.grad_ys = {"res2a": np.array([[1, 2]])}
    assert m.evaluate() is good
    assert m.error.where == "grad_ys" and "(1, 2)" in m.error.message and "(1, 1)" in m.error.message
    m.grad_ys = {"res2a": np.array(2.5)}
    m.evaluate()
    assert "whole numbers" in m.error.message
    m.grad_ys = {"res2a": np.array(3)}  # a number is broadcast to y's shape
    assert m.evaluate() is not good and m.error is None
    np.testing.assert_array_equal(m.result.result_for("w1").value, [[6, 3]])


def test_engine_type_error_is_positioned_and_hints_at_floats():
    m = Playground("w = [[1, 2]]\nr = 0.5 * w", ys=("r",), xs=("w",))
    assert m.evaluate() is None
    assert (m.error.line, m.error.col) == (2, 9)
    assert "2.0 for a float" in m.error.message


def test_names_not_defined_any_more_are_ignored_and_come_back():
    m = Playground(TUTORIAL, ys=("res2a", "res2b"), xs=("w1", "w2"))
    m.evaluate()
    m.program = TUTORIAL.replace("res2b = w1 @ [[2], [4]] + w2 @ [[8], [6]]\n", "")
    r = m.evaluate()
    assert r.ys == ("res2a",) and m.ys == ("res2a", "res2b")
    m.program = TUTORIAL
    assert m.evaluate().ys == ("res2a", "res2b")


def test_clicked_inner_node_can_be_a_stop():
    m = Playground("x = 3.\nz = x * x * x", ys=("z",), xs=("x",))
    inner = [n for n in m.evaluate().spec.forward().nodes if n.op_type == "Mul" and n.name != "z"][0].name
    m.stop_gradients = (inner,)
    r = m.evaluate()
    assert r.result_for("x").value == 9.0  # only z = inner * x's direct path: inner = 9
    assert r.stopped == (inner,)


def test_graph_spec_names_are_the_users_and_hides_variable_plumbing():
    r = evaluate(preset("Sum over ys")).result
    names = r.spec.forward().names()
    for n in ("w1", "w2", "res", "res2a", "res2b"):
        assert n in names
    assert not [n for n in names if "Assign" in n or "initial_value" in n or n == "init"]
    assert {n.kind for n in r.spec.nodes if n.name in ("w1", "w2")} == {"variable"}
    assert any(n.kind == "gradient" for n in r.spec.nodes)
    assert r.grads["res2a"] is not None
    np.testing.assert_array_equal(r.value_of("res2a"), [[4 + 29]])
    assert r.record.ys == ("res2a", "res2b")


def test_results_are_frozen():
    r = evaluate(preset("Sum over ys")).result
    with pytest.raises(ValueError):
        r.result_for("w1").value[0, 0] = 5
    with pytest.raises(TypeError):
        r.values["w1"] = None


def test_bad_unconnected_mode_and_empty_program():
    m = Playground(TUTORIAL, ys=("res",), xs=("w1",), unconnected="zeros")
    assert m.evaluate() is None and "'none' or 'zero'" in m.error.message
    m = Playground("# nothing\n")
    assert m.evaluate() is None and m.error.line == 1
    with pytest.raises(ExprError):
        build("")


def test_no_ys_or_no_xs():
    m = Playground(TUTORIAL, ys=(), xs=("w1",))
    r = m.evaluate()
    assert m.error is None and r.result_for("w1").value is None
    assert "choose at least one y" in r.result_for("w1").formula
    m = Playground(TUTORIAL, ys=("res",), xs=())
    assert m.evaluate().results == ()


def test_playground_core_imports_no_qt():
    code = ("import sys, gdviz.playground.model, gdviz.playground.presets; "
            "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_paths_show_the_sum_over_consumers():
    r = evaluate(preset("Total derivative dz/dx")).result
    assert r.result_for("x").paths_text() == "via z: 9.0 + via y: 18.0 = 27.0"
    r = evaluate(preset("TF docstring: total")).result
    assert r.result_for("a").paths_text() == "via y: 1.0 + via b: 2.0 = 3.0"
    assert r.result_for("b").paths_text() == ""  # one path: nothing to sum
    r = evaluate(preset("Partial derivative: stop_gradients=[y]")).result
    assert [c for c, _v in r.result_for("x").paths] == ["z"]
