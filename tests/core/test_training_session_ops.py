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
