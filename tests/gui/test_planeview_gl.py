"""The 3D plane view (pyqtgraph.opengl) under a real X server: heights, no item growth,
toggles, repaint counting, a non-blank render."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtCore import Qt

from gdviz.gui import gl_check
from gdviz.gui.plane.view import GRID, PlaneView, make_plane_view, plane_heights
from gdviz.training.types import PlaneData, Snapshot, frozen_array


def make_data(points: int = 40, noise: float = 0.02, seed: int = 1) -> PlaneData:
    rng = np.random.default_rng(seed)
    x = rng.random((2, points)).astype(np.float32)
    y = np.dot([0.1, 0.2], x) + 0.3 + noise * rng.standard_normal(points)
    return PlaneData(x=frozen_array(x), y=frozen_array(y), noise=noise, seed=seed)


def snap(step: int, W, b, loss: float = 0.1) -> Snapshot:
    return Snapshot(step=step, loss=loss, W=frozen_array(np.array(W, dtype=np.float32).reshape(1, 2)),
                    b=frozen_array(np.array(b, dtype=np.float32).reshape(1)), grad_W=None, grad_b=None)


@pytest.fixture
def view(qtbot):
    gl_check.clear_cache()
    assert gl_check.opengl_available(), "Mesa/llvmpipe under Xvfb should give OpenGL >= 2.0"
    v = PlaneView()
    qtbot.addWidget(v)
    v.resize(640, 480)
    v.set_data(make_data())
    v.set_snapshot(snap(0, [0.0, 0.0], 0.0))
    v.show()
    qtbot.waitExposed(v)
    qtbot.waitUntil(lambda: v.frames_drawn > 0)
    return v


def rgb(img: QImage) -> np.ndarray:
    """Pixels as an (h, w, 3) uint8 array."""
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.width() * img.height() * 4)
    # copy: the buffer belongs to the local QImage, which is freed when we return
    return arr.reshape(img.height(), img.width(), 4)[..., 2::-1].copy()  # BGRA in memory -> RGB


def test_make_plane_view_picks_gl_when_available(qtbot, monkeypatch):
    monkeypatch.delenv("GDVIZ_NO_GL", raising=False)
    gl_check.clear_cache()
    v = make_plane_view()
    qtbot.addWidget(v)
    assert isinstance(v, PlaneView)
    assert gl_check._cached is True  # the probe ran once and its answer is kept


def test_heights_follow_snapshot_exactly(view):
    data = make_data()
    x = data.x.astype(np.float64)
    x1 = np.linspace(x[0].min(), x[0].max(), GRID)
    x2 = np.linspace(x[1].min(), x[1].max(), GRID)
    for W, b in (([0.5, -0.3], 0.2), ([0.1, 0.2], 0.3), ([-2.0, 4.0], -1.5)):
        s = snap(1, W, b)
        view.set_snapshot(s)
        w = s.W.astype(np.float64)
        expected = w[0, 0] * x1[:, None] + w[0, 1] * x2[None, :] + float(s.b[0])
        got = view.surface_heights()
        assert got.shape == (GRID, GRID)
        np.testing.assert_array_equal(got, expected)
        # the GL surface holds the same heights (as float32)
        np.testing.assert_allclose(view.surface._z, expected, rtol=1e-6, atol=1e-6)


def test_plane_heights_helper_orientation():
    z = plane_heights(np.array([[1.0, 10.0]]), np.array([0.5]), np.array([0.0, 1.0]), np.array([0.0, 2.0, 3.0]))
    np.testing.assert_array_equal(z, [[0.5, 20.5, 30.5], [1.5, 21.5, 31.5]])


def test_many_snapshots_create_no_scene_items(view, qtbot):
    n_items = view.scene_item_count()
    children = len(view.surface.childItems())
    data = make_data()
    for k in range(60):
        view.set_snapshot(snap(k, [0.01 * k, -0.02 * k], 0.005 * k))
    view.set_data(make_data(points=70, seed=3))  # new data also updates in place
    view.set_data(data)
    assert view.scene_item_count() == n_items
    assert len(view.surface.childItems()) == children
    # the points and residual lines were updated, not re-created
    np.testing.assert_allclose(view.points.pos[:, :2], data.x.T, rtol=1e-6)
    np.testing.assert_allclose(view.points.pos[:, 2], data.y, rtol=1e-6)
    last = snap(59, [0.59, -1.18], 0.295)
    view.set_snapshot(last)
    seg = view.residuals.pos
    assert seg.shape == (2 * data.points, 3)
    pred = 0.59 * data.x[0].astype(np.float64) - 1.18 * data.x[1] + 0.295
    np.testing.assert_allclose(seg[1::2, 2], pred, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(seg[0::2, 2], data.y, rtol=1e-6)


def test_toggles_hide_and_show(view, qtbot):
    assert view.true_plane.visible() and view.residuals.visible()
    view.set_show_true_plane(False)
    assert not view.true_plane.visible()
    assert not view.toggles.true_plane.isChecked()  # the legend checkbox follows
    view.set_show_residuals(False)
    assert not view.residuals.visible()
    view.set_show_true_plane(True)
    view.set_show_residuals(True)
    assert view.true_plane.visible() and view.residuals.visible()
    # the checkboxes themselves drive the same toggles
    qtbot.mouseClick(view.toggles.residuals, Qt.MouseButton.LeftButton)
    assert not view.residuals.visible()
    qtbot.mouseClick(view.toggles.true_plane, Qt.MouseButton.LeftButton)
    assert not view.true_plane.visible()


def test_frames_drawn_increase_after_updates(view, qtbot):
    for k in range(3):
        before = view.frames_drawn
        view.set_snapshot(snap(k, [0.1 * k, 0.2], 0.3))
        qtbot.waitUntil(lambda: view.frames_drawn > before)


def test_render_is_not_blank(view, qtbot):
    view.set_snapshot(snap(5, [0.3, 0.1], 0.25))
    img = view.view.grabFramebuffer()
    assert not img.isNull()
    assert img.width() > 100 and img.height() > 100
    px = rgb(img).astype(int)
    assert len(np.unique(px.reshape(-1, 3), axis=0)) > 20  # not one flat colour
    r, g, b = px[..., 0], px[..., 1], px[..., 2]
    assert ((b > r + 60) & (b > 120)).sum() > 500, "the translucent blue plane is drawn"
    assert ((r > 200) & (g > 140) & (b < 120)).sum() > 50, "the amber data points are drawn"
    assert ((r > 180) & (g < 130) & (b < 130)).sum() > 20, "the red residual lines are drawn"


def test_diverged_snapshot_does_not_crash(view, qtbot):
    view.set_snapshot(snap(7, [np.inf, np.nan], np.inf, loss=np.inf))
    assert not np.isfinite(view.surface_heights()).all()
    assert not view.surface.visible() and not view.residuals.visible()
    before = view.frames_drawn
    view.view.update()
    qtbot.waitUntil(lambda: view.frames_drawn > before)
    view.set_snapshot(snap(0, [0.1, 0.2], 0.3))  # reset recovers
    assert view.surface.visible() and view.residuals.visible()


def test_reset_camera_and_double_click(view, qtbot):
    view.view.orbit(40, 10)
    view.view.setCameraPosition(distance=9)
    qtbot.mouseDClick(view.view, Qt.MouseButton.LeftButton)
    assert view.view.opts["distance"] == pytest.approx(view.view.home["distance"])
    view.view.setCameraPosition(distance=9)
    view.reset_camera()
    assert view.view.opts["azimuth"] == pytest.approx(view.view.home["azimuth"])


def test_no_plane_before_first_snapshot(qtbot):
    v = PlaneView()
    qtbot.addWidget(v)
    v.set_data(make_data())
    assert not v.surface.visible() and not v.residuals.visible()
    v.set_snapshot(snap(0, [0.2, 0.1], 0.3))
    assert v.surface.visible() and v.residuals.visible()


def test_axis_labels_survive_a_window_grab(view, qtbot):
    """QWidget.grab (the app's screenshots) must show the axis labels, not only the screen."""
    labels = [it for it in view.view.items if type(it).__name__ == "_Label"]
    assert {it.text for it in labels} >= {"x1", "x2", "y"}
    with_labels = rgb(view.grab().toImage())
    for it in labels:
        it.setVisible(False)
    without = rgb(view.grab().toImage())
    for it in labels:
        it.setVisible(True)
    assert (with_labels != without).any(axis=-1).sum() > 50


def test_mouse_orbits_and_zooms(view, qtbot):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QMouseEvent, QWheelEvent
    from PySide6.QtWidgets import QApplication

    gv = view.view
    az, dist = gv.opts["azimuth"], gv.opts["distance"]
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    p0, p1 = QPointF(200, 200), QPointF(260, 215)
    QApplication.sendEvent(gv, QMouseEvent(QMouseEvent.Type.MouseButtonPress, p0, gv.mapToGlobal(p0), left, left, none))
    no_button = Qt.MouseButton.NoButton
    QApplication.sendEvent(gv, QMouseEvent(QMouseEvent.Type.MouseMove, p1, gv.mapToGlobal(p1), no_button, left, none))
    QApplication.sendEvent(gv, QMouseEvent(QMouseEvent.Type.MouseButtonRelease, p1, gv.mapToGlobal(p1), left,
                                           no_button, none))
    assert gv.opts["azimuth"] != pytest.approx(az)  # drag orbits
    wheel = QWheelEvent(p1, gv.mapToGlobal(p1), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton, none,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(gv, wheel)
    assert gv.opts["distance"] < dist  # wheel up zooms in


def test_window_point_uses_public_camera_state(view):
    # The camera looks at opts['center']: it lands in the middle of the widget, and a point
    # along the screen's right-hand direction lands right of it.  Public pyqtgraph API only, so
    # this holds for every pyqtgraph release the project allows.
    from PySide6.QtGui import QMatrix4x4

    from gdviz.gui.plane.view import window_point

    glv = view.view
    c = glv.opts["center"]
    at = window_point(glv, QMatrix4x4(), (c.x(), c.y(), c.z()))
    assert at.x() == pytest.approx(glv.width() / 2, abs=0.5)
    assert at.y() == pytest.approx(glv.height() / 2, abs=0.5)
    glv.setCameraPosition(azimuth=0, elevation=0)   # looking along -x: +y is screen-right
    right = window_point(glv, QMatrix4x4(), (c.x(), c.y() + 0.1, c.z()))
    up = window_point(glv, QMatrix4x4(), (c.x(), c.y(), c.z() + 0.1))
    assert right.x() > glv.width() / 2 + 5 and right.y() == pytest.approx(glv.height() / 2, abs=0.5)
    assert up.y() < glv.height() / 2 - 5
