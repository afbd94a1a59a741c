"""Time travel and file commands without Qt (gdviz/training/session_ops.py)."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.training import PlaneFit, TrainConfig, make_plane_data
from gdviz.training.session_ops import SessionOps


def _run(ops: SessionOps, fit: PlaneFit, n: int) -> None:
    for _ in range(n):
        fit.steps(1)
        ops.stepped(fit)


def test_goto_is_bounded_by_the_furthest_step_and_exact():
    fit, ops = PlaneFit(), SessionOps()
    ops.restarted(fit)
    _run(ops, fit, 30)
    W30 = np.array(fit.weights()[0])
    assert ops.horizon == 30
    ops.goto(fit, 7)
    assert fit.step_count == 7
    with pytest.raises(ValueError, match=r"outside the run \(0 to 30\)"):
        ops.goto(fit, 31)
    ops.goto(fit, 30)
    assert np.array_equal(fit.weights()[0], W30)


def test_a_configuration_change_forgets_the_future():
    fit, ops = PlaneFit(), SessionOps()
    ops.restarted(fit)
    _run(ops, fit, 20)
    ops.goto(fit, 5)
    fit.configure(TrainConfig(lr=0.1))
    ops.configured(fit)
    assert ops.horizon == 5
    with pytest.raises(ValueError, match="outside the run"):
        ops.goto(fit, 6)


def test_save_then_open_restores_the_state_and_history(tmp_path):
    fit, ops = PlaneFit(), SessionOps()
    ops.new_data(fit, make_plane_data(50, 0.0, 3), {"points": 50, "noise": 0.0, "seed": 3})
    losses = fit.steps(12)
    ops.stepped(fit)
    path = tmp_path / "run.gdviz"
    assert "at step 12" in ops.save(str(path), fit, losses)
    other, ops2 = PlaneFit(), SessionOps()
    text, history = ops2.open(str(path), other)
    assert "at step 12" in text and other.step_count == 12 and len(history) == 12
    assert np.array_equal(other.weights()[0], fit.weights()[0])
    assert ops2.generator == {"points": 50, "noise": 0.0, "seed": 3} and ops2.horizon == 12


def test_a_bad_file_changes_nothing(tmp_path):
    fit, ops = PlaneFit(), SessionOps()
    ops.restarted(fit)
    _run(ops, fit, 3)
    bad = tmp_path / "bad.gdviz"
    bad.write_text("{not json")
    with pytest.raises(ValueError):
        ops.open(str(bad), fit)
    assert fit.step_count == 3 and ops.horizon == 3


def test_export_to_a_full_disk_is_refused(tmp_path):
    fit, ops = PlaneFit(), SessionOps()
    ops.restarted(fit)
    _run(ops, fit, 3)
    out = tmp_path / "h.csv"
    assert "Exported 4 steps" in ops.export(str(out), fit)
    assert out.read_text().splitlines()[0] == "step,loss,W1,W2,b"
    with pytest.raises(ValueError, match="cannot be written"):
        ops.export(str(tmp_path / "missing-folder" / "h.csv"), fit)


def test_a_new_start_can_be_undone_with_its_history():
    """Issue 20: one click on the landscape replaced the run and its history with no undo."""
    fit, ops = PlaneFit(), SessionOps()
    ops.restarted(fit)
    _run(ops, fit, 30)
    ops.goto(fit, 25)                          # a horizon beyond the current step survives too
    W25, start = np.array(fit.weights()[0]), fit.start()
    ref = PlaneFit()
    ref_losses = ref.steps(25)
    ops.start(fit, [0.6, -0.4], 0.1)
    _run(ops, fit, 5)
    assert ops.can_undo_start and fit.step_count == 5
    text, losses, thetas = ops.undo_start(fit)
    assert "step 25" in text and fit.step_count == 25 and ops.horizon == 30
    assert np.array_equal(fit.weights()[0], W25) and np.array_equal(fit.start()[0], start[0])
    np.testing.assert_array_equal(losses, ref_losses)
    assert thetas.shape == (25, 3)
    ops.goto(fit, 30)                          # the replaced future is there again
    ref.steps(5)
    assert np.array_equal(fit.weights()[0], ref.weights()[0])
    with pytest.raises(ValueError, match="nothing to undo"):
        ops.undo_start(fit)


def test_undo_start_is_void_after_a_reset_or_a_setting_change():
    fit, ops = PlaneFit(), SessionOps()
    ops.restarted(fit)
    _run(ops, fit, 3)
    ops.start(fit, [0.6, -0.4], 0.1)
    fit.configure(TrainConfig(lr=0.1))
    ops.configured(fit)
    assert not ops.can_undo_start
    ops.start(fit, [0.2, -0.4], 0.1)
    fit.reset()
    ops.restarted(fit)
    with pytest.raises(ValueError, match="nothing to undo"):
        ops.undo_start(fit)


def test_a_refused_start_keeps_the_undo_of_the_one_before():
    fit, ops = PlaneFit(), SessionOps()
    ops.restarted(fit)
    _run(ops, fit, 4)
    ops.start(fit, [0.6, -0.4], 0.1)
    with pytest.raises(ValueError):
        ops.start(fit, [float("nan"), 0.0], 0.0)
    assert ops.can_undo_start
    ops.undo_start(fit)
    assert fit.step_count == 4
