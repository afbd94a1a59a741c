"""Freeze the state of a built plane-fit model into a :class:`Snapshot` with one ``sess.run``."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from gdviz.autodiff.describe import GraphSpec
from gdviz.training.types import Snapshot, frozen_array

# Fetching these would *run* them (change W, b or a slot), so a snapshot never does.
_SIDE_EFFECT_PREFIXES = ("Assign", "Apply", "NoOp")


def _freeze(value) -> np.ndarray:
    """Read-only array for a value fresh from ``sess.run``.

    The engine already hands out private arrays, so one that owns its memory is only marked
    read-only (no second copy: snapshots run at up to 30 Hz on up to 10^5-point arrays);
    anything else (a view, a numpy scalar) is copied.
    """
    if type(value) is np.ndarray and value.flags.owndata:
        value.setflags(write=False)
        return value
    return frozen_array(value)


def _readable(node) -> bool:
    return node.kind != "update" and node.kind != "placeholder" and not node.op_type.startswith(
        _SIDE_EFFECT_PREFIXES)


class SnapshotFetcher:
    """Knows which nodes a snapshot reads; the fetch list is built once per model.

    Parameters
    ----------
    model : plane_fit._Model
        A built model (graph, session, W, b, loss, record).
    spec : GraphSpec
        The drawn nodes; every side-effect-free one gets its value in ``Snapshot.values``.
    """

    def __init__(self, model, spec: GraphSpec):
        self._model = model
        graph, record = model.graph, model.record
        self._value_names = tuple(n.name for n in spec.nodes if _readable(n))
        # d loss / d node for every forward node (None where no gradient reached it).
        self._grad_of = {n.name: record.grad_of(n.name) for n in spec.nodes
                         if n.kind not in ("gradient", "update")}
        self._gW = record.grad_of(model.W.name)
        self._gb = record.grad_of(model.b.name)
        names = [model.loss.name, model.W.name, model.b.name, *self._value_names]
        names += [g for g in self._grad_of.values() if g is not None]
        names += [g for g in (self._gW, self._gb) if g is not None]
        self._names = tuple(dict.fromkeys(names))  # unique, order kept
        self._fetches = [graph.get_node(n) for n in self._names]

    def snapshot(self, step: int, diverged: bool) -> Snapshot:
        """Run the cached fetch list once and freeze the results."""
        got = dict(zip(self._names, self._model.sess.run(self._fetches)))
        m = self._model
        got = {n: _freeze(v) for n, v in got.items()}
        values = MappingProxyType({n: got[n] for n in self._value_names})
        grads = MappingProxyType({n: None if g is None else got[g]
                                  for n, g in self._grad_of.items()})
        loss = float(np.asarray(got[m.loss.name]))
        return Snapshot(
            step=step,
            loss=loss,
            W=got[m.W.name],
            b=got[m.b.name],
            grad_W=None if self._gW is None else got[self._gW],
            grad_b=None if self._gb is None else got[self._gb],
            values=values,
            grads=grads,
            diverged=diverged or not np.isfinite(loss),
        )
