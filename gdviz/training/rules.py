"""Update rules a learner writes: the ``assign`` half of manual mode, as a short program.

Manual mode is the tutorial's second program, ``grad_W, grad_b = tf.gradients(loss, [W, b])``
followed by ``W.assign(W - lr * grad_W)``.  A rule replaces the assign part, e.g.
:data:`EXAMPLE_RULE` (Ng's momentum with bias correction, as assets/rules/ng_momentum_bc.rule).

The syntax is the playground's expression language (:mod:`gdviz.playground.exprlang`, parsed
by hand, never ``eval``-ed) plus ``**``.  The names a rule can read are :data:`READABLE`;
statements run in order, each seeing the new values of those above it.  A name read before
it is assigned is a **slot**: a Variable that starts at zeros shaped like the parameter its
suffix names (``_W`` or ``_b``) and keeps its value from step to step.  Every other assigned
name is a local of the step.  ``W`` and ``b`` must both be assigned.

The rule is built into the model's graph (so the graph view draws it) as pure tensors ending
in one ``assign`` per state Variable; the engine reads every Variable once at the start of a
run, so the order of the assigns does not matter.  Numbers are float32, as the parameters.

``**`` takes a whole-number power (``x ** 2``) or a constant raised to the step number
(``beta ** t``); the latter is kept as a power slot multiplied by the base once per step,
as TF1's Adam keeps ``beta1_power``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import gdviz.autodiff as tf
from gdviz.playground.exprlang import FUNCTIONS, parse_statements
from gdviz.playground.syntax import Assign, BinOp, Call, ExprError, Literal, Name, Neg, Node, Program

#: Names a rule can read without defining them.
READABLE = ("W", "b", "grad_W", "grad_b", "lr", "t")
#: The parameters a rule must assign.
PARAMS = ("W", "b")
#: Functions a rule may call (the playground's, less those that make graph leaves).
RULE_FUNCTIONS = tuple(f for f in FUNCTIONS if f not in ("constant", "variable", "stop_gradient"))
MAX_RULE_CHARS = 10_000
#: Ng's momentum with bias correction, as issue 11 wrote it (assets/rules/ng_momentum_bc.rule);
#: the rule editor starts from it and the tests check the asset says the same.
EXAMPLE_RULE = """# Ng's momentum with bias correction; beta and alpha are constants of the rule
beta = 0.9
alpha = 0.5
v_W = beta * v_W + (1 - beta) * grad_W
v_b = beta * v_b + (1 - beta) * grad_b
W = W - alpha * v_W / (1 - beta ** t)
b = b - alpha * v_b / (1 - beta ** t)
"""
MAX_WHOLE_POWER = 16
#: Name scope of a rule's nodes and prefix of its Variables (``rule/v_W``, ``rule/t``).
SCOPE = "rule"

_F32 = np.float32


@dataclass(frozen=True)
class Rule:
    """A parsed, name-checked update rule.

    Attributes
    ----------
    text : str
        The program as written.
    program : Program
        Its statements, in order.
    slots : tuple of str
        Names read before they are assigned, in order of first read.
    """

    text: str
    program: Program
    slots: tuple[str, ...]


def parse_rule(text: str) -> Rule:
    """Parse and check ``text``; every problem is an :class:`ExprError` with line and column."""
    if not isinstance(text, str):
        raise TypeError(f"a rule is program text, not {type(text).__name__}")
    if len(text) > MAX_RULE_CHARS:
        raise ExprError(f"a rule is at most {MAX_RULE_CHARS} characters, this one has {len(text)}", 1, 1)
    program = parse_statements(text)
    targets = {s.target for s in program.statements}
    assigned: set[str] = set()
    slots: list[str] = []
    for stmt in program.statements:
        if stmt.target in READABLE and stmt.target not in PARAMS:
            raise ExprError(f"'{stmt.target}' is read-only in a rule (assign W, b, slots or locals)",
                            stmt.line, stmt.col)
        for node in _walk(stmt.expr):
            if isinstance(node, Call) and node.func not in RULE_FUNCTIONS:
                raise ExprError(f"{node.func}() is not available in update rules "
                                f"(known: {', '.join(RULE_FUNCTIONS)})", node.line, node.col)
            if not isinstance(node, Name) or node.id in READABLE or node.id in assigned or node.id in slots:
                continue
            if node.id not in targets:
                raise ExprError(f"unknown name '{node.id}' (a rule reads {', '.join(READABLE)}, "
                                "and names it assigns)", node.line, node.col)
            if not node.id.endswith(("_W", "_b")):
                raise ExprError(f"'{node.id}' is read before it is assigned, so it is a slot kept from step "
                                f"to step; name it '{node.id}_W' or '{node.id}_b' to say which parameter's "
                                "shape it has", node.line, node.col)
            slots.append(node.id)
        assigned.add(stmt.target)
    missing = [p for p in PARAMS if p not in assigned]
    if missing:
        end = program.statements[-1].line + 1 if program.statements else 1
        raise ExprError(f"the rule must assign {' and '.join(PARAMS)} (missing: {', '.join(missing)})", end, 1)
    return Rule(text, program, tuple(slots))


def rule_updates(rule: Rule, W, b, grad_W, grad_b, lr) -> list:
    """Build ``rule`` into ``W``'s graph; return the assign ops a training step runs.

    ``grad_W``/``grad_b`` may be ``None`` (path cut by stop_gradients): the rule then reads
    zeros.  Engine errors (shapes that do not fit, dtypes) come back as :class:`ExprError`
    at the offending expression; the graph is then left half-built, so build into a graph
    you can discard (the model does).
    """
    graph = W.graph
    params = {"W": W, "b": b}
    state: dict[str, object] = {}   # state Variable by rule name: W, b, slots, t, powers
    with graph.name_scope(SCOPE):
        env: dict[str, object] = {
            "W": W, "b": b, "lr": lr,
            "grad_W": tf.zeros_like(W) if grad_W is None else grad_W,
            "grad_b": tf.zeros_like(b) if grad_b is None else grad_b,
        }
        for name in rule.slots:
            like = params[name[-1]]
            state[name] = tf.Variable(np.zeros(like.shape, _F32), trainable=False, name=name)
            env[name] = state[name]
        if any(isinstance(n, Name) and n.id == "t" for s in rule.program.statements for n in _walk(s.expr)):
            state["t"] = tf.Variable(_F32(0), trainable=False, name="t")
            env["t"] = _engine(lambda: state["t"] + _F32(1), rule.program.statements[0])  # 1-based
        builder = _Builder(env, state)
        constants: set[str] = set()
        for stmt in rule.program.statements:
            value = builder.expr(stmt.expr, constants)
            if stmt.target in params or stmt.target in rule.slots:
                like = params[stmt.target] if stmt.target in params else state[stmt.target]
                value = _as_tensor(value, stmt)
                if tuple(value.shape) != tuple(like.shape):
                    raise ExprError(f"'{stmt.target}' has shape {tuple(like.shape)}, but this expression has "
                                    f"shape {tuple(value.shape)}", stmt.line, stmt.col)
            elif builder.is_constant(stmt.expr, constants):
                constants.add(stmt.target)
            env[stmt.target] = value
        finals = {**{p: params[p] for p in PARAMS}, **state}
        return [_engine(lambda v=var, k=key: v.assign(env[k]), rule.program.statements[-1])
                for key, var in finals.items()]


class _Builder:
    """Engine tensors for the expressions of one rule (``env``: the current value of each name)."""

    def __init__(self, env: dict, state: dict):
        self.env, self.state = env, state
        self.powers = 0

    def is_constant(self, node: Node, constants: set[str]) -> bool:
        return all(not isinstance(n, Name) or n.id in constants for n in _walk(node))

    def expr(self, node: Node, constants: set[str]):
        if isinstance(node, Literal):
            return np.asarray(node.value, _F32)
        if isinstance(node, Name):
            return self.env[node.id]
        if isinstance(node, Neg):
            x = self.expr(node.operand, constants)
            return -x if isinstance(x, np.ndarray) else _engine(lambda: tf.negative(x), node)
        if isinstance(node, BinOp) and node.op == "**":
            return self.power(node, constants)
        if isinstance(node, BinOp):
            a, b = self.expr(node.left, constants), self.expr(node.right, constants)
            fn = {"+": tf.add, "-": tf.subtract, "*": tf.multiply, "/": tf.divide, "@": tf.matmul}[node.op]
            return _engine(lambda: fn(_as_tensor(a, node), _as_tensor(b, node)), node)
        if isinstance(node, Call):
            args = [_as_tensor(self.expr(a, constants), a) for a in node.args]
            kwargs = {k: _keyword(k, v) for k, v, _line, _col in node.kwargs}
            return _engine(lambda: getattr(tf, node.func)(*args, **kwargs), node)
        raise ExprError(f"cannot build {type(node).__name__}", node.line, node.col)  # pragma: no cover

    def power(self, node: BinOp, constants: set[str]):
        exponent = node.right
        if isinstance(exponent, Literal) and exponent.value.ndim == 0 and float(exponent.value).is_integer() \
                and 0 <= float(exponent.value) <= MAX_WHOLE_POWER:
            base = _as_tensor(self.expr(node.left, constants), node)
            n = int(exponent.value)
            if n == 0:
                return _engine(lambda: tf.ones_like(base), node)
            out = base
            for _ in range(n - 1):
                out = _engine(lambda o=out: tf.multiply(o, base), node)
            return out
        if isinstance(exponent, Name) and exponent.id == "t" and self.is_constant(node.left, constants):
            base = _as_tensor(self.expr(node.left, constants), node)
            self.powers += 1
            name = f"power_{self.powers}" if self.powers > 1 else "power"
            p = tf.Variable(_F32(1), trainable=False, name=name)
            self.state[name] = p
            value = _engine(lambda: p * base, node)   # base ** t after this step's update
            self.env[name] = value
            return value
        raise ExprError(f"'**' takes a whole-number power from 0 to {MAX_WHOLE_POWER} (x ** 2) or a constant "
                        "raised to the step number (beta ** t)", node.line, node.col)


def _walk(node: Node):
    """Every node of an expression, depth first (iterative: deep programs are allowed)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, BinOp):
            stack += [n.right, n.left]
        elif isinstance(n, Neg):
            stack.append(n.operand)
        elif isinstance(n, Call):
            stack += list(reversed(n.args))
        elif isinstance(n, Assign):
            stack.append(n.expr)


def _keyword(key: str, value: Node):
    if isinstance(value, Name) and value.id in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[value.id]
    if isinstance(value, Literal) and value.value.dtype.kind == "i":
        return value.value.tolist() if key == "axis" else bool(value.value.item())
    raise ExprError(f"{key}= must be {'an integer or None' if key == 'axis' else 'True or False'}",
                    value.line, value.col)


def _as_tensor(value, node: Node):
    if isinstance(value, np.ndarray):
        return _engine(lambda: tf.constant(value.astype(_F32)), node)
    return value


def _engine(make, node: Node):
    """Run one engine constructor; its ValueError/TypeError is reported at ``node``."""
    try:
        return make()
    except ExprError:
        raise
    except (ValueError, TypeError) as exc:
        raise ExprError(str(exc), node.line, node.col) from None
