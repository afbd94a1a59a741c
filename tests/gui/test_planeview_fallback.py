"""The OpenGL probe and the 2D fallback view (chosen when GL is missing or GDVIZ_NO_GL=1)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gdviz.gui import gl_check
from gdviz.gui.plane import view as plane_view
from gdviz.gui.plane.view import NO_GL_NOTE, FallbackPlaneView, make_plane_view
from gdviz.training.types import PlaneData, Snapshot, frozen_array


def make_data(points: int = 30, seed: int = 2) -> PlaneData:
    rng = np.random.default_rng(seed)
    x = rng.random((2, points)).astype(np.float32)
    y = np.dot([0.1, 0.2], x) + 0.3
    return PlaneData(x=frozen_array(x), y=frozen_array(y))


def snap(W, b, step: int = 1) -> Snapshot:
    return Snapshot(step=step, loss=0.0, W=frozen_array(np.reshape(W, (1, 2))),
                    b=frozen_array(np.reshape(b, (1,))), grad_W=None, grad_b=None)


@pytest.fixture
def no_gl(monkeypatch):
    monkeypatch.setenv("GDVIZ_NO_GL", "1")
    gl_check.clear_cache()
    yield
    gl_check.clear_cache()


@pytest.fixture
def fallback(qtbot, no_gl):
    v = make_plane_view()
    qtbot.addWidget(v)
    v.resize(600, 450)
    v.set_data(make_data())
    v.show()
    qtbot.waitExposed(v)
    return v


def test_env_forces_no_gl(qapp, no_gl):
    assert gl_check.opengl_available() is False


def test_probe_is_cached_and_never_raises(qapp, monkeypatch):
    monkeypatch.delenv("GDVIZ_NO_GL", raising=False)
    gl_check.clear_cache()
    first = gl_check.opengl_available()
    assert isinstance(first, bool)
    assert gl_check._cached is first

    def boom():
        raise RuntimeError("driver exploded")

    gl_check.clear_cache()
    monkeypatch.setattr(gl_check, "_probe", boom)
    assert gl_check.opengl_available() is False  # caught, not raised
    gl_check.clear_cache()


def test_fallback_chosen_and_note_visible(fallback):
    assert isinstance(fallback, FallbackPlaneView)
    assert fallback.note.isVisible()
    assert fallback.note.text() == NO_GL_NOTE


def test_gl_widget_failure_falls_back(qtbot, monkeypatch):
    monkeypatch.setattr(plane_view, "opengl_available", lambda: True)

    def broken(parent=None):
        raise RuntimeError("context lost")

    monkeypatch.setattr(plane_view, "PlaneView", broken)
    v = make_plane_view()
    qtbot.addWidget(v)
    assert isinstance(v, FallbackPlaneView)


def test_fallback_heights_and_points_follow_snapshot(fallback):
    data = make_data()
    x = data.x.astype(np.float64)
    s = snap([0.5, -0.25], 0.125)
    fallback.set_snapshot(s)
    x1 = np.linspace(x[0].min(), x[0].max(), plane_view.GRID)
    x2 = np.linspace(x[1].min(), x[1].max(), plane_view.GRID)
    np.testing.assert_array_equal(fallback.surface_heights(), 0.5 * x1[:, None] - 0.25 * x2[None, :] + 0.125)
    px, py = fallback.points.getData()
    np.testing.assert_allclose(px, data.y)
    np.testing.assert_allclose(py, 0.5 * x[0] - 0.25 * x[1] + 0.125)


def test_fallback_no_item_growth_toggles_and_divergence(fallback, qtbot):
    n = fallback.scene_item_count()
    for k in range(40):
        fallback.set_snapshot(snap([0.01 * k, 0.02 * k], 0.01 * k, step=k))
    fallback.set_snapshot(snap([np.inf, np.nan], np.inf))  # diverged: drawn as gaps, no crash
    fallback.grab()
    assert fallback.scene_item_count() == n
    fallback.set_show_true_plane(False)
    fallback.set_show_residuals(False)
    assert not fallback.true_plane.isVisible() and not fallback.residuals.isVisible()
    qtbot.mouseClick(fallback.toggles.residuals, Qt.MouseButton.LeftButton)
    assert fallback.residuals.isVisible()
    before = fallback.frames_drawn
    fallback.set_snapshot(snap([0.1, 0.2], 0.3))
    qtbot.waitUntil(lambda: fallback.frames_drawn > before)
