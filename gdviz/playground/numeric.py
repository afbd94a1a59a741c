"""Numbers are never silently wrong: find float overflow and int32 wrap-around (no Qt).

The engine computes in TF1's dtypes, so ``a + 3e38`` becomes ``inf`` and int32 sums wrap.
:func:`numeric_problems` looks at every computed node and says where that happened, so the
playground reports it instead of showing OK.
"""

from __future__ import annotations

import numpy as np

from gdviz.formatting import format_array

__all__ = ["numeric_problems"]

_INT32 = np.iinfo(np.int32)
#: Integer ops recomputed exactly enough (float64) to see a result outside int32.
_INT_OPS = {
    "Add": np.add, "AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply,
    "Neg": np.negative, "Negative": np.negative, "Square": np.square,
    "MatMul": np.matmul, "AddN": lambda *xs: sum(xs),
}


def _recompute(op_type: str, inputs: list) -> np.ndarray | None:
    fn = _INT_OPS.get(op_type)
    if fn is None or not inputs:
        return None
    args = [np.asarray(v, dtype=np.float64) for v in inputs]
    try:
        return fn(*args)
    except (ValueError, TypeError):
        return None


def _exact(x: np.ndarray) -> str:
    return format_array(np.round(x).astype(np.int64) if np.all(np.abs(x) < 9e18) else x)


def numeric_problems(nodes, values: dict, label=lambda name: name, limit: int = 3) -> list[str]:
    """Messages for nodes whose value overflowed to inf/nan or wrapped around int32.

    Parameters
    ----------
    nodes : iterable of graph nodes
        Each with ``name``, ``op_type`` and ``inputs`` (nodes with ``name``).
    values : dict of str to ndarray
        Computed value per node name.
    label : callable
        Node name to the name shown to the person.
    """
    out: list[str] = []
    for n in nodes:
        v = values.get(n.name)
        if v is None:
            continue
        v = np.asarray(v)
        ins = [values.get(i.name) for i in n.inputs]
        if any(x is None for x in ins):
            continue
        ins = [np.asarray(x) for x in ins]
        if v.dtype.kind == "f" and not np.all(np.isfinite(v)):
            if all(x.dtype.kind != "f" or np.all(np.isfinite(x)) for x in ins) and ins:
                out.append(f"{label(n.name)} ({n.op_type}) overflowed: {format_array(v)} "
                           f"from finite inputs (float32 holds at most ±3.4e+38)")
        elif v.dtype == np.int32:
            exact = _recompute(n.op_type, ins)
            if exact is not None and (np.any(exact > _INT32.max) or np.any(exact < _INT32.min)):
                out.append(f"{label(n.name)} ({n.op_type}) wrapped around int32: {format_array(v)}, "
                           f"exactly {_exact(exact)}; use floats (write 1.0)")
        if len(out) >= limit:
            break
    return out
