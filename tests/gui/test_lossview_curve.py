"""The loss curve keeps every value, survives log mode with zero/nan/inf, clears, marks the step."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.gui.plane.loss_view import LossView


def plotted(lv: LossView) -> int:
    x = lv.curve.getOriginalDataset()[0]
    return 0 if x is None else len(x)


@pytest.fixture
def lv(qtbot):
    v = LossView()
    qtbot.addWidget(v)
    v.resize(600, 300)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_keeps_every_point_across_many_appends(lv, qtbot):
    rng = np.random.default_rng(0)
    chunks, step = [], 0
    while step < 100_000:
        k = min(int(rng.integers(1, 3000)), 100_000 - step)
        c = rng.random(k) * np.exp(-step / 20_000)
        lv.append(c.astype(np.float32 if step % 2 else np.float64), step)
        chunks.append(c)
        step += k
    assert lv.point_count() == 100_000
    steps, losses = lv.data()
    assert steps.dtype == np.float64 and losses.dtype == np.float64
    np.testing.assert_array_equal(steps, np.arange(100_000))
    expected = np.concatenate([c.astype(np.float32 if i % 2 else np.float64) for i, c in
                               zip(np.cumsum([0] + [len(c) for c in chunks])[:-1], chunks)]).astype(np.float64)
    np.testing.assert_array_equal(losses, expected)
    # the plotted curve is the envelope at the plot's width: a few points per pixel, yet its
    # extremes are the data's (every spike kept)
    x, y = lv.curve.getOriginalDataset()
    assert len(x) <= 2 * lv.plot.width() + 200
    # (the envelope keeps float32, exact for the engine's float32 losses)
    assert y.max() == np.float32(expected.max()) and y.min() == np.float32(expected.min())
    lv.grab()


def test_drawing_cost_does_not_grow_with_the_run(lv, qtbot):
    sizes = []
    for i in range(30):
        lv.append(np.linspace(1, 0.5, 20_000) + (i == 17) * np.eye(1, 20_000, 777)[0], 20_000 * i)
        sizes.append(plotted(lv))
    assert lv.point_count() == 600_000 and "step 599999" in lv.readout.text()
    assert max(sizes) <= 2 * lv.plot.width() + 200            # O(pixels), at 2e4 steps as at 6e5
    spike = np.float32(1 - 0.5 * 777 / 19_999 + 1)             # the one spike, at step 340777
    assert lv.curve.getOriginalDataset()[1].max() == pytest.approx(spike, rel=1e-6)
    assert lv.marker.value() == 599_999


def test_zooming_in_shows_the_exact_values_there(lv, qtbot):
    v = np.random.default_rng(3).random(300_000)
    lv.append(v, 0)
    lv.plot.getPlotItem().getViewBox().setXRange(250_000, 250_400, padding=0)
    qtbot.waitUntil(lambda: plotted(lv) < 1000 and plotted(lv) > 300)
    x, y = lv.curve.getOriginalDataset()
    inside = (x >= 250_000) & (x <= 250_400)
    np.testing.assert_array_equal(y[inside], v[x[inside].astype(int)])


def test_log_toggle_with_zero_nan_inf_does_not_raise(lv):
    lv.append(np.array([1.0, 0.5, 0.0, -1.0, np.nan, np.inf, -np.inf, 1e-3]), 0)
    lv.grab()
    lv.set_log_y(True)
    assert lv.is_log_y() and lv.log_box.isChecked()
    lv.grab()  # paints in log mode: pytest-qt fails the test on any exception in paint
    _, y = lv.curve.getData()  # what is drawn: log10 of the losses
    assert np.isnan(y[[2, 3, 4, 5, 6]]).all()  # undrawable in log: gaps
    np.testing.assert_allclose(y[[0, 1, 7]], np.log10([1.0, 0.5, 1e-3]))
    lv.append(np.array([0.0, 2.0]), 8)
    lv.grab()
    lv.set_log_y(False)
    lv.grab()
    _, y = lv.curve.getData()
    assert y[2] == 0.0 and y[3] == -1.0 and np.isnan(y[5]) and np.isnan(y[6])  # linear: inf -> gap
    assert np.isfinite(lv.plot.getPlotItem().getViewBox().viewRange()[1]).all()
    _, losses = lv.data()
    assert np.isinf(losses[5]) and losses[3] == -1.0  # stored as given


def test_all_nan_in_log_mode(lv):
    lv.set_log_y(True)
    lv.append(np.full(10, np.nan), 0)
    lv.grab()
    assert lv.point_count() == 10


def test_log_checkbox_drives_log_mode(lv):
    lv.append(np.linspace(1, 0.01, 50), 0)
    lv.log_box.setChecked(True)
    assert lv.is_log_y()
    assert lv.plot.getPlotItem().ctrl.logYCheck.isChecked()
    lv.log_box.setChecked(False)
    assert not lv.is_log_y()


def test_clear_and_current_step(lv):
    lv.append(np.ones(100), 0)
    assert lv.marker.value() == 99 and lv.marker.isVisible()
    lv.set_current_step(42)
    assert lv.marker.value() == 42
    assert "step 42" in lv.readout.text()
    lv.clear()
    assert lv.point_count() == 0 and not lv.marker.isVisible()
    x, _ = lv.curve.getOriginalDataset()
    assert x is None or len(x) == 0
    lv.append(np.array([3.0, 2.0]), 0)
    assert lv.point_count() == 2


def test_replay_after_reset_replaces_the_tail(lv):
    lv.append(np.arange(10, dtype=float), 0)
    lv.append(np.array([7.0, 7.0]), 5)  # session went back to step 5
    steps, losses = lv.data()
    np.testing.assert_array_equal(steps, [0, 1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(losses, [0, 1, 2, 3, 4, 7, 7])
    lv.append(np.array([], dtype=float), 0)  # an empty append at step 0 is a reset
    assert lv.point_count() == 0


def test_downsampling_and_clip_configured(lv):
    opts = lv.curve.opts
    assert opts["autoDownsample"] and opts["downsampleMethod"] == "peak" and opts["clipToView"]


def test_thousands_of_small_appends_do_not_abort(lv):
    """Each flush emits pyqtgraph signals; PySide6 6.12.0 aborted the process after ~1000."""
    for i in range(3000):
        lv.append(np.array([1.0 / (i + 1)]), i)
    assert lv.point_count() == 3000


def test_current_point_dot_follows_marker(lv):
    lv.append(np.array([0.5, 0.25, 0.125]), 10)
    x, y = lv.dot.getData()
    assert list(x) == [12] and list(y) == [0.125]
    lv.set_current_step(11)
    x, y = lv.dot.getData()
    assert list(x) == [11] and list(y) == [0.25]
    lv.append(np.array([np.nan]), 13)  # diverged: no dot, readout says so
    x, _ = lv.dot.getData()
    assert x is None or len(x) == 0
    assert "diverged" in lv.readout.text()


def test_inf_fed_as_gap_until_replayed_over(lv):
    lv.append(np.array([1.0, 0.5, np.inf]), 0)
    _, y = lv.curve.getOriginalDataset()
    assert np.isnan(y[2])
    lv.append(np.array([0.4]), 2)  # reset + replay from step 2 overwrites the inf
    _, y = lv.curve.getOriginalDataset()
    np.testing.assert_array_equal(y, [1.0, 0.5, 0.4])
    assert y.base is not None  # fed a view of the buffer again, not a copy


def test_empty_one_point_and_reset_ranges(lv):
    vb = lv.plot.getPlotItem().getViewBox()
    lv.clear()
    assert lv.empty_note.isVisible() and vb.viewRange()[0] == [0, 10]
    lv.append(np.array([0.3]), 0)
    x0, x1 = vb.viewRange()[0]
    assert not lv.empty_note.isVisible() and -2 <= x0 and x1 <= 12            # not -600..600
    lv.append(np.linspace(1, 0.1, 500), 0)
    lv.grab()
    assert vb.viewRange()[0][1] >= 499                                         # auto range again
    lv.clear()                                                                 # Reset: no old range
    assert vb.viewRange()[0] == [0, 10] and lv.empty_note.isVisible()
