"""Compile a fetch set into a flat plan: one generated Python function per distinct fetch set.

The generated source is built only from node ids and names of our own kernels (never from
user text).  Compilation does the work a step must not repeat:

* topological order of only the nodes the fetches need (feeds cut the walk);
* constant folding of every pure subgraph without variables, placeholders or random ops;
* a folded operand that is one repeated value becomes a scalar when that does not change
  the result's shape (the mean's ``1/N`` gradient, seeds of ones);
* element-wise ops write into an input temporary that nothing else uses (``out=``), which
  saves allocating (and page-faulting) big arrays at N = 1e6;
* every variable is read once at the start of the step (TF's snapshot semantics for one
  run), assignments rebind the session's value to a new array;
* fetched values that might alias state (variables, constants, feeds, views) are copied.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from gdviz.formatting import format_shape

from . import errors
from .graph import Tensor
from .kernels import KERNELS, UPDATES

_SOURCES = ("Placeholder", "VariableV2", "RandomUniform")


class Plan:
    __slots__ = ("fn", "feeds", "var_reads", "source", "nodes")

    def __init__(self, fn, feeds, var_reads, source, nodes):
        self.fn, self.feeds, self.var_reads, self.source, self.nodes = fn, feeds, var_reads, source, nodes


def _cp(v):
    if type(v) is np.ndarray:
        return v.copy() if v.ndim else v[()]
    return v


def _structure(sess, fetches: Any, fetch_nodes: list):
    if isinstance(fetches, Tensor) or isinstance(fetches, str) or fetches is None:
        node = sess._resolve(fetches, "Fetch argument")
        if node not in fetch_nodes:
            fetch_nodes.append(node)
        return ("n", node)
    if isinstance(fetches, dict):
        return ("d", [(k, _structure(sess, v, fetch_nodes)) for k, v in fetches.items()])
    if isinstance(fetches, (list, tuple)):
        items = [_structure(sess, f, fetch_nodes) for f in fetches]
        if type(fetches) in (list, tuple):
            return ("l" if type(fetches) is list else "t", items)
        return ("nt", type(fetches), items)
    return ("n", sess._resolve(fetches, "Fetch argument"))


def _deps(n: Tensor) -> tuple:
    # Assign's first input is a reference: it is overwritten, not read (initializers!)
    return n.inputs[1:] if n.op_type == "Assign" else n.inputs


def _topo(fetch_nodes: list, fed: dict) -> list:
    order, done, onstack = [], set(), set()
    for root in fetch_nodes:
        if root in done:
            continue
        stack = [(root, iter(() if root in fed else _deps(root)))]
        onstack.add(root)
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                onstack.discard(node)
                done.add(node)
                order.append(node)
            elif nxt not in done and nxt not in onstack:
                onstack.add(nxt)
                stack.append((nxt, iter(() if nxt in fed else _deps(nxt))))
    return order


def _fold(order: list, fed: dict) -> dict:
    folded: dict[Tensor, np.ndarray] = {}
    for n in order:
        if n in fed:
            continue
        if n.op_type == "Const":
            folded[n] = n.attrs["value"]
        elif n.op_type in KERNELS and n.inputs and all(i in folded for i in n.inputs):
            fn = KERNELS[n.op_type](n)[0]
            v = np.asarray(fn(*[folded[i] for i in n.inputs]))
            if v.flags.writeable:
                v.setflags(write=False)
            folded[n] = v
    return folded


def _uniform_scalar(v: np.ndarray):
    """The repeated value of ``v`` as a numpy scalar, or None if ``v`` holds several values."""
    if v.ndim == 0:
        return v[()]
    if v.size and v.dtype.kind in "fiub":
        first = v.flat[0]
        if first == first and (v == first).all():   # NaN never counts as uniform
            return v.dtype.type(first)
    return None


class _Analysis(NamedTuple):
    """What the analysis pass decides; the emission pass only turns it into code."""
    struct: Any             # the fetch structure (lists, tuples, dicts, namedtuples of nodes)
    fed: dict               # fed node -> index into the feed list
    folded: dict            # node -> constant value computed once at compile time
    run_nodes: list         # nodes computed on every run, in execution order
    consumers: dict         # node -> run nodes that read it
    stored: set             # values assigned into a variable (their buffer must stay untouched)
    position: dict          # run node -> index in run_nodes
    kernels: dict           # run node -> (fn, is_fresh, elementwise)
    views: set              # run nodes whose value may be a view of an input
    fetch_count: dict       # node -> how often the caller fetches it


def compile_plan(sess, fetches: Any, feeds: dict) -> Plan:
    """A compiled run for ``fetches``: an analysis pass, then an emission pass."""
    return _emit(sess, feeds, _analyse(sess, fetches, feeds))


def _analyse(sess, fetches: Any, feeds: dict) -> _Analysis:
    """Order, fold and classify the nodes a run needs; decide which buffers may be reused."""
    fetch_nodes: list[Tensor] = []
    struct = _structure(sess, fetches, fetch_nodes)
    fed = {node: j for j, node in enumerate(feeds.values())}
    # values first, updates last: a value fetched with a train op (``[train, loss]``) is then
    # computed while its inputs are still hot, and the gradient can reuse their buffers
    roots = sorted(fetch_nodes, key=lambda n: n.op_type == "NoOp" or n.op_type.startswith(("Apply", "Assign")))
    order = _topo(roots, fed)
    for n in order:
        if n.op_type == "Placeholder" and n not in fed:
            shape = n.attrs.get("shape")
            raise errors.InvalidArgumentError(
                f"You must feed a value for placeholder tensor '{n.name}' with dtype {n.dtype.name}"
                + ("" if shape is None else f" and shape {list(d if d is not None else -1 for d in shape)}"))
    folded = _fold(order, fed)
    run_nodes = [n for n in order if n not in folded and n not in fed]

    consumers: dict[Tensor, list[Tensor]] = {}
    stored = set()
    for n in run_nodes:
        if n.op_type == "NoOp":
            continue  # control dependencies only: no value is read
        for i in _deps(n):
            consumers.setdefault(i, []).append(n)
        if n.op_type == "Assign":
            stored.add(n.inputs[1])
    position = {n: k for k, n in enumerate(run_nodes)}
    kernels = {n: KERNELS[n.op_type](n) for n in run_nodes if n.op_type in KERNELS}
    # nodes whose value may be a view of an input (Reshape, Identity ...): that input's buffer
    # stays readable through the view, so it must never be overwritten in place
    views = {n for n, k in kernels.items() if not k[1]}
    fetch_count = {}
    _count_fetches(struct, fetch_count)
    return _Analysis(struct, fed, folded, run_nodes, consumers, stored, position, kernels, views, fetch_count)


def _emit(sess, feeds: dict, a: _Analysis) -> Plan:
    """Generate the plan's straight-line function (only integer ids appear in its source)."""
    struct, fed, folded, run_nodes = a.struct, a.fed, a.folded, a.run_nodes
    consumers, stored, position, kernels, views, fetch_count = (a.consumers, a.stored, a.position, a.kernels,
                                                                a.views, a.fetch_count)
    ns: dict[str, Any] = {"_cp": _cp, "_own": np.array}
    lines: list[str] = []
    var_reads = []
    fresh: set[Tensor] = set()

    def ref(node: Tensor, scalar_ok: bool = False) -> str:
        if node in folded:
            v = folded[node]
            s = _uniform_scalar(v) if scalar_ok else None
            name = f"s{node.id}" if s is not None else f"c{node.id}"
            ns[name] = s if s is not None else v
            return name
        return f"v{node.id}"

    for n in run_nodes:
        if n.op_type == "VariableV2":
            lines.append(f"v{n.id} = S[{n.id}]")
            var_reads.append((n.id, n.name))
    for node, j in fed.items():
        if any(node in _deps(c) for c in run_nodes) or node in fetch_count:
            lines.append(f"v{node.id} = F[{j}]")

    for n in run_nodes:
        t, i = n.op_type, n.id
        if t in ("VariableV2", "NoOp"):
            continue
        if t == "Assign":
            val = n.inputs[1]
            # a fed array (or a view of one) belongs to the caller: the variable keeps a copy
            own = val not in fresh and val not in folded
            lines.append(f"v{i} = S[{n.inputs[0].id}] = {'_own(' + ref(val) + ')' if own else ref(val)}")
        elif t in ("AssignAdd", "AssignSub"):
            ns[f"k{i}"] = np.add if t == "AssignAdd" else np.subtract
            lines.append(f"v{i} = S[{n.inputs[0].id}] = k{i}({ref(n.inputs[0])}, {ref(n.inputs[1], True)})")
        elif t in UPDATES:
            fn, n_ref = UPDATES[t](n)
            ns[f"k{i}"] = fn
            args = ", ".join(ref(x) for x in n.inputs)
            if n_ref == 1:
                lines.append(f"v{i} = S[{n.inputs[0].id}] = k{i}({args})")
            else:
                lines.append(f"t{i} = k{i}({args})")
                lines.extend(f"S[{n.inputs[j].id}] = t{i}[{j}]" for j in range(n_ref))
                lines.append(f"v{i} = t{i}[0]")
        elif t == "RandomUniform":
            ns[f"k{i}"] = _random_kernel(sess, n)
            lines.append(f"v{i} = k{i}()")
            fresh.add(n)
        elif t in KERNELS:
            fn, is_fresh, elementwise = kernels[n]
            ns[f"k{i}"] = fn
            args = [ref(x, scalar_ok=elementwise and _scalar_keeps_shape(n, x)) for x in n.inputs]
            out = _inplace_target(n, consumers, fresh, fetch_count, stored, position, views) if elementwise else None
            if out is not None:
                args.append(f"v{out.id}")
            lines.append(f"v{i} = k{i}({', '.join(args)})")
            if is_fresh:
                fresh.add(n)
        else:
            raise NotImplementedError(f"no kernel for op type {t} (node {n.name})")

    def expr(s) -> str:
        kind = s[0]
        if kind == "n":
            node = s[1]
            if node.op_type == "NoOp":
                return "None"
            r = ref(node)
            if node in folded or node in fed or node not in fresh or node in stored or fetch_count[node] > 1:
                return f"_cp({r})"
            return r
        if kind == "l":
            return "[" + ", ".join(expr(x) for x in s[1]) + "]"
        if kind == "t":
            return "(" + "".join(expr(x) + ", " for x in s[1]) + ")"
        if kind == "nt":
            ns[f"T{len(ns)}"] = s[1]
            return f"T{len(ns) - 1}(" + ", ".join(expr(x) for x in s[2]) + ")"
        keys = []
        for k, v in s[1]:
            ns[f"K{len(ns)}"] = k
            keys.append(f"K{len(ns) - 1}: {expr(v)}")
        return "{" + ", ".join(keys) + "}"

    ret = expr(struct)
    params = "".join(f", {k}={k}" for k in ns)
    body = "".join(f"    {ln}\n" for ln in lines)
    source = f"def _plan(S, F{params}):\n{body}    return {ret}\n"
    glob: dict[str, Any] = {}
    exec(compile(source, "<gdviz plan>", "exec"), ns | {"__builtins__": {}}, glob)  # noqa: S102 - our own code
    return Plan(glob["_plan"], [(k, _feed_converter(node)) for k, node in feeds.items()], var_reads, source,
                run_nodes)


def _count_fetches(s, counts: dict) -> None:
    if s[0] == "n":
        counts[s[1]] = counts.get(s[1], 0) + 1
    elif s[0] == "d":
        for _k, v in s[1]:
            _count_fetches(v, counts)
    else:
        for v in s[-1]:
            _count_fetches(v, counts)


def _scalar_keeps_shape(n: Tensor, operand: Tensor) -> bool:
    """Replacing ``operand`` by a scalar leaves ``n``'s broadcast result shape unchanged."""
    if None in n.shape:
        return False
    others = [x.shape for x in n.inputs if x is not operand]
    if not others:
        return operand.shape == ()
    try:
        return np.broadcast_shapes(*[tuple(d if d is not None else 0 for d in s) for s in others]) == n.shape
    except ValueError:
        return False


def _inplace_target(n, consumers, fresh, fetch_count, stored, position, views):
    """An input whose buffer ``n`` may overwrite: a temporary that ``n`` is the last to read."""
    if not n.shape or None in n.shape:
        return None
    here = position[n]
    for x in n.inputs:
        if (x in fresh and x not in fetch_count and x not in stored and x.shape == n.shape
                and x.dtype == n.dtype
                and all(position[c] <= here and c not in views for c in consumers.get(x, ()))):
            return x
    return None


def _random_kernel(sess, n: Tensor):
    rng = sess.rng_for(n)
    lo, hi, shape, dt = n.attrs["minval"], n.attrs["maxval"], n.shape, n.dtype
    if dt.kind in "iu":
        return lambda: rng.integers(lo, hi, size=shape).astype(dt)
    return lambda: rng.uniform(lo, hi, size=shape).astype(dt)


def _feed_converter(node: Tensor):
    declared = node.attrs.get("shape", node.shape) if node.op_type == "Placeholder" else node.shape
    dt = node.dtype

    def conv(value):
        if isinstance(value, Tensor):
            raise TypeError(f"The value of a feed cannot be a tf.Tensor object ({value.name}). Acceptable feed "
                            "values include Python scalars, strings, lists, numpy ndarrays")
        arr = np.asarray(value, dtype=dt)
        if declared is None and arr.ndim:
            # static shape inference took the unshaped placeholder as a scalar; a bigger value
            # would give silently wrong gradients, so refuse it
            raise ValueError(f"Cannot feed value of shape {arr.shape} for Tensor '{node.name}:0', which was declared "
                             f"without a shape (gdviz treats that as a scalar): declare placeholder(..., shape=...) "
                             f"with None for unknown sizes")
        if declared is not None and (arr.ndim != len(declared) or any(
                d is not None and d != s for d, s in zip(declared, arr.shape))):
            raise ValueError(f"Cannot feed value of shape {arr.shape} for Tensor '{node.name}:0', which has shape "
                             f"'{_shape_text(declared)}'")
        return arr
    return conv


def _shape_text(shape) -> str:
    return format_shape(shape)  # the one shape formatter (gdviz.formatting)
