"""The Race tab: racers run in an engine process and every view shows the engine's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QThread

from gdviz.gui.race.rule_dialog import EXAMPLE, RuleDialog
from gdviz.gui.race.tab import RaceTab
from gdviz.training.race_engine import RacePacer
from gdviz.training import PlaneFit, make_plane_data
from gdviz.training.race_session import RacerSpec, theta_of


@pytest.fixture
def tab(qtbot):
    t = RaceTab()
    qtbot.addWidget(t)
    t.resize(1300, 750)
    t.show()
    qtbot.waitUntil(lambda: t.last_update is not None, timeout=10000)
    yield t
    t.shutdown()
    assert t.worker.process.exitcode == 0            # the engine left with the tab


def _run_to(qtbot, tab, step):
    while tab.last_update.step < step:
        before = tab.last_update.step
        tab.worker_step()
        qtbot.waitUntil(lambda: tab.last_update.step > before, timeout=5000)
    qtbot.waitUntil(lambda: tab.step_label.text() == f"step {step}", timeout=5000)   # drawn


def test_stepped_race_equals_single_runs_and_is_drawn(qtbot, tab):
    _run_to(qtbot, tab, 6)
    data = make_plane_data()
    for i, spec in enumerate(tab.specs):
        solo = PlaneFit(data, spec.racer().config, init_seed=0)
        losses = solo.steps(6)
        curve = tab.plots._curves[i]                    # what was handed to pyqtgraph
        np.testing.assert_array_equal(curve.xData, np.arange(6))
        np.testing.assert_allclose(curve.yData, losses, rtol=1e-12)
        px, py = tab.plots._lines[i].getData()
        np.testing.assert_array_equal([px[-1], py[-1]], theta_of(solo)[:2])
    heads = tab.plots._heads                       # every racer's current θ is marked on the paths
    assert heads.scene() is not None and len(heads.data) == len(tab.specs)
    np.testing.assert_allclose([heads.data["x"][-1], heads.data["y"][-1]], [px[-1], py[-1]])   # the last racer
    loss_text = tab.board.item(0, 4).text()
    assert float(loss_text) == pytest.approx(PlaneFit(data, tab.specs[0].racer().config).steps(7)[-1], rel=1e-3)


def test_playing_runs_in_the_engine_process_until_paused(qtbot, tab):
    import os

    assert tab.worker.thread() is not QThread.currentThread()
    assert tab.worker.process.is_alive() and tab.worker.process.pid != os.getpid()
    tab.toggle_play()
    qtbot.waitUntil(lambda: tab.playing and tab.play_button.text() == "Pause", timeout=5000)
    qtbot.waitUntil(lambda: tab.last_update.step >= 3, timeout=10000)
    tab.toggle_play()
    qtbot.waitUntil(lambda: not tab.playing and tab.play_button.text() == "Play", timeout=5000)
    paused_at = tab.last_update.step
    tab.worker_barrier()
    assert tab.last_update.step == paused_at           # nothing ran after the pause


def test_the_tutorials_two_programs_show_zero_difference(qtbot, tab):
    tab.preset.setCurrentText("The tutorial's two programs")
    tab.on_preset(tab.preset.currentIndex())
    qtbot.waitUntil(lambda: tab.board.rowCount() == 2 and tab.last_update.step == 0, timeout=5000)
    _run_to(qtbot, tab, 10)
    assert float(tab.board.item(1, 6).text()) == 0.0


def test_bad_lr_is_refused_with_a_message_and_nothing_changes(qtbot, tab):
    before = tab.specs
    tab.board.item(0, 1).setText("fast")
    assert "not a number" in tab.error.text()
    assert tab.specs == before and tab.board.item(0, 1).text() == "0.5"
    tab.board.item(0, 1).setText("0.25")
    qtbot.waitUntil(lambda: tab.specs[0].lr == 0.25, timeout=5000)


def test_a_seventh_racer_is_refused(qtbot, tab):
    tab.on_add()                      # 6 racers
    qtbot.waitUntil(lambda: tab.board.rowCount() == 6, timeout=5000)
    tab.on_add()
    assert "at most 6" in tab.error.text() and len(tab.specs) == 6


def test_the_rule_dialog_positions_errors_and_accepts_the_issue_file(qtbot):
    d = RuleDialog(text=EXAMPLE)
    qtbot.addWidget(d)
    assert d.check() and d.error.text() == ""
    d.editor.setPlainText("W = W - lr * grad_Q\nb = b\n")
    assert not d.check()
    assert d.error.text().startswith("line 1, column")


def test_a_rule_racer_races(qtbot, tab):
    assert tab.set_specs((RacerSpec("ng-momentum-bc"), RacerSpec("rule", rule=EXAMPLE, label="mine")))
    qtbot.waitUntil(lambda: tab.board.rowCount() == 2 and tab.last_update.step == 0, timeout=5000)
    _run_to(qtbot, tab, 5)
    a, b = tab.last_update.racers
    np.testing.assert_allclose(a.path[-1], b.path[-1], rtol=1e-5)   # same rule, α = lr = 0.5


def test_engine_pace_arithmetic():
    w = RacePacer(rate=10.0)
    assert [w.steps_for_tick(0.05) for _ in range(4)] == [0, 1, 0, 1]
    w.rate = 0.0
    assert w.steps_for_tick(0.02) >= 1
    w.measured(100, 0.1)                       # a step costs more: fewer per tick at full speed
    assert w.steps_for_tick(0.02) < int(w.budget_s / 1e-4)


def test_planes_in_3d_follow_the_selected_racer(qtbot, tab):
    _run_to(qtbot, tab, 4)
    tab.space.setCurrentIndex(1)
    tab.board.selectRow(2)
    qtbot.waitUntil(lambda: tab.selected_racer() == 2)
    tab.redraw()
    theta = tab.last_update.racers[2].path[-1]
    x1, x2 = tab.planes.grid_axes()
    expected = theta[0] * x1[:, None] + theta[1] * x2[None, :] + theta[2]
    np.testing.assert_allclose(tab.planes.surface_heights(), expected, rtol=1e-9, atol=1e-12)
    assert len(tab.planes._others) == len(tab.specs) - 1


def test_a_refused_edit_keeps_every_number_shown(qtbot, tab):
    _run_to(qtbot, tab, 5)
    shown = [[tab.board.item(r, c).text() for c in range(3, 7)] for r in range(tab.board.rowCount())]
    assert all(row[1] for row in shown)                 # losses are on show
    tab.board.item(0, 1).setText("fast")
    assert "not a number" in tab.error.text()
    assert [[tab.board.item(r, c).text() for c in range(3, 7)]
            for r in range(tab.board.rowCount())] == shown


def test_a_preset_change_never_reports_an_empty_number(qtbot, tab):
    from PySide6.QtWidgets import QAbstractItemView

    said = []
    tab.message.connect(said.append)
    tab.board.setCurrentCell(1, 1)
    tab.board.editItem(tab.board.item(1, 1))            # an editor left open while choosing a preset
    assert tab.board.state() == QAbstractItemView.State.EditingState
    tab.preset.setCurrentText("Ng vs TF momentum")
    tab.on_preset(tab.preset.currentIndex())
    qtbot.waitUntil(lambda: tab.board.rowCount() == 3 and tab.last_update.step == 0, timeout=5000)
    assert tab.board.state() != QAbstractItemView.State.EditingState   # it cannot write into the new rows
    tab.board.edited.emit(1, 1, "")                     # an emptied cell is no edit
    tab.board.edited.emit(0, 2, "")
    assert "not a number" not in tab.error.text() and not any("not a number" in m for m in said)
    assert tab.board.item(1, 1).text() == "0.5"


def test_the_race_fits_the_data_in_use_and_says_which(qtbot, window, tmp_path):
    """Issue 26: with a CSV loaded, the Race tab raced the generated data without a word."""
    from tests.gui.windows import barrier, last

    p = tmp_path / "mine.csv"
    p.write_text("x1,x2,y\n0,0,1\n1,0,3\n0,1,2\n1,1,4\n0.5,0.5,2.5\n")
    window.files.open_path(str(p))
    barrier(qtbot, window)
    assert last(window).data.points == 5
    race = window.race_tab
    window.tabs.setCurrentWidget(race)
    qtbot.waitUntil(lambda: getattr(race, "_data", None) is not None, timeout=10000)
    race.restart()
    race.worker_barrier()
    assert race._data.points == 5 and race._data.true_W is None
    np.testing.assert_allclose(race._data.y, last(window).data.y)
    assert race.data_label.text() == "data: loaded file, 5 points"
