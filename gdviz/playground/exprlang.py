"""A tiny, safe expression language for defining tensors in the playground.

A program is one definition per line; blank lines and ``#`` comments are allowed::

    w1 = [[1, 2]]                  # a bare literal: a variable-like leaf
    w2 = variable([[3, 4]])
    c  = constant(0.5)
    res2a = w1 @ [[2], [1]] + w2 @ [[3], [5]]
    loss = reduce_mean(square(res2a - 1), axis=0, keepdims=True)

Expressions: numbers, array literals, names defined on an earlier line, ``+ - * / @``,
unary ``-``, parentheses and calls of :data:`FUNCTIONS`.  Text is read by a hand-written
tokenizer and recursive-descent parser; nothing typed is ever passed to ``eval``.

Integer literals stay integers (int32 tensors), floats are float32, as in TF1, so the
tutorial's integer example prints ``[[6, 9]]``.  Every error is an :class:`ExprError` with
the 1-based line and column of the offending token.
"""

from __future__ import annotations

import numpy as np

from gdviz.literal import MAX_DEPTH as _LITERAL_DEPTH
from gdviz.literal import make_array, number_value
from gdviz.playground.syntax import (Assign, BinOp, Call, ExprError, Literal, Name, Neg, Node, Program,
                                    Token, tokenize)

__all__ = ["ExprError", "Token", "tokenize", "parse", "parse_statements", "build", "Program", "Assign",
           "BinOp", "Call", "Literal", "Name", "Neg", "Node", "FUNCTIONS", "MAX_OPERATORS",
           "MAX_PROGRAM_CHARS"]

#: Callable functions and their positional argument count.
FUNCTIONS: dict[str, int] = {
    "square": 1, "exp": 1, "log": 1, "tanh": 1, "sigmoid": 1, "relu": 1,
    "sqrt": 1, "reduce_sum": 1, "reduce_mean": 1, "matmul": 2, "stop_gradient": 1,
    "constant": 1, "variable": 1,
}
#: Keyword arguments accepted per function.
KEYWORDS: dict[str, tuple[str, ...]] = {"reduce_sum": ("axis", "keepdims"), "reduce_mean": ("axis", "keepdims")}
_RESERVED = set(FUNCTIONS) | {"True", "False", "None"}
_MAX_DEPTH = 60  # nesting limit: a friendly error instead of RecursionError
MAX_PROGRAM_CHARS = 200_000  # checked before tokenizing: a pasted megabyte is refused at once
MAX_OPERATORS = 200  # operators in one definition: later passes walk the tree recursively


# ---------------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, tokens: list[Token]):
        self.toks = tokens
        self.i = 0
        self.depth = 0
        self.operators = 0
        self.literal_depth = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, message: str, tok: Token | None = None) -> ExprError:
        t = tok or self.tok
        return ExprError(message, t.line, t.col)

    def describe(self, t: Token) -> str:
        return {"newline": "end of line", "end": "end of program"}.get(t.kind, repr(t.text))

    def expect(self, text: str, what: str) -> Token:
        if self.tok.text != text or self.tok.kind != "op":
            raise self.error(f"expected {what}, found {self.describe(self.tok)}")
        return self.next()

    def program(self) -> Program:
        stmts: list[Assign] = []
        while self.tok.kind != "end":
            if self.tok.kind == "newline":
                self.next()
                continue
            stmts.append(self.statement())
            if self.tok.kind not in ("newline", "end"):
                raise self.error(f"unexpected {self.describe(self.tok)} after the expression")
        return Program(tuple(stmts))

    def statement(self) -> Assign:
        t = self.tok
        if t.kind != "name":
            raise self.error(f"expected a definition like 'w1 = [[1, 2]]', found {self.describe(t)}")
        if t.text in _RESERVED:
            raise self.error(f"'{t.text}' is a reserved name; choose another name")
        self.next()
        self.expect("=", "'=' after the name")
        self.operators = 0
        if self.tok.kind in ("newline", "end"):
            raise self.error("expected an expression after '='")
        return Assign(t.line, t.col, target=t.text, expr=self.expr())

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error("expression nested too deeply")

    def count(self, op: Token) -> None:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise self.error(f"definition too long (at most {MAX_OPERATORS} operators); "
                             "split it into several definitions", op)

    def expr(self) -> Node:
        self.enter()
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.next()
            self.count(op)
            node = BinOp(op.line, op.col, op=op.text, left=node, right=self.term())
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/@":
            op = self.next()
            self.count(op)
            node = BinOp(op.line, op.col, op=op.text, left=node, right=self.unary())
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in "+-":
            op = self.next()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if op.text == "+":
                return operand
            if isinstance(operand, Literal):  # fold "-2" into the literal, as TF would see it
                v = operand.value
                return Literal(op.line, op.col, value=np.asarray(-v, dtype=v.dtype))
            return Neg(op.line, op.col, operand=operand)
        return self.power()

    def power(self) -> Node:
        """``base ** exponent``: binds tighter than unary minus on its left (``-2 ** 2`` is -4)
        and groups to the right, as in Python."""
        base = self.primary()
        if self.tok.kind == "op" and self.tok.text == "**":
            op = self.next()
            self.count(op)
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return BinOp(op.line, op.col, op="**", left=base, right=exponent)
        return base

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "number":
            self.next()
            return Literal(t.line, t.col, value=_number(t))
        if t.kind == "name":
            self.next()
            if self.tok.kind == "op" and self.tok.text == "(":
                return self.call(t)
            return Name(t.line, t.col, id=t.text)
        if t.kind == "op" and t.text == "(":
            self.next()
            node = self.expr()
            if self.tok.kind == "end":
                raise self.error("unclosed '('", t)
            self.expect(")", "')'")
            return node
        if t.kind == "op" and t.text == "[":
            return self.array()
        raise self.error(f"expected a number, a name, '(' or '[', found {self.describe(t)}")

    def call(self, name: Token) -> Call:
        if name.text not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(f"unknown function '{name.text}' (known: {known})", name)
        paren = self.next()  # '('
        args: list[Node] = []
        kwargs: list[tuple] = []
        while not (self.tok.kind == "op" and self.tok.text == ")"):
            if self.tok.kind == "end":
                raise self.error(f"unclosed '(' of {name.text}()", paren)
            if self.tok.kind == "name" and self.toks[self.i + 1].text == "=":
                kw = self.next()
                self.next()
                if kw.text not in KEYWORDS.get(name.text, ()):
                    allowed = KEYWORDS.get(name.text, ())
                    extra = f" (allowed: {', '.join(allowed)})" if allowed else ""
                    raise self.error(f"{name.text}() has no argument '{kw.text}'{extra}", kw)
                if any(k[0] == kw.text for k in kwargs):
                    raise self.error(f"argument '{kw.text}' given twice", kw)
                kwargs.append((kw.text, self.expr(), kw.line, kw.col))
            else:
                if kwargs:
                    raise self.error("positional argument after a keyword argument")
                args.append(self.expr())
            if self.tok.kind == "op" and self.tok.text == ",":
                self.next()
            elif not (self.tok.kind == "op" and self.tok.text == ")"):
                raise self.error(f"expected ',' or ')' in the call of {name.text}(), found {self.describe(self.tok)}")
        self.next()  # ')'
        want = FUNCTIONS[name.text]
        if len(args) != want:
            plural = "s" if want != 1 else ""
            raise self.error(f"{name.text}() takes {want} argument{plural}, got {len(args)}", name)
        return Call(name.line, name.col, func=name.text, args=tuple(args), kwargs=tuple(kwargs))

    def array(self) -> Literal:
        start = self.tok
        value = self.array_items()
        rows = _check_rect(value, start)
        try:
            arr = make_array(list(_flatten(rows)), _shape(rows))  # the literal grammar's dtypes and limits
        except ValueError as exc:
            raise ExprError(str(exc), start.line, start.col) from None
        return Literal(start.line, start.col, value=arr)

    def array_items(self):
        open_tok = self.expect("[", "'['")
        self.literal_depth += 1
        if self.literal_depth > _LITERAL_DEPTH:
            raise self.error(f"nested too deeply (at most {_LITERAL_DEPTH} levels of '[')", open_tok)
        self.enter()
        items: list = []
        while not (self.tok.kind == "op" and self.tok.text == "]"):
            t = self.tok
            if t.kind == "op" and t.text == "[":
                items.append((self.array_items(), t))
            else:
                sign = 1
                if t.kind == "op" and t.text in "+-":
                    sign = -1 if t.text == "-" else 1
                    self.next()
                if self.tok.kind != "number":
                    if self.tok.kind == "end":
                        raise self.error("unclosed '['", open_tok)
                    raise self.error(f"array literals hold numbers only, found {self.describe(self.tok)}")
                num = self.next()
                try:
                    items.append((number_value(("-" if sign < 0 else "") + num.text), t))
                except ValueError as exc:
                    raise ExprError(str(exc), t.line, t.col) from None
            if self.tok.kind == "op" and self.tok.text == ",":
                self.next()
            elif not (self.tok.kind == "op" and self.tok.text == "]"):
                if self.tok.kind == "end":
                    raise self.error("unclosed '['", open_tok)
                raise self.error(f"expected ',' or ']', found {self.describe(self.tok)}")
        self.next()
        self.depth -= 1
        self.literal_depth -= 1
        return items


def _number(t: Token) -> np.ndarray:
    """A number token under the literal grammar's ranges (:func:`gdviz.literal.number_value`)."""
    try:
        v = number_value(t.text)
    except ValueError as exc:
        raise ExprError(str(exc), t.line, t.col) from None
    return np.array(v, dtype=np.int32 if isinstance(v, int) else np.float32)


def _check_rect(items: list, start: Token):
    """Strip tokens from parsed items, checking every row has the same shape."""
    if not items:
        raise ExprError("empty array literal", start.line, start.col)
    kinds = {isinstance(v, list) for v, _ in items}
    if len(kinds) > 1:
        raise ExprError("array mixes numbers and rows", start.line, start.col)
    if kinds == {True}:
        rows = [_check_rect(v, t) for v, t in items]
        shapes = [_shape(r) for r in rows]
        for (_v, t), s in zip(items, shapes):
            if s != shapes[0]:
                raise ExprError(f"ragged array: this row has shape {s}, the first has {shapes[0]}", t.line, t.col)
        return rows
    return [v for v, _ in items]


def _shape(rows) -> tuple[int, ...]:
    return (len(rows),) + _shape(rows[0]) if isinstance(rows, list) else ()


def _flatten(rows):
    if isinstance(rows, list):
        for r in rows:
            yield from _flatten(r)
    else:
        yield rows


def parse(text: str) -> Program:
    """Parse a whole program.

    Returns
    -------
    Program
        Its definitions in order.  Names are checked: each is defined once, and only names
        defined on an earlier line are used.

    Raises
    ------
    ExprError
        With the line and column of the offending token.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected program text, got {type(text).__name__}")
    program = _Parser(tokenize(_bounded(text))).program()
    _check_names(program)
    return program


def parse_statements(text: str) -> Program:
    """Parse ``text`` into statements without the playground's one-definition-per-name rules.

    For languages built on the same syntax with other naming rules (update rules reassign
    ``W`` and read slots before they are assigned); they check names themselves.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected program text, got {type(text).__name__}")
    return _Parser(tokenize(_bounded(text))).program()


def _bounded(text: str) -> str:
    if len(text) > MAX_PROGRAM_CHARS:
        line = text.count("\n", 0, MAX_PROGRAM_CHARS) + 1
        col = MAX_PROGRAM_CHARS - (text.rfind("\n", 0, MAX_PROGRAM_CHARS) + 1) + 1
        raise ExprError(f"program too long ({len(text)} characters; at most {MAX_PROGRAM_CHARS})", line, col)
    return text


def _check_names(program: Program) -> None:
    lines = {}
    for s in program.statements:
        if s.target in lines:
            raise ExprError(f"'{s.target}' is already defined on line {lines[s.target]}", s.line, s.col)
        lines[s.target] = s.line
    defined: set[str] = set()
    for s in program.statements:
        for n in _names_in(s.expr):
            if n.id in defined:
                continue
            if n.id == s.target:
                raise ExprError(f"'{n.id}' is used in its own definition", n.line, n.col)
            if n.id in lines:
                raise ExprError(f"'{n.id}' is used before it is defined (on line {lines[n.id]})", n.line, n.col)
            if n.id in ("True", "False", "None"):
                raise ExprError(f"'{n.id}' can only be a keyword argument value", n.line, n.col)
            raise ExprError(f"unknown name '{n.id}'", n.line, n.col)
        defined.add(s.target)


def _names_in(node: Node):
    if isinstance(node, Name):
        yield node
    elif isinstance(node, BinOp):
        yield from _names_in(node.left)
        yield from _names_in(node.right)
    elif isinstance(node, Neg):
        yield from _names_in(node.operand)
    elif isinstance(node, Call):
        for a in node.args:
            yield from _names_in(a)
        for _kw, value, _l, _c in node.kwargs:
            if not (isinstance(value, Name) and value.id in ("True", "False", "None")):
                yield from _names_in(value)


def build(program, stop_gradient_ops=(), graph=None):
    """Build ``program`` into a fresh ``tf.Graph``; see :func:`gdviz.playground.builder.build`."""
    from gdviz.playground.builder import build as _build  # builder imports this module
    return _build(program, stop_gradient_ops, graph)
