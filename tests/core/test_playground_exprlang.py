"""The playground's expression language: tokens, parse trees and positioned errors (no engine)."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.playground import exprlang
from gdviz.playground.exprlang import BinOp, Call, ExprError, Literal, Name, Neg, parse, tokenize


def test_tokens_carry_1_based_positions_and_skip_comments():
    toks = tokenize("w1 = [[1, 2]]  # a comment\n  res = w1 @ x")
    assert [(t.kind, t.text, t.line, t.col) for t in toks[:3]] == [
        ("name", "w1", 1, 1), ("op", "=", 1, 4), ("op", "[", 1, 6)]
    res = next(t for t in toks if t.text == "res")
    assert (res.line, res.col) == (2, 3)
    assert not any(t.text.startswith("#") for t in toks)
    assert toks[-1].kind == "end"


def test_newlines_inside_brackets_continue_the_line():
    prog = parse("w = [[1, 2],\n     [3, 4]]\nv = (w +\n 1)")
    assert prog.names() == ("w", "v")
    assert prog.statements[0].expr.value.shape == (2, 2)


def test_integer_literals_stay_int32_and_floats_are_float32():
    prog = parse("a = [[1, 2]]\nb = 0.\nc = [1, 2.5]\nd = -3\ne = 1e3")
    kinds = [s.expr.value.dtype for s in prog.statements]
    assert kinds == [np.int32, np.float32, np.float32, np.int32, np.float32]
    assert prog.statements[3].expr.value.item() == -3
    assert prog.statements[3].expr.value.shape == ()


def test_precedence_matches_python():
    e = parse("a = 1\nb = 2\nc = a + b * a @ b - -a").statements[2].expr
    # ((a + ((b * a) @ b)) - (-a))
    assert isinstance(e, BinOp) and e.op == "-"
    assert isinstance(e.right, Neg)
    assert e.left.op == "+" and e.left.right.op == "@" and e.left.right.left.op == "*"


def test_calls_with_keywords():
    e = parse("x = [[1., 2.]]\nm = reduce_mean(square(x), axis=[0, 1], keepdims=True)").statements[1].expr
    assert isinstance(e, Call) and e.func == "reduce_mean"
    assert isinstance(e.args[0], Call) and e.args[0].func == "square"
    kws = {k: v for k, v, _l, _c in e.kwargs}
    assert kws["axis"].value.tolist() == [0, 1]
    assert isinstance(kws["keepdims"], Name) and kws["keepdims"].id == "True"


def test_blank_lines_and_comments_only():
    assert parse("\n# nothing\n\n").statements == ()


@pytest.mark.parametrize("text, line, col, words", [
    ("w1 = [[1, 2]\n", 1, 6, "unclosed '['"),
    ("x = y\ny = 1", 1, 5, "before it is defined"),
    ("x = 1\ny = x + zz", 2, 9, "unknown name 'zz'"),
    ("x = foo(1)", 1, 5, "unknown function 'foo'"),
    ("x = 1 +", 1, 8, "expected a number"),
    ("x = [[1, 2], [3]]", 1, 14, "ragged"),
    ("a = 1\nb = a $ 2", 2, 7, "unexpected character '$'"),
    ("x = reduce_sum(1, axs=2)", 1, 19, "no argument 'axs'"),
    ("1 = 2", 1, 1, "expected a definition"),
    ("x = 1 2", 1, 7, "unexpected '2'"),
    ("exp = 2", 1, 1, "reserved"),
    ("x = square(1, 2)", 1, 5, "takes 1 argument"),
    ("x = ((1)", 1, 5, "unclosed '('"),
    ("x = matmul(", 1, 11, "unclosed '(' of matmul()"),
    ("axis=matmul(", 1, 12, "unclosed '(' of matmul()"),
    ("x = 1\nx = 2", 2, 1, "already defined on line 1"),
    ("x = x + 1", 1, 5, "its own definition"),
    ("x = [1, a]", 1, 9, "numbers only"),
    ("x = 99999999999", 1, 5, "outside the int32 range"),
    ("x = 1e99", 1, 5, "outside the float32 range"),
    ("x = []", 1, 5, "empty array"),
    ("x = 2abc", 1, 5, "bad number"),
    ("  x = _y", 1, 7, "names start with a letter"),
    ("x = 1\ny = True", 2, 5, "keyword argument value"),
])
def test_bad_programs_give_positioned_errors(text, line, col, words):
    with pytest.raises(ExprError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.col) == (line, col), str(err)
    assert words in err.message
    assert str(err).startswith(f"line {line}, col {col}: ")
    assert isinstance(err, ValueError)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(ExprError, match="nested too deeply"):
        parse("x = " + "(" * 500 + "1" + ")" * 500)
    with pytest.raises(ExprError, match="nested too deeply"):
        parse("x = " + "-" * 500 + "1")


def test_no_eval_of_user_text(monkeypatch):
    # the language must never hand user text to Python's evaluators
    import builtins
    def boom(*a, **k):
        raise AssertionError("eval/exec used")
    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    prog = parse("x = [[1, 2]] @ [[3], [4]]")
    assert isinstance(prog.statements[0].expr, BinOp)
    with pytest.raises(ExprError):
        parse("x = __import__('os')")


def test_literal_nodes_are_numpy_arrays():
    lit = parse("x = [[1, 2]]").statements[0].expr
    assert isinstance(lit, Literal)
    np.testing.assert_array_equal(lit.value, [[1, 2]])
    assert exprlang.FUNCTIONS["matmul"] == 2


# ---- limits shared with the literal grammar (gdviz.literal) -------------------------------
def test_a_thousand_term_chain_is_a_positioned_error_not_a_recursion_error():
    from gdviz.playground.exprlang import MAX_OPERATORS, ExprError, parse
    with pytest.raises(ExprError) as info:
        parse("a = [1.0]\ny = " + "+".join(["a"] * 1000))
    assert info.value.line == 2 and str(MAX_OPERATORS) in info.value.message


def test_a_chain_under_the_limit_evaluates():
    from gdviz.playground.model import Playground
    p = Playground(program="a = [1.0]\ny = " + "+".join(["a"] * 150), ys=("y",), xs=("a",))
    result = p.evaluate()
    assert p.error is None
    assert float(result.values["y"][0]) == pytest.approx(150.0)


@pytest.mark.parametrize("text, col, reason", [
    ("y = " + "9" * 5000, 5, "too long"),
    ("y = 100000000000000000000", 5, "int32 range"),
    ("y = [1e39]", 6, "float32 range"),
    ("y = [2147483648]", 6, "int32 range"),
    ("y = " + "[" * 2000, 5 + 32, "nested too deeply"),
])
def test_numbers_follow_the_literal_grammar_with_positions(text, col, reason):
    from gdviz.playground.exprlang import ExprError, parse
    with pytest.raises(ExprError) as info:
        parse(text)
    assert (info.value.line, info.value.col) == (1, col)
    assert reason in info.value.message


def test_literal_dtypes_agree_with_the_grad_ys_fields():
    from gdviz.literal import parse_literal
    from gdviz.playground.exprlang import parse
    for text in ("[[1, 2]]", "[[1.5, 2]]", "3"):
        lit = parse(f"w = {text}").statements[0].expr.value
        assert lit.dtype == parse_literal(text).dtype


@pytest.mark.parametrize("program, what", [
    ("a = [1.0]\ny = a + 3e38 + 3e38", "overflowed"),
    ("a = [2147483647]\ny = a + 1", "wrapped around int32"),
])
def test_overflow_and_wrap_around_are_reported_not_ok(program, what):
    from gdviz.playground.model import Playground
    p = Playground(program=program, ys=("y",), xs=("a",))
    p.evaluate()
    assert p.error is not None and p.error.where == "numbers"
    assert what in p.error.message and "y" in p.error.message


def test_a_pasted_megabyte_is_refused_before_tokenizing():
    from gdviz.playground.exprlang import MAX_PROGRAM_CHARS, ExprError, parse
    with pytest.raises(ExprError) as info:
        parse("w = [" + "1, " * (MAX_PROGRAM_CHARS // 3) + "1]")
    assert str(MAX_PROGRAM_CHARS) in info.value.message and info.value.line == 1
