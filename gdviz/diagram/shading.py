"""How strongly each drawn edge is shaded: the size of the gradient flowing back along it (no Qt).

An edge's strength is in [0, 1] (or None when no gradient flowed): the mean absolute gradient,
on a log scale spanning :data:`DECADES` orders of magnitude below the largest one drawn on the
same side (forward graph, backward band).  A
bundle of edges (into or out of a folded group) is as strong as its strongest edge.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from gdviz.autodiff.describe import GradientRecord, GraphSpec
from gdviz.diagram.layout import backward_names

DECADES = 4.0


def magnitude(value) -> float | None:
    """Mean absolute value of a gradient, or None when there is none."""
    if value is None:
        return None
    a = np.asarray(value, dtype=np.float64)
    if a.size == 0:
        return 0.0
    m = float(np.mean(np.abs(a)))
    return m if math.isfinite(m) else float("inf")


class EdgeShading:
    """The gradient along each edge of ``spec``, from the values of one step."""

    def __init__(self, spec: GraphSpec, record: GradientRecord | None = None):
        self._back = backward_names(spec)
        self._kinds = {n.name: n.kind for n in spec.nodes}
        self._contrib = {(node, consumer): g for node, consumer, g in (record.contributions if record else ())}
        self._fwd_consumers: dict[str, int] = {}
        for src, dst in set(spec.edges()):
            if dst not in self._back:
                self._fwd_consumers[src] = self._fwd_consumers.get(src, 0) + 1

    def gradient(self, src: str, dst: str, values: Mapping, grads: Mapping):
        """The gradient flowing back along ``src -> dst``, best available estimate."""
        if dst in self._back:  # gradient-graph edges carry the source's (gradient) value
            return values.get(src) if self._kinds.get(src) == "gradient" else None
        gnode = self._contrib.get((src, dst))
        if gnode is not None and gnode in values:
            return values[gnode]
        if grads.get(src) is None:
            return None  # no gradient reached src: nothing flowed along this edge
        if self._fwd_consumers.get(src, 0) == 1:
            return grads[src]  # the only path: the whole gradient of src came this way
        return grads.get(dst)

    def strengths(self, bundles: Mapping, values: Mapping, grads: Mapping) -> dict:
        """``{drawn edge: strength or None}`` for ``bundles`` ``{drawn edge: [graph edges]}``.

        Forward edges and edges into the backward band are scaled each against their own
        largest, so unfolding the gradient nodes does not turn the forward edges into hairlines.
        """
        mags, band = {}, {}
        for key, carried in bundles.items():
            ms = [m for m in (magnitude(self.gradient(*e, values, grads)) for e in carried) if m is not None]
            mags[key] = max(ms) if ms else None
            band[key] = all(dst in self._back for _src, dst in carried)
        tops = {}
        for side in (False, True):
            finite = [m for k, m in mags.items() if band[k] == side and m is not None and math.isfinite(m) and m > 0]
            tops[side] = max(finite, default=0.0)
        out = {}
        for k, m in mags.items():
            top = tops[band[k]]
            if m is None or top == 0.0:
                out[k] = None if m is None else 0.0
            elif not math.isfinite(m):
                out[k] = 1.0
            elif m <= 0:
                out[k] = 0.0
            else:
                out[k] = max(0.0, 1.0 + math.log10(m / top) / DECADES)
        return out
