"""Each optimizer remembers its own hyper-parameters; the defaults converge on the default data."""

from __future__ import annotations

import pytest


from gdviz.gui.main_window import MainWindow
from gdviz.gui.widgets.optimizer_form import OPTIMIZER_DEFAULTS
from gdviz.training import PlaneFit, TrainConfig, make_plane_data
from tests.gui.windows import barrier, last, open_window


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZER_DEFAULTS))
def test_each_default_converges_on_the_default_data(optimizer):
    d = OPTIMIZER_DEFAULTS[optimizer]
    cfg = TrainConfig(optimizer=optimizer, lr=d["lr"], momentum=d["momentum"])
    losses = PlaneFit(make_plane_data(), cfg).steps(2000)
    assert losses[-1] < 1e-3 * losses[0]


def choose(qtbot, w, optimizer):
    combo = w.controls.optimizer_form.optimizer_combo
    combo.setCurrentIndex(combo.findData(optimizer))
    barrier(qtbot, w)


def test_switching_optimizer_brings_its_own_rate_and_remembers_edits(qtbot):
    w = open_window(qtbot, MainWindow(start=False))
    form = w.controls.optimizer_form
    assert form.lr.value() == 0.5
    choose(qtbot, w, "nesterov")
    assert form.lr.value() == pytest.approx(0.05) and last(w).config.lr == pytest.approx(0.05)
    form.lr.setValue(0.03)
    barrier(qtbot, w)
    choose(qtbot, w, "gd")
    assert form.lr.value() == 0.5 and last(w).config.lr == 0.5
    choose(qtbot, w, "nesterov")
    assert form.lr.value() == pytest.approx(0.03) and last(w).config.optimizer == "nesterov"
    w.close()
    w2 = open_window(qtbot, MainWindow(start=False))        # remembered across launches
    choose(qtbot, w2, "gd")
    choose(qtbot, w2, "nesterov")
    assert w2.controls.optimizer_form.lr.value() == pytest.approx(0.03)
    w2.close()


def test_a_corrupt_table_is_ignored(qtbot, isolated_settings):
    from PySide6.QtCore import QSettings

    s = QSettings(str(isolated_settings), QSettings.Format.IniFormat)
    s.setValue("optimizer/per_optimizer", '{"adam": {"lr": "fast"}, "nesterov": [1]')
    s.sync()
    w = open_window(qtbot, MainWindow(start=False))
    choose(qtbot, w, "adam")
    assert w.controls.optimizer_form.lr.value() == pytest.approx(0.1)
    w.close()


def test_the_controls_show_every_value_the_limits_allow(qtbot):
    """The lr box used to stop at 0.0001 (4 decimals): a run at --lr 1e-5 showed 0.0001."""
    from gdviz.gui.widgets.controls import ControlPanel
    from gdviz.limits import LIMITS

    panel = ControlPanel()
    qtbot.addWidget(panel)
    form = panel.optimizer_form
    for name in ("lr", "momentum", "decay", "beta1", "beta2"):
        box = form.lr if name == "lr" else getattr(form, name)
        assert (box.minimum(), box.maximum()) == (LIMITS[name].low, LIMITS[name].high), name
    assert (panel.points_spin.minimum(), panel.points_spin.maximum()) == (2, 100_000)
    assert panel.seed_spin.maximum() == 2**31 - 1
    form.set_values(TrainConfig(lr=1e-5, momentum=0.999))
    assert form.lr.value() == pytest.approx(1e-5, rel=1e-9) and form.lr.text() == "1e-05"
    assert form.momentum.text() == "0.999"
    form.set_values(TrainConfig(lr=0.5))
    assert form.lr.text() == "0.5"  # as the rest of gdviz prints it, not "0.5000"


def test_grad_ys_out_of_range_is_refused_with_the_range(qtbot):
    from gdviz.gui.widgets.controls import ControlPanel

    panel = ControlPanel()
    qtbot.addWidget(panel)
    edit = panel.grad_ys_edit
    seen = []
    edit.value_changed.connect(seen.append)
    edit.setText("1e39")  # float32 inf: the literal grammar refuses it
    assert not edit.is_valid() and "outside the float32 range" in edit.error_text()
    edit.setText("1e7")  # finite, but the run would overflow: the limits refuse it
    assert not edit.is_valid() and "grad_ys must be in [-1e+06, 1e+06]" in edit.error_text()
    edit.setText("100000000000000000000")
    assert not edit.is_valid() and float(edit.value()) == 1.0 and seen == []
    edit.setText("2")
    assert edit.is_valid() and seen and float(seen[-1]) == 2.0
