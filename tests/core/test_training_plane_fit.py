"""PlaneFit: the tutorial's model trained in both update modes with every optimizer."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gdviz.training import OPTIMIZERS, PlaneFit, Snapshot, TrainConfig, make_plane_data

# Learning rates and step counts that converge for each optimizer on the tutorial's data.
SETTINGS = {
    "gd": (0.5, 201),
    "momentum": (0.1, 300),
    "nesterov": (0.1, 300),
    "rmsprop": (0.002, 1000),
    "adam": (0.05, 600),
}


def fit(mode="optimizer", optimizer="gd", **kw) -> PlaneFit:
    lr = kw.pop("lr", SETTINGS[optimizer][0])
    data = kw.pop("data", None)
    return PlaneFit(data, TrainConfig(mode=mode, optimizer=optimizer, lr=lr, **kw))


@pytest.mark.parametrize("mode", ["optimizer", "manual"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_converges_to_the_true_plane(mode, optimizer):
    f = fit(mode, optimizer)
    losses = f.steps(SETTINGS[optimizer][1])
    assert f.diverged_at is None
    assert losses.dtype == np.float64 and len(losses) == SETTINGS[optimizer][1]
    W, b = f.weights()
    np.testing.assert_allclose(W, [[0.1, 0.2]], atol=1e-2)
    np.testing.assert_allclose(b, [0.3], atol=1e-2)
    assert losses[-1] < 1e-4 < losses[0]


def test_optimizer_and_manual_gd_are_bit_identical():
    a, b = fit("optimizer"), fit("manual")
    np.testing.assert_array_equal(a.steps(201), b.steps(201))
    for x, y in zip(a.weights(), b.weights()):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_manual_rules_match_the_optimizers_bit_for_bit(optimizer):
    # The hand-written rules use the same float32 operations in the same order as TF1's
    # kernels (which the engine follows), so the numbers are identical, not just close.
    a, b = fit("optimizer", optimizer), fit("manual", optimizer)
    np.testing.assert_array_equal(a.steps(100), b.steps(100))
    for x, y in zip(a.weights(), b.weights()):
        np.testing.assert_array_equal(x, y)


def test_same_seed_same_numbers_other_seed_other_start():
    a, b = PlaneFit(init_seed=4), PlaneFit(init_seed=4)
    np.testing.assert_array_equal(a.steps(30), b.steps(30))
    assert not np.array_equal(PlaneFit(init_seed=5).weights()[0], PlaneFit(init_seed=4).weights()[0])


def test_initial_state():
    f = PlaneFit()
    W, b = f.weights()
    assert W.shape == (1, 2) and W.dtype == np.float32 and np.all(np.abs(W) <= 1)
    np.testing.assert_array_equal(b, np.zeros(1, np.float32))
    assert f.step_count == 0 and f.diverged_at is None


def test_step_loss_is_the_pre_update_loss():
    f = PlaneFit()
    before = f.snapshot()
    losses = f.steps(3)
    assert losses[0] == pytest.approx(before.loss, rel=1e-6)
    after = f.step()
    assert isinstance(after, Snapshot) and after.step == 4 and f.step_count == 4


def test_snapshot_contents():
    f = PlaneFit(config=TrainConfig(mode="manual"))
    s = f.step()
    W, b = f.weights()
    np.testing.assert_array_equal(s.W, W)
    np.testing.assert_array_equal(s.b, b)
    # Hand-computed gradients of the tutorial's loss at the current W, b.
    x, y = f.data.x, f.data.y.astype(np.float32)
    r = (W @ x + b) - y
    np.testing.assert_allclose(s.grad_W, 2 * (r @ x.T) / x.shape[1], rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(s.grad_b, [2 * r.mean()], rtol=1e-4, atol=1e-7)
    assert s.loss == pytest.approx(float(np.mean(r * r)), rel=1e-5)
    for name in f.forward_names:
        assert name in s.values and name in s.grads
    assert float(s.values[f.forward_names[-1]]) == pytest.approx(s.loss)
    assert float(s.grads[f.forward_names[-1]]) == 1.0  # d loss / d loss = grad_ys
    gradient_nodes = [n.name for n in f.spec.nodes if n.kind == "gradient"]
    assert gradient_nodes and all(n in s.values for n in gradient_nodes)


def test_snapshot_is_frozen_and_not_aliased():
    f = PlaneFit()
    s = f.step()
    for arr in (s.W, s.b, s.grad_W, s.grad_b, *s.values.values()):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[...] = 0
    with pytest.raises(TypeError):
        s.values["W"] = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.loss = 0.0
    W_then = s.W.copy()
    f.steps(5)
    t = f.snapshot()
    np.testing.assert_array_equal(s.W, W_then)  # later steps do not change an old snapshot
    assert not np.shares_memory(s.W, t.W)
    assert f.snapshot() is t  # cached until the state changes


def test_grad_ys_weights_the_gradient():
    one, three = PlaneFit(), PlaneFit(config=TrainConfig(grad_ys=3.0))
    s1, s3 = one.snapshot(), three.snapshot()
    np.testing.assert_allclose(s3.grad_W, 3 * s1.grad_W, rtol=1e-6)
    np.testing.assert_allclose(s3.grad_b, 3 * s1.grad_b, rtol=1e-6)
    # configure() changes it in place: same W, b, step, now weighted gradients.
    one.configure(TrainConfig(grad_ys=3.0))
    np.testing.assert_allclose(one.snapshot().grad_W, s3.grad_W, rtol=1e-6)
    assert one.record.seeds == ("grad_ys",)


def test_rebuilds_carry_optimizer_slots():
    # A grad_ys change rebuilds the graph; the momentum accumulators (and Adam's beta powers)
    # come along, so going 1 -> 2 -> 1 gives exactly the run that never changed anything.
    for optimizer in ("momentum", "adam"):
        for mode in ("optimizer", "manual"):
            a, b = fit(mode, optimizer), fit(mode, optimizer)
            a.steps(5)
            b.steps(5)
            b.configure(TrainConfig(mode=mode, optimizer=optimizer, lr=b.config.lr, grad_ys=2.0))
            b.configure(TrainConfig(mode=mode, optimizer=optimizer, lr=b.config.lr))
            assert b.step_count == 5
            np.testing.assert_array_equal(a.steps(5), b.steps(5))


def test_stop_gradients_at_matmul_cuts_W():
    f = PlaneFit(config=TrainConfig(mode="manual", stop_gradients=("MatMul",)))
    W0, b0 = f.weights()
    s = f.step()
    assert s.grad_W is None and s.grad_b is not None
    f.steps(20)
    W, b = f.weights()
    np.testing.assert_array_equal(W, W0)  # W never moves
    assert not np.array_equal(b, b0)
    assert ("MatMul", "stop_gradients") in f.record.stopped


def test_unknown_stop_gradient_name_is_rejected_naming_it():
    f = PlaneFit()
    with pytest.raises(ValueError) as e:
        f.configure(TrainConfig(mode="manual", stop_gradients=("Nope",)))
    msg = str(e.value)
    assert "Nope" in msg and "MatMul" in msg and "Square" in msg
    with pytest.raises(ValueError):
        PlaneFit(config=TrainConfig(mode="manual", stop_gradients=("Nope",)))


def test_forward_names_are_the_tutorials_ops():
    names = PlaneFit().forward_names
    assert names[0] == "MatMul"
    for expected in ("MatMul", "add", "sub", "Square", "Mean"):
        assert expected in names


def test_divergence_is_reported_not_raised():
    f = PlaneFit(config=TrainConfig(lr=50.0))
    losses = f.steps(201)
    assert 0 < len(losses) < 201
    assert np.all(np.isfinite(losses[:-1])) and not np.isfinite(losses[-1])
    assert f.diverged_at == len(losses) - 1
    assert f.steps(10).size == 0  # stays stopped
    s = f.snapshot()
    assert s.diverged
    f.reset()
    assert f.diverged_at is None and f.step_count == 0


@pytest.mark.parametrize("bad", [dict(lr=0.0), dict(lr=-1.0), dict(lr=float("nan")),
                                 dict(mode="magic"), dict(optimizer="sgd"), dict(momentum=1.0),
                                 dict(grad_ys=float("inf")), dict(stop_gradients=("MatMul", 3)),
                                 dict(mode="manual", stop_gradients=("W_typo",))])
def test_invalid_configure_raises_and_changes_nothing(bad):
    f = PlaneFit()
    f.steps(3)
    before = (f.config, f.graph, f.step_count, *f.weights())
    with pytest.raises(ValueError):
        f.configure(TrainConfig(**bad))
    after = (f.config, f.graph, f.step_count, *f.weights())
    assert before[:3] == after[:3]
    np.testing.assert_array_equal(before[3], after[3])
    np.testing.assert_array_equal(f.steps(2), fit().steps(5)[3:])  # keeps training the same


@pytest.mark.parametrize("mode", ["optimizer", "manual"])
def test_lr_is_live_and_applies_next_step(mode):
    f = PlaneFit(config=TrainConfig(mode=mode))
    f.steps(2)
    graph = f.graph
    f.configure(TrainConfig(mode=mode, lr=0.125))
    assert f.graph is graph
    s = f.snapshot()
    f.steps(1)
    W, b = f.weights()
    np.testing.assert_allclose(W, s.W - np.float32(0.125) * s.grad_W, rtol=1e-6)
    np.testing.assert_allclose(b, s.b - np.float32(0.125) * s.grad_b, rtol=1e-6)


def test_structural_change_rebuilds_keeping_W_b_and_step():
    f = PlaneFit()
    f.steps(7)
    W, b = f.weights()
    graph = f.graph
    f.configure(TrainConfig(mode="manual", optimizer="adam", lr=0.01))
    assert f.graph is not graph and f.step_count == 7
    np.testing.assert_array_equal(f.weights()[0], W)
    np.testing.assert_array_equal(f.weights()[1], b)
    assert f.config.optimizer == "adam"
    assert f.steps(3).shape == (3,)


def test_set_data_keeps_weights_and_config():
    f = PlaneFit()
    f.steps(4)
    W, _ = f.weights()
    new = make_plane_data(points=17, noise=0.05, seed=9)
    f.set_data(new)
    assert f.data is new and f.step_count == 4
    np.testing.assert_array_equal(f.weights()[0], W)
    assert f.snapshot().values["x_data"].shape == (2, 17)
    with pytest.raises(TypeError):
        f.set_data("not data")


def test_reset_restores_the_start():
    f = PlaneFit(config=TrainConfig(optimizer="momentum", lr=0.1))
    first = f.steps(10)
    W0 = PlaneFit().weights()[0]
    f.reset()
    assert f.step_count == 0
    np.testing.assert_array_equal(f.weights()[0], W0)
    np.testing.assert_array_equal(f.steps(10), first)  # slots were cleared too


def test_spec_and_record_describe_the_step():
    f = PlaneFit(config=TrainConfig(mode="manual"))
    names = f.spec.names()
    assert {"W", "b", "MatMul", "Mean"} <= set(names)
    kinds = {n.kind for n in f.spec.nodes}
    assert {"variable", "op", "gradient"} <= kinds
    assert f.record.xs == ("W", "b")
    assert f.record.grad_of("W") in names
    assert "setting" not in names  # the live-settings helpers are not drawn


def test_lr_change_keeps_optimizer_slots():
    # Momentum's accumulator survives live lr changes: changing lr away and back between
    # steps gives exactly the numbers of a run that never changed it.
    a, b = fit("optimizer", "momentum"), fit("optimizer", "momentum")
    a.steps(5)
    b.steps(5)
    graph = b.graph
    b.configure(TrainConfig(optimizer="momentum", lr=0.3))
    b.configure(TrainConfig(optimizer="momentum", lr=0.1))
    assert b.graph is graph
    np.testing.assert_array_equal(a.steps(5), b.steps(5))


def test_stop_gradients_in_optimizer_mode_do_not_rebuild():
    f = PlaneFit()
    graph = f.graph
    f.configure(TrainConfig(stop_gradients=("Square",)))
    assert f.graph is graph and f.config.stop_gradients == ("Square",)


def test_manual_update_rule_is_drawn_as_update_nodes():
    f = PlaneFit(config=TrainConfig(mode="manual", optimizer="momentum", lr=0.1))
    spec = f.spec
    assert spec.node("Momentum/update_W/sub").kind == "update"
    assert spec.node("W/Momentum").kind == "variable"
    assert {n.name for n in spec.forward().nodes} >= set(f.forward_names)
    assert not any(n.startswith("Momentum/") for n in spec.forward().names() if
                   spec.node(n).kind == "op")


def test_cut_gradient_nodes_are_still_described_and_valued():
    f = PlaneFit(config=TrainConfig(mode="manual", stop_gradients=("add",)))
    W0, b0 = f.weights()
    s = f.step()
    assert s.grad_W is None and s.grad_b is None
    np.testing.assert_array_equal(f.weights()[0], W0)  # nothing moves when every path is cut
    np.testing.assert_array_equal(f.weights()[1], b0)
    grad_add = f.record.grad_of("add")
    assert grad_add in f.spec.names() and grad_add in s.values
    assert s.grads["MatMul"] is None and s.grads["add"] is not None
    assert ("MatMul", "add") in f.record.cut_edges


def test_switching_mode_keeps_the_optimizer_slots():
    # optimizer-mode momentum for 5 steps, then the same rule by hand: the accumulator
    # carries over, so the numbers continue as if nothing had changed.
    a, b = fit("optimizer", "momentum"), fit("optimizer", "momentum")
    a.steps(5)
    b.steps(5)
    b.configure(TrainConfig(mode="manual", optimizer="momentum", lr=0.1))
    np.testing.assert_array_equal(a.steps(5), b.steps(5))


def test_rebuild_keeps_node_names():
    # The graph view matches items by name: a rebuild for grad_ys must not rename anything.
    f = PlaneFit(config=TrainConfig(mode="manual", optimizer="adam", lr=0.05))
    names = f.spec.names()
    f.configure(TrainConfig(mode="manual", optimizer="adam", lr=0.05, grad_ys=0.5))
    assert f.spec.names() == names
    f.set_data(make_plane_data(points=50, seed=2))
    assert f.spec.names() == names


def test_steps_edge_cases():
    f = PlaneFit()
    assert f.steps(0).shape == (0,) and f.steps(-3).shape == (0,)
    assert f.step_count == 0
    s = f.snapshot()
    assert s.step == 0 and not s.diverged
    with pytest.raises(TypeError):
        f.configure("lr=0.1")
    with pytest.raises(TypeError):
        PlaneFit(data="points")
