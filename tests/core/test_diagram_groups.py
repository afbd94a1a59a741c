"""Name-scope groups, their stable layout, label candidates and the backward state machine (no Qt)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gdviz.autodiff as tf
from gdviz.autodiff.describe import describe_graph
from gdviz.diagram.backward import BackwardAnimation, NodeState
from gdviz.diagram.groups import find_groups, folded_spec, group_layout, group_outputs
from gdviz.diagram.labels import (ELLIPSIS, is_cut_from_start, middle_elide, name_candidates,
                                  value_candidates)
from gdviz.training.plane_fit import PlaneFit
from gdviz.training.types import MODES, TrainConfig

OPTIMIZERS = ("gd", "momentum", "adam")


def _spec(mode: str, optimizer: str):
    return PlaneFit(config=TrainConfig(mode=mode, optimizer=optimizer)).spec


@pytest.mark.parametrize("mode,optimizer", list(itertools.product(MODES, OPTIMIZERS)))
def test_every_optimizer_folds_into_gradients_and_its_own_group(mode, optimizer):
    spec = _spec(mode, optimizer)
    groups = {g.name: g for g in find_groups(spec)}
    scope = {"gd": "GradientDescent", "momentum": "Momentum", "adam": "Adam"}[optimizer]
    assert set(groups) == {"gradients", scope}
    assert all(g.backward and g.folded_by_default for g in groups.values())
    # The optimizer's slots and learning rate are its state, shown on the folded box.
    slots = {"gd": set(), "momentum": {"W/Momentum", "b/Momentum"},
             "adam": {"W/Adam", "W/Adam_1", "b/Adam", "b/Adam_1", "beta1_power", "beta2_power"}}[optimizer]
    assert slots | {"learning_rate"} == set(groups[scope].state)
    assert "grad_ys" in groups["gradients"].state
    # Folded by default, every optimizer's graph is the forward graph plus two boxes.
    pos = group_layout(spec, True, "below").positions(group_layout(spec).default_folded())
    forward = {n.name for n in spec.nodes if n.kind not in ("gradient", "update")} - set().union(
        *(g.members for g in groups.values()))
    assert set(pos) == forward | {"gradients/", scope + "/"}


@pytest.mark.parametrize("fold_backward", [True, False], ids=["folded-first", "open-first"])
@pytest.mark.parametrize("placement", ["right", "below"])
@pytest.mark.parametrize("mode,optimizer", list(itertools.product(MODES, OPTIMIZERS)))
def test_folding_never_moves_a_node_outside_the_group(mode, optimizer, placement, fold_backward):
    spec = _spec(mode, optimizer)
    lay = group_layout(spec, True, placement, fold_backward)
    keys = [g.key for g in lay.groups]
    states = [frozenset(c) for r in range(len(keys) + 1) for c in itertools.combinations(keys, r)]
    members = {g.key: set(g.members) for g in lay.groups}
    for a in states:
        for key in keys:
            b = a ^ {key}  # fold or unfold exactly one group
            pa, pb = lay.positions(a), lay.positions(b)
            outside = (set(pa) & set(pb)) - members[key] - {key}
            assert outside, (a, key)
            assert all(pa[n] == pb[n] for n in outside), (a, key)
    # Unfolded, nothing overlaps: every pair of boxes is at least a node apart.
    pts = np.array(list(lay.positions(set()).values()))
    d = np.abs(pts[:, None, :] - pts[None, :, :])
    apart = (d[..., 0] >= 172 - 1e-6) | (d[..., 1] >= 76 - 1e-6)
    np.fill_diagonal(apart, True)
    assert apart.all()


def _scoped_graph():
    """x -> layer(W*x + b) -> (h - y)^2 mean, with the layer under a user's name scope."""
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(np.ones((2, 4), np.float32))
        y = tf.constant(np.zeros((1, 4), np.float32))
        with g.name_scope("layer"):
            W = tf.Variable(np.full((1, 2), 0.5, np.float32))
            b = tf.Variable(np.zeros((1,), np.float32))
            h = tf.matmul(W, x) + b
        loss = tf.reduce_mean(tf.square(h - y))
        grads = tf.gradients(loss, [W, b])
    return g, grads, W, b


def test_a_user_scope_is_a_forward_group_unfolded_by_default():
    g, _grads, W, _b = _scoped_graph()
    spec = describe_graph(g)
    groups = {gr.name: gr for gr in find_groups(spec)}
    assert not groups["layer"].backward and not groups["layer"].folded_by_default
    assert W.name in groups["layer"].members
    lay = group_layout(spec)
    assert W.name in lay.positions(lay.default_folded())
    folded = lay.positions({"layer/"})
    assert "layer/" in folded and W.name not in folded
    reduced = folded_spec(spec, lay.groups, {"layer/"})
    assert all(i != W.name for n in reduced.nodes for i in n.inputs)


def test_group_outputs_are_the_calls_gradients_then_the_state():
    fit = PlaneFit(config=TrainConfig(optimizer="momentum"))
    spec, record = fit.spec, fit.record
    groups = {g.name: g for g in find_groups(spec)}
    out = group_outputs(groups["gradients"], spec, record)
    assert [label for label, _ in out[:2]] == ["∇W", "∇b"]
    assert dict(out)["∇W"] == record.grad_of("W")
    assert dict(group_outputs(groups["Momentum"], spec, record))["W/Momentum"] == "W/Momentum"


def test_name_candidates_shorten_to_trailing_components_never_the_start():
    name = "gradients/Mean_grad/BroadcastTo"
    cands = name_candidates(name, "gradients")
    assert cands == [name, "Mean_grad/BroadcastTo", "∇Mean/BroadcastTo", "∇Mean"]  # which op's gradient: kept
    assert name_candidates("Adam/update_W/mul_1") == ["Adam/update_W/mul_1", "update_W/mul_1", "mul_1"]
    assert middle_elide("∇MatMul_1", 5) == "∇Ma" + ELLIPSIS + "_1"
    assert not is_cut_from_start("∇Ma" + ELLIPSIS + "_1", "gradients/MatMul_1_grad/MatMul")
    assert not is_cut_from_start("Mean_grad/BroadcastTo", name)
    assert is_cut_from_start("dcastTo", name) and is_cut_from_start("...dientDescent", "GradientDescent")
    assert is_cut_from_start(ELLIPSIS + "ntDescent", "GradientDescent")


def test_value_candidates_lose_digits_before_they_summarise():
    cands = value_candidates(np.array([[0.0233215, 0.0262717]], np.float32))
    assert cands[:3] == ["[[0.02332, 0.02627]]", "[[0.0233, 0.0263]]", "[[0.023, 0.026]]"]
    assert cands[-2:] == ["(1, 2) array", ELLIPSIS]  # the last resort says "there is a value"
    small_mean = value_candidates(np.full((1, 100), 0.0011))
    assert "(1, 100) array, mean 0.0011" in small_mean and not any("mean 0.0" == c[-8:] for c in small_mean)
    assert value_candidates(np.array([1234567.0]))[0] == "[1.235e+06]"
    assert value_candidates(np.ones((2, 100)) * 0.5)[0] == "(2, 100) array, mean 0.5"
    for text in value_candidates(np.array([[-0.6063, 1.5e-5]]))[:-1]:  # numbers are never cut
        assert ELLIPSIS not in text and "..." not in text


def _frames_respect_reverse_topology(seen, spec):
    consumers: dict[str, set[str]] = {}
    for src, dst in spec.edges():
        consumers.setdefault(src, set()).add(dst)
    for i, name in enumerate(seen):
        later = set(seen[i + 1:]) - {name}
        assert not (consumers.get(name, set()) & later), (name, seen)


def test_the_animation_visits_folded_groups_in_reverse_topological_order():
    g, _grads, _W, _b = _scoped_graph()
    spec = describe_graph(g)
    record = g.gradient_records[-1]
    lay = group_layout(spec)
    folded = {"layer/"} | set(lay.default_folded())
    reduced = folded_spec(spec, lay.groups, folded)
    member_of = {m: gr.key for gr in lay.groups if gr.key in folded for m in gr.members}
    forward = {n.name for n in spec.nodes if n.kind in ("variable", "constant", "placeholder", "op")}
    anim = BackwardAnimation(record, {n.name for n in spec.nodes}, forward, set(spec.edges()))
    lit = []
    while anim.step():
        st = anim.state()
        current = {member_of.get(n, n) for n, s in st.nodes.items() if s is NodeState.CURRENT}
        frame = anim.frames[anim.position - 1].node
        assert member_of.get(frame, frame) in current  # the folded group lights up for its member
        if not lit or lit[-1] != member_of.get(frame, frame):
            lit.append(member_of.get(frame, frame))
    assert "layer/" in lit and lit[0] == "Mean"
    _frames_respect_reverse_topology(lit, reduced)
    caption = anim.caption({m: k[:-1] for m, k in member_of.items()})
    assert "inside the folded layer group" in caption


def test_animation_states_and_caption_without_a_view():
    fit = PlaneFit(config=TrainConfig(mode="manual"))
    spec, record = fit.spec, fit.record
    forward = {n.name for n in spec.nodes if n.kind in ("variable", "constant", "placeholder", "op")}
    anim = BackwardAnimation(record, {n.name for n in spec.nodes}, forward, set(spec.edges()))
    assert anim.state().nodes["W"] is NodeState.PENDING and anim.position == 0
    anim.step()
    st = anim.state()
    assert st.nodes["Mean"] is NodeState.CURRENT and "Mean" in st.seeds
    anim.step()
    assert anim.state().nodes["Mean"] is NodeState.KNOWN
    names = {m: gr.name for gr in find_groups(spec) for m in gr.members}
    assert "Inside the folded gradients group" in anim.caption(names)
    while anim.step():
        pass
    st = anim.state()
    assert st.nodes[anim.frames[-1].node] is NodeState.CURRENT and "W" in st.finals
    assert all(st.nodes[f.node] is NodeState.KNOWN for f in anim.frames[:-1])
    assert NodeState.PENDING == "pending"  # compares equal to its text
