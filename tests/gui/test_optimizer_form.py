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
