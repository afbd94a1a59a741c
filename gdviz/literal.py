"""Parse a number or a nested-list array literal typed by a person, without ``eval``.

Grammar (white space anywhere between tokens)::

    value  := number | '[' [value (',' value)* [',']] ']'
    number := ['+' | '-'] digits ['.' digits] [('e' | 'E') ['+' | '-'] digits]

The result is an ndarray: ``int64`` when every number is an integer literal, else ``float64``.
Errors are :class:`LiteralError` (a ``ValueError``) carrying the 0-based column of the problem.
"""

from __future__ import annotations

import re

import numpy as np

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class LiteralError(ValueError):
    """A literal that does not parse; ``column`` is the 0-based position of the problem."""

    def __init__(self, message: str, column: int):
        super().__init__(f"{message} (column {column + 1})")
        self.reason = message
        self.column = column


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def value(self):
        ch = self.peek()
        if ch == "[":
            return self.list_()
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            what = f"unexpected {ch!r}" if ch else "unexpected end of text"
            raise LiteralError(f"{what}: expected a number or '['", self.pos)
        self.pos = match.end()
        token = match.group()
        is_int = not any(c in token for c in ".eE")
        return int(token) if is_int else float(token)

    def list_(self) -> list:
        start = self.pos
        self.pos += 1  # '['
        items: list = []
        while True:
            ch = self.peek()
            if ch == "]":
                self.pos += 1
                return items
            if not ch:
                raise LiteralError("unclosed '['", start)
            items.append(self.value())
            ch = self.peek()
            if ch == ",":
                self.pos += 1
            elif ch != "]":
                what = f"unexpected {ch!r}" if ch else "unclosed '['"
                raise LiteralError(f"{what}: expected ',' or ']'", self.pos if ch else start)


def _shape_of(value, column: int) -> tuple[int, ...]:
    """Shape of a nested list; ragged nesting raises with a clear message."""
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    shapes = {_shape_of(v, column) for v in value}
    if len(shapes) != 1:
        raise LiteralError(
            "ragged array: rows have different lengths ("
            + ", ".join(str(s) for s in sorted(shapes))
            + ")",
            column,
        )
    return (len(value),) + shapes.pop()


def _flatten(value):
    if isinstance(value, list):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


def parse_literal(text: str) -> np.ndarray:
    """Parse ``text`` into an array.

    Parameters
    ----------
    text : str
        E.g. ``"2"``, ``"-1.5e-3"``, ``"[[1, 2]]"``, ``"[1.0, 2, 3]"``.

    Returns
    -------
    ndarray
        0-d for a number; ``int64`` if every number is an integer literal, else ``float64``.

    Raises
    ------
    LiteralError
        Empty text, bad syntax, trailing text or a ragged array, with the column.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    parser = _Parser(text)
    if not parser.peek():
        raise LiteralError("empty: type a number or an array like [[1, 2]]", 0)
    value = parser.value()
    if parser.peek():
        raise LiteralError(f"unexpected {parser.peek()!r} after the value", parser.pos)
    shape = _shape_of(value, 0)
    flat = list(_flatten(value))
    dtype = np.int64 if all(isinstance(v, int) for v in flat) else np.float64
    if dtype == np.float64 and not np.all(np.isfinite(np.array(flat, dtype=np.float64))):
        raise LiteralError("numbers must be finite", 0)
    return np.array(flat, dtype=dtype).reshape(shape)


def format_array(a, digits: int = 4) -> str:
    """Compact text for an array as typed back into a field: ``[[0.1, 0.2]]``, ``0.5``."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{a.item():.{digits}g}" if a.dtype.kind == "f" else str(a.item())
    return np.array2string(
        a, separator=", ", precision=digits, suppress_small=False, floatmode="maxprec"
    ).replace("\n", "")
