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
    np.testing.assert_array_equal(got, expected)


def test_integer_literals_stay_integer_and_floats_float():
    assert parse_literal("[[6, 9]]").dtype.kind == "i"
    assert parse_literal("[[6, 9.]]").dtype.kind == "f"


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
        ("1e999", 0, "finite"),
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
        np.testing.assert_array_equal(parse_literal(format_array(a)), a)
