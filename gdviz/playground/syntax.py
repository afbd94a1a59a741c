"""Tokens and syntax tree of the playground's expression language (see :mod:`.exprlang`).

Every token and node keeps the 1-based line and column where it starts, so any error can
point at the exact place in the program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

class ExprError(ValueError):
    """A problem in a program, at 1-based ``line`` and ``col`` (the offending token)."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(f"line {line}, col {col}: {message}")
        self.message = message
        self.line = line
        self.col = col


# ------------------------------------------------------------------------------- tokenizer
@dataclass(frozen=True)
class Token:
    """``kind`` is ``"name"``, ``"number"``, ``"op"``, ``"newline"`` or ``"end"``."""

    kind: str
    text: str
    line: int
    col: int


_TOKEN = re.compile(
    r"(?P<space>[ \t\r]+)|(?P<comment>\#[^\n]*)|(?P<newline>\n)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/@()\[\],=])"
)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens.  Newlines inside brackets are ignored (as in Python).

    Raises
    ------
    ExprError
        On a character the language does not use, or unbalanced closing brackets.
    """
    tokens: list[Token] = []
    line, line_start, pos, depth = 1, 0, 0, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        col = pos - line_start + 1
        if not m:
            ch = text[pos]
            hint = " (names start with a letter)" if ch == "_" else ""
            raise ExprError(f"unexpected character {ch!r}{hint}", line, col)
        kind = m.lastgroup
        tok = m.group()
        if kind == "newline":
            if depth == 0:
                tokens.append(Token("newline", "\n", line, col))
            line, line_start = line + 1, m.end()
        elif kind in ("number", "name", "op"):
            if kind == "number" and m.end() < len(text) and (text[m.end()].isalpha() or text[m.end()] == "_"):
                raise ExprError(f"bad number {tok + text[m.end()]!r}...", line, col)
            if tok in "([":
                depth += 1
            elif tok in ")]":
                depth = max(depth - 1, 0)
            tokens.append(Token(kind, tok, line, col))
        pos = m.end()
    tokens.append(Token("end", "", line, len(text) - line_start + 1))
    return tokens


# ------------------------------------------------------------------------------------- AST
@dataclass(frozen=True)
class Node:
    line: int
    col: int


@dataclass(frozen=True)
class Literal(Node):
    value: np.ndarray = field(compare=False, default=None)  # int32 or float32


@dataclass(frozen=True)
class Name(Node):
    id: str = ""


@dataclass(frozen=True)
class BinOp(Node):
    op: str = "+"
    left: Node = None
    right: Node = None


@dataclass(frozen=True)
class Neg(Node):
    operand: Node = None


@dataclass(frozen=True)
class Call(Node):
    func: str = ""
    args: tuple = ()
    kwargs: tuple = ()  # ((name, Node, line, col), ...)


@dataclass(frozen=True)
class Assign(Node):
    """``target = expr`` on one line; ``line``/``col`` point at the target name."""

    target: str = ""
    expr: Node = None


@dataclass(frozen=True)
class Program:
    """The definitions of a program, in order."""

    statements: tuple[Assign, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(s.target for s in self.statements)
