"""The graph view's layered layout: pure, deterministic, no overlaps, edges left to right."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from gdviz.autodiff.describe import GraphSpec
from gdviz.diagram.layout import NODE_H, NODE_W, backward_names, layered_layout, layout_graph
from tests.graph_specs import node, plane_spec as _plane_spec


def plane_spec():
    """The tutorial's plane fit: forward, gradient and update nodes."""
    return _plane_spec(update=True)


def random_dag(n: int, seed: int) -> GraphSpec:
    rng = random.Random(seed)
    nodes = []
    for i in range(n):
        k = rng.randint(0, min(3, i))
        inputs = tuple(f"n{j}" for j in sorted(rng.sample(range(i), k)))
        kind = "gradient" if i > n * 0.7 and rng.random() < 0.7 else ("constant" if not inputs else "op")
        nodes.append(node(f"n{i}", "Op", inputs, kind))
    return GraphSpec(tuple(nodes))


def _assert_no_overlap(pos):
    items = sorted(pos.items())
    for i, (a, (xa, ya)) in enumerate(items):
        for b, (xb, yb) in items[i + 1:]:
            apart = abs(xa - xb) >= NODE_W or abs(ya - yb) >= NODE_H
            assert apart, f"{a} at {(xa, ya)} overlaps {b} at {(xb, yb)}"


def _assert_edges_left_to_right(spec, pos):
    for src, dst in spec.edges():
        if src in pos and dst in pos:
            assert pos[src][0] < pos[dst][0], f"edge {src}->{dst} does not go right"


@pytest.mark.parametrize("show", [True, False])
def test_plane_no_overlap_and_edges_go_right(show):
    spec = plane_spec()
    pos = layered_layout(spec, show_gradients=show)
    _assert_no_overlap(pos)
    _assert_edges_left_to_right(spec, pos)
    assert all(x >= 0 and y >= 0 for x, y in pos.values())


def test_forward_only_hides_backward_band():
    spec = plane_spec()
    pos = layered_layout(spec, show_gradients=False)
    assert set(pos) == {n.name for n in spec.nodes} - backward_names(spec)
    assert "GradientDescent/update" in backward_names(spec)
    assert "GradientDescent/learning_rate" in backward_names(spec)  # used by the update only
    assert "Variable" not in backward_names(spec)
    assert "sub" not in backward_names(spec)


def test_gradient_band_is_right_of_forward_graph():
    spec = plane_spec()
    pos = layered_layout(spec)
    back = backward_names(spec)
    right_of_forward = max(x for n, (x, _) in pos.items() if n not in back)
    assert all(pos[n][0] > right_of_forward for n in back)


def test_sources_sit_next_to_their_consumer():
    lay = layout_graph(plane_spec(), show_gradients=False)
    assert lay.layers["Const_1"] == lay.layers["sub"] - 1
    assert lay.layers["Variable_1"] == lay.layers["add"] - 1


def test_deterministic_and_stable():
    spec = plane_spec()
    first = layered_layout(spec)
    for _ in range(3):
        assert layered_layout(spec) == first
    # a fresh process gives the very same numbers (no hash-order dependence)
    code = ("from tests.core.test_diagram_layout import plane_spec; from gdviz.diagram.layout import layered_layout;"
            "print(sorted(layered_layout(plane_spec()).items()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": ""},
                         cwd=str(__import__("pathlib").Path(__file__).parents[2]))
    assert out.stdout.strip() == str(sorted(first.items()))


@pytest.mark.parametrize("seed", range(5))
def test_random_40_node_dag(seed):
    spec = random_dag(40, seed)
    lay = layout_graph(spec)
    assert set(lay.positions) == set(spec.names())
    _assert_no_overlap(lay.positions)
    _assert_edges_left_to_right(spec, lay.positions)
    assert layout_graph(spec).positions == lay.positions
    # long edges are routed through one bend point per crossed layer, left to right
    for (src, dst), bends in lay.routes.items():
        xs = [lay.positions[src][0], *(b[0] for b in bends), lay.positions[dst][0]]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
        assert len(bends) == lay.layers[dst] - lay.layers[src] - 1


def test_chain_is_straight():
    spec = GraphSpec(tuple(node(f"c{i}", "Op", (f"c{i-1}",) if i else ()) for i in range(5)))
    pos = layered_layout(spec)
    assert len({round(y, 6) for _, y in pos.values()}) == 1


def test_empty_spec_and_cycle():
    assert layered_layout(GraphSpec(())) == {}
    cyc = GraphSpec((node("a", "Op", ("b",)), node("b", "Op", ("a",))))
    with pytest.raises(ValueError, match="cycle"):
        layered_layout(cyc)


def test_layout_imports_no_qt():
    code = "import sys, gdviz.diagram.layout; print(any(m.startswith(('PySide6', 'PyQt')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("seed", range(3))
def test_backward_band_below_is_mirrored_under_the_forward_graph(seed):
    for spec in (plane_spec(), random_dag(40, seed)):
        lay = layout_graph(spec, backward="below")
        pos = lay.positions
        back = backward_names(spec)
        _assert_no_overlap(pos)
        assert set(pos) == set(spec.names())
        fwd_bottom = max((y for n, (_, y) in pos.items() if n not in back), default=0)
        assert all(pos[n][1] >= fwd_bottom + NODE_H for n in back)  # a band of its own
        for src, dst in spec.edges():
            if src in back and dst in back:
                assert pos[src][0] > pos[dst][0], f"band edge {src}->{dst} should run right to left"
            elif src not in back and dst not in back:
                assert pos[src][0] < pos[dst][0]
        assert layout_graph(spec, backward="below").positions == pos
    # the seed of the plane fit sits under the loss it belongs to
    pos = layered_layout(plane_spec(), backward="below")
    assert pos["gradients/Fill"][0] == pos["Mean"][0]


def test_bad_placement_is_rejected():
    with pytest.raises(ValueError, match="'right' or 'below'"):
        layout_graph(plane_spec(), backward="left")
