"""The one number, array and shape formatter of gdviz (no Qt).

Every message and panel prints numbers through here so they read the same everywhere:
integers as integers (``[[6, 9]]``), floats with up to four significant decimals and a
trailing ``.0`` kept (``3.0``), big, tiny and non-finite numbers compactly (``-3.16e+12``,
``inf``, ``nan``), shapes as ``(2, 1)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["format_number", "format_array", "format_shape", "fmt"]


def format_number(v, digits: int = 4) -> str:
    """``3.0``, ``0.3333``, ``-3.16e+12``, ``inf``, ``nan``; integers exactly."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if not np.isfinite(v):
        return "nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if v == 0 or 1e-4 <= abs(v) < 1e6:
        return np.format_float_positional(v, precision=digits, unique=True, trim="0")
    text = np.format_float_scientific(v, precision=max(digits - 2, 0), unique=False, trim="-", exp_digits=2)
    return text.replace(".e", "e")  # numpy keeps the point of "1.e-05" even with trim="-"


def format_array(a, digits: int = 4) -> str:
    """One-line text of an array or number: ``[[6, 9]]``, ``3.0``, ``[0.3333, inf]``."""
    a = np.asarray(a)
    if a.ndim == 0:
        return format_number(a.item(), digits)
    kw = {"formatter": {"float_kind": lambda x: format_number(x, digits), "int": str}}
    text = np.array2string(a, separator=", ", max_line_width=10**6, threshold=10**9, **kw)
    return " ".join(text.split())


def format_shape(shape) -> str:
    """``()``, ``(3,)``, ``(2, 1)``; ``None`` dimensions as ``?``."""
    dims = ["?" if d is None else str(int(d)) for d in tuple(shape)]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


#: Short name kept for the playground's code and tests.
fmt = format_array
