"""What text a graph node may show, from the most to the least detailed (no Qt).

The view picks the first candidate that fits its box at a readable size; when none fits it
shortens the last one *in the middle* (``Broad…To``), never from the start, or shows less
text.  Values get fewer digits before they are summarised.
"""

from __future__ import annotations

import numpy as np

from gdviz.formatting import format_array, format_number, format_shape

ELLIPSIS = "…"
MIN_PT = 8.0  #: no text on the graph is drawn smaller than this (points)


def min_text_px(dpi: float = 96.0) -> float:
    """The smallest text height in device pixels at ``dpi`` (8 pt is 10.7 px at 96 dpi)."""
    return MIN_PT * dpi / 72.0


def name_candidates(name: str, scope: str | None = None) -> list[str]:
    """``gradients/Square_grad/Mul_1`` → the whole name, then without the gradients scope
    (``Square_grad/Mul_1``), then with the op's gradient written ``∇Square/Mul_1``, then just
    ``∇Square`` (part of the gradient of Square; the full name on hover).  Other names
    end with their last two components, then their last one.  A gradient node never drops to its
    last component alone (``Mul_1``, ``MatMul``): which op's gradient it is, is the point."""
    out = [name]
    if scope and name.startswith(scope + "/"):
        out.append(name[len(scope) + 1:])
    parts = name.split("/")
    grad = [i for i, p in enumerate(parts[:-1]) if p.endswith("_grad")]
    if grad:
        i = grad[-1]
        op = "∇" + parts[i][: -len("_grad")]
        out += [op + "/" + "/".join(parts[i + 1:]), op]  # at the least: part of the gradient of which op
        return list(dict.fromkeys(out))
    if len(parts) > 2:
        out.append("/".join(parts[-2:]))
    if len(parts) > 1:
        out.append(parts[-1])
    return list(dict.fromkeys(out))


MORE = "…"  #: the last resort of a value row: there is a value, hover or zoom in to read it


def value_candidates(value) -> list[str]:
    """Texts for a value, most precise first: 4, 3, then 2 significant digits, then a summary
    (its mean with 4 then 2 significant digits, then its shape), then :data:`MORE` ("…": there
    is a value here, too long to show at this zoom)."""
    if value is None:
        return ["None"]
    a = np.asarray(value)
    if a.dtype.kind not in "biufc":
        return [str(a.dtype)]
    out = []
    if a.size <= 6:
        out += [format_array(a, _decimals(a, sig)) for sig in (4, 3, 2)]
    mean = np.asarray(float(np.mean(a)) if a.size else float("nan"))
    if a.ndim >= 1:
        what = f"{a.size} values" if a.ndim == 1 else f"{format_shape(a.shape)} array"
        out += [f"{what}, mean {format_number(float(mean), _decimals(mean, sig))}" for sig in (4, 2)]
        out.append(what)
    out.append(MORE)
    return list(dict.fromkeys(out))


def _decimals(a: np.ndarray, sig: int) -> int:
    """Decimals that give the largest entry of ``a`` ``sig`` significant digits."""
    finite = np.abs(a[np.isfinite(a)]) if a.dtype.kind in "fc" else np.abs(a)
    top = float(finite.max()) if finite.size else 0.0
    if top == 0.0:
        return sig
    if top >= 1e6 or top < 1e-4:  # printed in scientific notation: digits - 1 significant
        return sig + 1
    return int(min(8, max(0, sig - 1 - np.floor(np.log10(top)))))


def middle_elide(text: str, keep: int) -> str:
    """``text`` with its middle replaced by ``…`` so that ``keep`` characters remain."""
    if len(text) <= keep:
        return text
    if keep < 2:
        return ""
    head = (keep + 1) // 2
    tail = keep - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def is_cut_from_start(shown: str, full: str) -> bool:
    """True when ``shown`` is ``full`` with its beginning dropped (``...dientDescent``).

    A whole name, one of its trailing scope components or a middle elision is not.
    """
    if not shown or shown == full:
        return False
    if shown.startswith(("...", ELLIPSIS)) and shown != ELLIPSIS:
        return True
    if shown in name_candidates(full) or full.endswith("/" + shown):
        return False
    if ELLIPSIS in shown:
        head, tail = shown.split(ELLIPSIS, 1)
        return not any(c.startswith(head) and c.endswith(tail) for c in name_candidates(full))
    return full.endswith(shown)
