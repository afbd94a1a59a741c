"""Layered left-to-right layout of a :class:`~gdviz.autodiff.describe.GraphSpec` (pure, no Qt).

A small Sugiyama-style algorithm, kept deliberately simple so it can be read in one sitting:

1. **Layers.** Longest path from the sources; a source (constant, variable, placeholder) is then
   pulled right to sit just before its first consumer, so data does not dangle far to the left.
   Gradient and update nodes (and anything computed from them) form a *backward band* whose
   first layer lies right of every forward node: the forward pass reads left-to-right, then
   the backward pass continues to the right.
2. **Long edges** get one bend point ("dummy") per layer they cross, so they can be routed
   between the nodes instead of through them.
3. **Order within a layer:** creation order, then a few barycenter sweeps (down, then up);
   the ordering with the fewest crossings wins.  Ties always fall back to the current order,
   so the same spec always gives the same picture.
4. **Vertical coordinates:** each node is pulled towards the mean height of its neighbours,
   subject to a minimum spacing inside its layer (an exact least-squares solve by
   pool-adjacent-violators), which straightens chains and long edges.

Coordinates are scene units; a position is the *centre* of a node of size
``NODE_W x NODE_H``.  The picture's top-left corner is at (0, 0).
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field

from gdviz.autodiff.describe import GraphSpec

NODE_W = 172.0  #: node width in scene units
NODE_H = 76.0  #: node height in scene units
H_GAP = 64.0  #: horizontal gap between two layers
V_GAP = 22.0  #: vertical gap between two nodes of a layer
DUMMY_H = 8.0  #: height reserved for a bend point of a long edge
DUMMY_GAP = 6.0  #: gap next to a bend point
BAND_GAP = 70.0  #: vertical gap between the forward graph and a backward band placed below

#: Kinds that belong to the backward band (drawn right of the forward graph, hidden in
#: forward-only mode).
BACKWARD_KINDS = ("gradient", "update")

_SWEEPS = 6  # barycenter sweep pairs; small graphs converge in 2-3
_ALIGN_PASSES = 8  # vertical straightening passes


@dataclass
class Layout:
    """Result of :func:`layout_graph`.

    Attributes
    ----------
    positions : dict[str, tuple[float, float]]
        Centre of each drawn node.
    routes : dict[tuple[str, str], tuple[tuple[float, float], ...]]
        For every drawn edge ``(src, dst)``: the bend points between the two nodes (empty for
        an edge between adjacent layers).
    layers : dict[str, int]
        Layer index of each drawn node (0 = leftmost).
    """

    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    routes: dict[tuple[str, str], tuple[tuple[float, float], ...]] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)


def backward_names(spec: GraphSpec) -> set[str]:
    """Names in the backward band: gradient/update nodes, everything computed from them, and
    sources that only they use."""
    preds = _preds(spec)
    kinds = {n.name: n.kind for n in spec.nodes}
    back: set[str] = set()
    for name in _topological(spec, preds):
        if kinds[name] in BACKWARD_KINDS or any(p in back for p in preds[name]):
            back.add(name)
    # Sources used only by the backward band (a learning-rate constant, optimizer slot
    # variables) belong to the update machinery, not to the model's forward graph.
    users: dict[str, list[str]] = {n: [] for n in preds}
    for n, ps in preds.items():
        for p in ps:
            users[p].append(n)
    back |= {n for n in preds if not preds[n] and users[n] and all(u in back for u in users[n])}
    return back


def layered_layout(spec: GraphSpec, show_gradients: bool = True,
                   backward: str = "right") -> dict[str, tuple[float, float]]:
    """Centre position of every drawn node.

    Parameters
    ----------
    spec : GraphSpec
        The graph; inputs naming nodes outside the spec are ignored.
    show_gradients : bool
        If False only the forward graph is laid out (see :func:`backward_names`).
    backward : {"right", "below"}
        Placement of the backward band (see :func:`layout_graph`).

    Returns
    -------
    dict[str, tuple[float, float]]
        ``name -> (x, y)`` in scene units; deterministic for a given spec.
    """
    return layout_graph(spec, show_gradients, backward).positions


def layout_graph(spec: GraphSpec, show_gradients: bool = True, backward: str = "right") -> Layout:
    """Full layout: node centres, edge bend points and layers (see module docstring).

    Parameters
    ----------
    spec : GraphSpec
    show_gradients : bool
        Include the backward band (gradient/update nodes).
    backward : {"right", "below"}
        Where the backward band goes: right of the forward graph (one left-to-right flow), or
        mirrored underneath it (flowing right to left, each gradient roughly under the node
        it belongs to; about half as wide, which suits a small pane).
    """
    if backward not in ("right", "below"):
        raise ValueError(f"backward placement must be 'right' or 'below', not {backward!r}")
    all_preds = _preds(spec)
    topo = _topological(spec, all_preds)
    back = backward_names(spec)
    keep = [n for n in topo if show_gradients or n not in back]
    order_key = {n.name: i for i, n in enumerate(spec.nodes)}
    if backward == "right" or not any(n in back for n in keep):
        preds, succs = _restrict(keep, all_preds)
        layer = _assign_layers(keep, preds, succs, back)
        return _sugiyama(keep, preds, layer, order_key)
    fwd = [n for n in keep if n not in back]
    band = [n for n in keep if n in back]
    preds, succs = _restrict(fwd, all_preds)
    top = _sugiyama(fwd, preds, _assign_layers(fwd, preds, succs, set()), order_key)
    preds, succs = _restrict(band, all_preds)
    bottom = _sugiyama(band, preds, _assign_layers(band, preds, succs, set()), order_key)
    # Mirror the band so it flows right to left, its first layer under the last forward one.
    n_top = 1 + max(top.layers.values(), default=-1)
    n_bottom = 1 + max(bottom.layers.values())
    shift = max(0, n_bottom - n_top)  # a band wider than the forward graph pushes it right
    pitch = NODE_W + H_GAP
    y0 = max((y for _, y in top.positions.values()), default=-NODE_H) + NODE_H + BAND_GAP
    out = Layout()

    def move_top(x: float, y: float) -> tuple[float, float]:
        return (x + shift * pitch, y)

    def move_bottom(x: float, y: float) -> tuple[float, float]:
        col = (n_top + shift - 1) - round((x - NODE_W / 2) / pitch)
        return (col * pitch + NODE_W / 2, y + y0)

    for part, move in ((top, move_top), (bottom, move_bottom)):
        for n, (x, y) in part.positions.items():
            out.positions[n] = move(x, y)
            out.layers[n] = round((out.positions[n][0] - NODE_W / 2) / pitch)
        for edge, bends in part.routes.items():
            out.routes[edge] = tuple(move(x, y) for x, y in bends)
    for src, dst in spec.edges():  # forward -> band edges: drawn without bend points
        if src in out.positions and dst in out.positions and (src, dst) not in out.routes:
            out.routes[(src, dst)] = ()
    return out


def _restrict(names: list[str], preds: dict[str, list[str]]):
    kept = set(names)
    sub = {n: [p for p in preds[n] if p in kept] for n in names}
    succs: dict[str, list[str]] = {n: [] for n in names}
    for n in names:
        for p in sub[n]:
            succs[p].append(n)
    return sub, succs


def _sugiyama(keep: list[str], preds, layer: dict[str, int], order_key: dict[str, int]) -> Layout:
    """Bend points, crossing reduction and coordinates for nodes with given layers."""
    if not keep:
        return Layout()
    # Chains of bend points for long edges; a dummy is identified by (src, dst, k).
    n_layers = max(layer.values()) + 1
    rows: list[list] = [[] for _ in range(n_layers)]
    for n in sorted(keep, key=order_key.__getitem__):
        rows[layer[n]].append(n)
    up: dict = {n: [] for n in keep}  # neighbours in the previous layer (incl. dummies)
    down: dict = {n: [] for n in keep}  # neighbours in the next layer
    chains: dict[tuple[str, str], list] = {}
    for n in sorted(keep, key=order_key.__getitem__):
        for p in preds[n]:
            prev = p
            chain = []
            for lay in range(layer[p] + 1, layer[n]):
                d = (p, n, lay)
                rows[lay].append(d)
                up[d], down[d] = [prev], []
                down[prev].append(d)
                chain.append(d)
                prev = d
            down[prev].append(n)
            up[n].append(prev)
            chains[(p, n)] = chain

    rows = _reduce_crossings(rows, up, down)
    ys = _assign_y(rows, up, down)

    pitch = NODE_W + H_GAP
    min_top = min(ys[v] - _height(v) / 2 for row in rows for v in row)
    out = Layout()
    for n in keep:
        out.positions[n] = (layer[n] * pitch + NODE_W / 2, ys[n] - min_top)
        out.layers[n] = layer[n]
    for (p, n), chain in chains.items():
        out.routes[(p, n)] = tuple((layer_of_dummy(d) * pitch + NODE_W / 2, ys[d] - min_top) for d in chain)
    return out


def layer_of_dummy(d: tuple) -> int:
    """Layer index stored in a dummy key ``(src, dst, layer)``."""
    return d[2]


# ----------------------------------------------------------------------------- helpers


def _preds(spec: GraphSpec) -> dict[str, list[str]]:
    """Inputs of each node that are in the spec, de-duplicated (``x * x`` is one edge)."""
    present = {n.name for n in spec.nodes}
    out: dict[str, list[str]] = {}
    for n in spec.nodes:
        seen: list[str] = []
        for i in n.inputs:
            if i in present and i not in seen and i != n.name:
                seen.append(i)
        out[n.name] = seen
    return out


def _topological(spec: GraphSpec, preds: dict[str, list[str]]) -> list[str]:
    """Kahn's algorithm; among ready nodes the earliest created goes first."""
    names = [n.name for n in spec.nodes]
    if len(set(names)) != len(names):
        dup = sorted({x for x in names if names.count(x) > 1})
        raise ValueError(f"graph spec has duplicate node names: {dup}")
    pending = {n: len(preds[n]) for n in names}
    consumers: dict[str, list[str]] = {n: [] for n in names}
    for n in names:
        for p in preds[n]:
            consumers[p].append(n)
    index = {n: i for i, n in enumerate(names)}
    ready = sorted((index[n], n) for n in names if pending[n] == 0)
    out: list[str] = []
    while ready:
        _, n = ready.pop(0)
        out.append(n)
        for c in consumers[n]:
            pending[c] -= 1
            if pending[c] == 0:
                insort(ready, (index[c], c))
    if len(out) != len(names):
        stuck = [n for n in names if n not in set(out)]
        raise ValueError(f"graph spec has a cycle through nodes {stuck[:5]}")
    return out


def _assign_layers(keep, preds, succs, back) -> dict[str, int]:
    layer: dict[str, int] = {}
    fwd = [n for n in keep if n not in back]
    bwd = [n for n in keep if n in back]
    for n in fwd:
        layer[n] = 1 + max((layer[p] for p in preds[n]), default=-1)
    for n in reversed(fwd):  # pull sources right, next to their first forward consumer
        fwd_succs = [layer[s] for s in succs[n] if s not in back]
        if not preds[n] and fwd_succs:
            layer[n] = max(layer[n], min(fwd_succs) - 1)
    base = 1 + max((layer[n] for n in fwd), default=-1)
    for n in bwd:
        layer[n] = max([base] + [layer[p] + 1 for p in preds[n]])
    for n in reversed(bwd):  # band sources (only forward inputs) move next to their consumer
        if succs[n] and not any(p in back for p in preds[n]):
            layer[n] = max(layer[n], min(layer[s] for s in succs[n]) - 1)
    used = sorted(set(layer.values()))  # close any empty layer
    remap = {v: i for i, v in enumerate(used)}
    return {n: remap[v] for n, v in layer.items()}


def _crossings(upper: list, lower: list, down: dict) -> int:
    pos = {v: i for i, v in enumerate(lower)}
    ends = [pos[w] for v in upper for w in sorted(down[v], key=pos.__getitem__)]
    seen: list[int] = []
    count = 0
    for e in ends:  # inversions: earlier edges ending further down
        count += len(seen) - bisect_right(seen, e)
        insort(seen, e)
    return count


def _total_crossings(rows, down) -> int:
    return sum(_crossings(rows[i], rows[i + 1], down) for i in range(len(rows) - 1))


def _reduce_crossings(rows, up, down):
    best = [list(r) for r in rows]
    best_c = _total_crossings(best, down)
    cur = [list(r) for r in rows]
    for _ in range(_SWEEPS):
        if best_c == 0:
            break
        for i in range(1, len(cur)):
            cur[i] = _bary_sort(cur[i], cur[i - 1], up)
        for i in range(len(cur) - 2, -1, -1):
            cur[i] = _bary_sort(cur[i], cur[i + 1], down)
        c = _total_crossings(cur, down)
        if c < best_c:
            best, best_c = [list(r) for r in cur], c
    return best


def _bary_sort(row: list, fixed: list, nbrs: dict) -> list:
    """Sort ``row`` by the mean index of each vertex's neighbours in ``fixed``."""
    pos = {v: i - (len(fixed) - 1) / 2 for i, v in enumerate(fixed)}
    off = (len(row) - 1) / 2
    keys = []
    for i, v in enumerate(row):
        ns = [pos[w] for w in nbrs[v] if w in pos]
        b = sum(ns) / len(ns) if ns else i - off  # no neighbour: stay put
        keys.append((b, i, v))
    keys.sort(key=lambda k: (k[0], k[1]))
    return [k[2] for k in keys]


def _height(v) -> float:
    return DUMMY_H if isinstance(v, tuple) else NODE_H


def _sep(a, b) -> float:
    gap = V_GAP if not isinstance(a, tuple) and not isinstance(b, tuple) else DUMMY_GAP
    return (_height(a) + _height(b)) / 2 + gap


def _assign_y(rows, up, down) -> dict:
    ys: dict = {}
    for row in rows:  # initial: stacked, centred on 0
        offs = _offsets(row)
        mid = offs[-1] / 2 if offs else 0.0
        for v, o in zip(row, offs):
            ys[v] = o - mid
    for k in range(_ALIGN_PASSES):
        order = range(1, len(rows)) if k % 2 == 0 else range(len(rows) - 2, -1, -1)
        nbrs = up if k % 2 == 0 else down
        for i in order:
            _place_row(rows[i], ys, lambda v: nbrs[v])
    for i in range(len(rows)):  # final: both sides at once
        _place_row(rows[i], ys, lambda v: up[v] + down[v])
    return ys


def _offsets(row) -> list[float]:
    offs = [0.0]
    for a, b in zip(row, row[1:]):
        offs.append(offs[-1] + _sep(a, b))
    return offs[: len(row)]


def _place_row(row, ys, nbrs_of) -> None:
    """Move each vertex towards its neighbours' mean height, keeping order and spacing."""
    if not row:
        return
    offs = _offsets(row)
    targets = []
    for v, o in zip(row, offs):
        ns = nbrs_of(v)
        d = sum(ys[w] for w in ns) / len(ns) if ns else ys[v]
        targets.append(d - o)
    z = _pav(targets)
    for v, o, zi in zip(row, offs, z):
        ys[v] = zi + o


def _pav(t: list[float]) -> list[float]:
    """Non-decreasing least-squares fit to ``t`` (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [sum, count]
    for x in t:
        blocks.append([x, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out: list[float] = []
    for s, c in blocks:
        out.extend([s / c] * int(c))
    return out
