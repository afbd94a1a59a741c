"""The one literal grammar of gdviz: a number or a nested-list array typed by a person.

Grammar (white space, including new lines, anywhere between tokens)::

    value  := number | '[' [value (',' value)* [',']] ']'
    number := ['+' | '-'] digits ['.' digits] [('e' | 'E') ['+' | '-'] digits]

Dtypes are TF1's, as in the playground: ``int32`` when every number is an integer literal,
else ``float32``.  The grad_ys fields and the playground's expression language
(:mod:`gdviz.playground.exprlang`) share the rules below: :func:`number_value` (ranges),
:func:`make_array` (dtype, element limit) and the limits :data:`MAX_DEPTH`,
:data:`MAX_ELEMENTS`, :data:`MAX_NUMBER_CHARS`.  Nothing typed is ever passed to ``eval``.

Errors are :class:`LiteralError` (a ``ValueError``) with the 1-based ``line`` and the
0-based ``column`` of the problem; its text says both, 1-based.
"""

from __future__ import annotations

import re

import numpy as np

from gdviz.formatting import format_array

__all__ = ["LiteralError", "parse_literal", "format_array", "number_value", "make_array",
           "MAX_DEPTH", "MAX_ELEMENTS", "MAX_NUMBER_CHARS", "INT32", "FLOAT32_MAX"]

MAX_DEPTH = 32  #: nesting of '[': deeper is refused (no recursion limit is ever reached)
MAX_ELEMENTS = 10_000  #: numbers in one literal: more is refused so typing never freezes the app
MAX_NUMBER_CHARS = 64  #: characters in one number: a 5 000-digit number is refused at once
INT32 = np.iinfo(np.int32)
FLOAT32_MAX = float(np.finfo(np.float32).max)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class LiteralError(ValueError):
    """A literal that does not parse; ``line`` is 1-based, ``column`` 0-based within the line."""

    def __init__(self, message: str, column: int, line: int = 1):
        super().__init__(f"{message} (line {line}, column {column + 1})" if line > 1
                         else f"{message} (column {column + 1})")
        self.reason = message
        self.column = column
        self.line = line

    def where(self) -> str:
        """``"line 2, column 5"`` or ``"column 5"`` (1-based)."""
        col = f"column {self.column + 1}"
        return f"line {self.line}, {col}" if self.line > 1 else col


def number_value(token: str) -> int | float:
    """The value of one number token under gdviz's ranges; ``ValueError`` with the reason.

    Integers must fit int32, other numbers float32 (finite after rounding to float32).
    """
    if len(token) > MAX_NUMBER_CHARS:
        raise ValueError(f"number too long ({len(token)} characters; at most {MAX_NUMBER_CHARS})")
    if not any(c in token for c in ".eE"):
        v = int(token)
        if not INT32.min <= v <= INT32.max:
            raise ValueError(f"integer {token} is outside the int32 range [{INT32.min}, {INT32.max}]; "
                             f"write {token}.0 for a float")
        return v
    v = float(token)
    if not abs(v) <= FLOAT32_MAX:
        raise ValueError(f"number {token} is outside the float32 range (±{FLOAT32_MAX:.4g})")
    return v


def make_array(flat: list, shape: tuple[int, ...]) -> np.ndarray:
    """``int32`` if every number is a Python int, else ``float32``, reshaped to ``shape``."""
    if len(flat) > MAX_ELEMENTS:
        raise ValueError(f"too many numbers ({len(flat)}; at most {MAX_ELEMENTS})")
    is_int = all(isinstance(v, (int, np.integer)) for v in flat)
    return np.array(flat, dtype=np.int32 if is_int else np.float32).reshape(shape)


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def error(self, message: str, pos: int) -> LiteralError:
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1)
        return LiteralError(message, col, line)

    def peek(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""


def _parse(sc: _Scanner):
    """Iterative: returns (nested lists of numbers, count of numbers)."""
    stack: list[tuple[list, int]] = []  # (items, position of its '[')
    count = 0
    while True:
        ch = sc.peek()
        if ch == "[":
            if len(stack) >= MAX_DEPTH:
                raise sc.error(f"nested too deeply (at most {MAX_DEPTH} levels of '[')", sc.pos)
            stack.append(([], sc.pos))
            sc.pos += 1
            if sc.peek() == "]":
                sc.pos += 1
                value = stack.pop()[0]
            else:
                continue
        else:
            start = sc.pos
            match = _NUMBER.match(sc.text, sc.pos)
            if not match:
                if not ch and stack:
                    raise sc.error("unclosed '['", stack[-1][1])
                what = f"unexpected {ch!r}" if ch else "unexpected end of text"
                raise sc.error(f"{what}: expected a number or '['", sc.pos)
            sc.pos = match.end()
            try:
                value = number_value(match.group())
            except ValueError as exc:
                raise sc.error(str(exc), start) from None
            count += 1
            if count > MAX_ELEMENTS:
                raise sc.error(f"too many numbers (at most {MAX_ELEMENTS})", start)
        # attach value to the enclosing list(s), closing as many ']' as follow
        while True:
            if not stack:
                return value, count
            stack[-1][0].append(value)
            ch = sc.peek()
            if ch == ",":
                sc.pos += 1
                if sc.peek() != "]":
                    break
                ch = "]"
            if ch == "]":
                sc.pos += 1
                value = stack.pop()[0]
                continue
            if not ch:
                raise sc.error("unclosed '['", stack[-1][1])
            raise sc.error(f"unexpected {ch!r}: expected ',' or ']'", sc.pos)


def _shape_of(value, column: int) -> tuple[int, ...]:
    """Shape of a nested list (depth is bounded by MAX_DEPTH); ragged nesting raises."""
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    shapes = {_shape_of(v, column) for v in value}
    if len(shapes) != 1:
        raise LiteralError("ragged array: rows have different lengths ("
                           + ", ".join(str(s) for s in sorted(shapes)) + ")", column)
    return (len(value),) + shapes.pop()


def _flatten(value, out: list) -> list:
    if isinstance(value, list):
        for v in value:
            _flatten(v, out)
    else:
        out.append(value)
    return out


def parse_literal(text: str) -> np.ndarray:
    """Parse ``text`` into an array.

    Parameters
    ----------
    text : str
        E.g. ``"2"``, ``"-1.5e-3"``, ``"[[1, 2]]"``, ``"[1.0, 2, 3]"``.

    Returns
    -------
    ndarray
        0-d for a number; ``int32`` if every number is an integer literal, else ``float32``.

    Raises
    ------
    LiteralError
        Empty text, bad syntax, trailing text, a ragged array, a number outside int32/float32,
        nesting deeper than :data:`MAX_DEPTH` or more than :data:`MAX_ELEMENTS` numbers; with
        the line and column.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    sc = _Scanner(text)
    if not sc.peek():
        raise LiteralError("empty: type a number or an array like [[1, 2]]", 0)
    value, _count = _parse(sc)
    if sc.peek():
        raise sc.error(f"unexpected {sc.peek()!r} after the value", sc.pos)
    first = len(text) - len(text.lstrip())
    shape = _shape_of(value, first)
    return make_array(_flatten(value, []), shape)
