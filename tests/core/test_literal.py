"""The literal parser: numbers and nested lists, never eval."""

import numpy as np
import pytest

from gdviz.literal import LiteralError, format_array, parse_literal


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2", np.array(2)),
        (" -1.5e-3 ", np.array(-1.5e-3)),
        ("[[1, 2]]", np.array([[1, 2]])),
        ("[1.0, 2, 3]", np.array([1.0, 2.0, 3.0])),
        ("[[1], [2],]", np.array([[1], [2]])),
        (".5", np.array(0.5)),
        ("[]", np.zeros((0,))),
    ],
)
def test_parses_numbers_and_arrays(text, expected):
    got = parse_literal(text)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_integer_literals_stay_integer_and_floats_float():
    assert parse_literal("[[6, 9]]").dtype == np.int32  # TF1's dtypes, as in the playground
    assert parse_literal("[[6, 9.]]").dtype == np.float32


@pytest.mark.parametrize(
    "text, column, reason",
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("[1, 2", 0, "unclosed"),
        ("[1 2]", 3, "expected ','"),
        ("1 + 1", 2, "after the value"),
        ("abc", 0, "expected a number"),
        ("[[1, 2], [3]]", 0, "ragged"),
        ("__import__('os')", 0, "expected a number"),
        ("[1, nan]", 4, "expected a number"),
        ("1e999", 0, "float32 range"),
        ("1e39", 0, "float32 range"),
        ("[1, -1e39]", 4, "float32 range"),
        ("100000000000000000000", 0, "int32 range [-2147483648, 2147483647]"),
        ("[2147483648]", 1, "int32 range"),
        ("9" * 5000, 0, "too long"),
        ("[" * 2000, 32, "nested too deeply"),
        ("[" * 2000 + "]" * 2000, 32, "nested too deeply"),
    ],
)
def test_errors_say_what_and_where(text, column, reason):
    with pytest.raises(LiteralError) as info:
        parse_literal(text)
    assert info.value.column == column
    assert reason in str(info.value)
    assert isinstance(info.value, ValueError)


def test_non_text_is_a_type_error():
    with pytest.raises(TypeError):
        parse_literal(3)


def test_format_round_trips():
    for a in (np.array(0.5), np.array([[1, 2]]), np.array([[0.25, -3.0]])):
        np.testing.assert_allclose(parse_literal(format_array(a)), a, rtol=1e-6)


def test_range_edges_are_accepted():
    assert int(parse_literal("2147483647")) == 2147483647
    assert int(parse_literal("-2147483648")) == -2147483648
    assert np.isfinite(parse_literal("3e38"))


def test_errors_on_later_lines_give_the_line():
    with pytest.raises(LiteralError) as info:
        parse_literal("[1,\n 2 x]")
    assert (info.value.line, info.value.column) == (2, 3)
    assert "line 2, column 4" in str(info.value)


def test_too_many_numbers_is_refused_with_the_limit():
    from gdviz.literal import MAX_ELEMENTS
    text = "[" + ",".join(["1"] * (MAX_ELEMENTS + 1)) + "]"
    with pytest.raises(LiteralError) as info:
        parse_literal(text)
    assert str(MAX_ELEMENTS) in str(info.value)


def test_one_formatter_prints_big_and_non_finite_compactly():
    from gdviz.formatting import format_number, format_shape
    assert format_number(-3.16e12) == "-3.16e+12"
    assert format_number(float("inf")) == "inf" and format_number(float("nan")) == "nan"
    assert format_array(np.array([[6, 9]], dtype=np.int32)) == "[[6, 9]]"
    assert format_array(np.float32(3.0)) == "3.0"
    assert format_shape((2, 1)) == "(2, 1)" and format_shape((3,)) == "(3,)"
