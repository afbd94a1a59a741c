"""Own data and sessions in the window: open, refuse, save, reopen, export, drop."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QUrl

from gdviz.training import make_plane_data
from gdviz.training.datafile import save_csv
from tests.gui.windows import barrier, last


def messages(qtbot, w):
    got = []
    w.controller.message.connect(got.append)
    return got


def test_open_csv_fits_it_and_draws_the_least_squares_plane(qtbot, window, tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("x1,x2,y\n0,0,1\n1,0,3\n0,1,2\n1,1,4\n0.5,0.5,2.5\n")
    said = messages(qtbot, window)
    window.files.open_path(str(p))
    barrier(qtbot, window)
    u = last(window)
    assert u.restart and u.data.points == 5 and u.data.true_W is None
    assert any("Loaded 5 points" in m for m in said)
    qtbot.waitUntil(lambda: window.plane_view.toggles.true_plane.text() == "least-squares plane")
    assert str(p.resolve()) in window.files.recent()


def test_a_bad_file_is_reported_and_changes_nothing(qtbot, window, tmp_path):
    before = last(window).data
    p = tmp_path / "bad.csv"
    p.write_text("x1,x2,y\n1,2,3\n4,five,6\n")
    said = messages(qtbot, window)
    window.files.open_path(str(p))
    barrier(qtbot, window)
    qtbot.waitUntil(lambda: any("line 3, column 2" in m for m in said))
    assert last(window).data is before


def test_save_and_reopen_a_session_continues_exactly(qtbot, window, tmp_path):
    for _ in range(30):
        window.controller.step()
    barrier(qtbot, window)
    W30 = np.array(last(window).snapshot.W)
    path = tmp_path / "run.gdviz"
    window.files.save_session(str(path))
    barrier(qtbot, window)
    for _ in range(10):
        window.controller.step()
    barrier(qtbot, window)
    W40 = np.array(last(window).snapshot.W)
    window.controller.reset()
    barrier(qtbot, window)
    window.files.open_path(str(path))
    barrier(qtbot, window)
    assert last(window).snapshot.step == 30
    np.testing.assert_array_equal(last(window).snapshot.W, W30)
    assert window.loss_view.point_count() == 31
    for _ in range(10):
        window.controller.step()
    barrier(qtbot, window)
    np.testing.assert_array_equal(last(window).snapshot.W, W40)


def test_export_history_writes_every_step_exactly(qtbot, window, tmp_path):
    for _ in range(12):
        window.controller.step()
    barrier(qtbot, window)
    out = tmp_path / "h.csv"
    window.controller.export_history(str(out))
    barrier(qtbot, window)
    rows = np.loadtxt(out, delimiter=",", skiprows=1)
    assert rows.shape == (13, 5) and list(rows[:, 0]) == list(range(13))
    np.testing.assert_allclose(rows[-1, 2:4], np.ravel(last(window).snapshot.W), rtol=1e-7)
    assert rows[-1, 1] == pytest.approx(last(window).snapshot.loss, rel=1e-7)


def test_dropping_a_file_opens_it(qtbot, window, tmp_path):
    p = tmp_path / "drop.csv"
    save_csv(p, make_plane_data(20, 0.0, 5))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p))])
    assert window.files.accepts(mime)
    window.files.drop(mime)
    barrier(qtbot, window)
    assert last(window).data.points == 20


def test_more_than_three_columns_asks_which(qtbot, window, tmp_path, monkeypatch):
    from gdviz.gui import files

    p = tmp_path / "wide.csv"
    p.write_text("id,x1,note,x2,y\n1,0,7,0,1\n2,1,7,0,3\n3,0,7,1,2\n4,1,7,1,4\n")
    asked = []
    monkeypatch.setattr(files.ColumnPicker, "ask", classmethod(lambda cls, parent, h: asked.append(h) or (1, 3, 4)))
    window.files.open_path(str(p))
    barrier(qtbot, window)
    assert asked == [["id", "x1", "note", "x2", "y"]]
    np.testing.assert_array_equal(last(window).data.y, [1, 3, 2, 4])
    np.testing.assert_array_equal(last(window).data.x[1], [0, 0, 1, 1])


def test_the_column_picker_guesses_by_name(qtbot):
    from gdviz.gui.files import ColumnPicker

    d = ColumnPicker(None, ["id", "x1", "note", "x2", "y"])
    qtbot.addWidget(d)
    assert d.columns() == (1, 3, 4)


def test_save_with_a_dead_engine_says_so_and_writes_nothing(qtbot, window, tmp_path):
    """After the engine ended, Ctrl+S wrote nothing and said nothing."""
    said = messages(qtbot, window)
    with qtbot.waitSignal(window.controller.stopped, timeout=20_000):
        window.controller._worker.request_stop()           # the engine ends (as if it had died)
    path = tmp_path / "late.gdviz"
    window.files.save_session(str(path))
    assert any("Session not saved: the training engine has stopped" in m for m in said)
    assert not path.exists()
