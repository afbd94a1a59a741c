"""What the 3D plane view and its 2D fallback share: colours, the plane's geometry (pure numpy),
the check boxes under the view, and the base class that keeps data and snapshot."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from gdviz.training.types import PlaneData, Snapshot

GRID = 11  # vertices per side of the fitted plane: a flat plane needs few, and its grid lines match the floor's
BACKGROUND = (24, 26, 32)
POINT_RGBA = (1.0, 0.78, 0.25, 1.0)        # warm amber: stands out against the blue plane
PLANE_RGBA = (0.25, 0.55, 1.0, 0.42)       # translucent blue, points stay visible through it
PLANE_EDGE_RGBA = (0.55, 0.75, 1.0, 0.55)
TRUE_RGBA = (0.72, 0.72, 0.76, 0.65)       # grey wireframe
RESID_RGBA = (1.0, 0.36, 0.36, 0.85)       # thin red
DRAW_LIMIT = 1e3  # |z| clamp for drawing only: float32 GL buffers overflow on a diverged fit
NO_GL_NOTE = "3D view unavailable (no OpenGL): showing a 2D view"



def plane_heights(W: np.ndarray, b: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """Heights of the plane ``y = W[0,0]*x1 + W[0,1]*x2 + b`` on a grid.

    Parameters
    ----------
    W : array, shape (1, 2);  b : array, shape (1,) or scalar
    x1 : array, shape (n1,);  x2 : array, shape (n2,)

    Returns
    -------
    ndarray, shape (n1, n2), float64 — ``z[i, j]`` is the height at ``(x1[i], x2[j])``.
    """
    w = np.asarray(W, dtype=np.float64).reshape(-1)
    b0 = float(np.asarray(b, dtype=np.float64).reshape(-1)[0])
    with np.errstate(all="ignore"):  # a diverged W gives inf/nan heights; that is the truth
        return (w[0] * np.asarray(x1, np.float64)[:, None]
                + w[1] * np.asarray(x2, np.float64)[None, :] + b0)


def plane_wire(W: np.ndarray, b: np.ndarray, data: PlaneData, n: int = 11) -> np.ndarray:
    """Wireframe segments of the plane ``y = W.x + b`` over the data's x range, (4n(n-1), 3)."""
    a1, a2 = _grid_axes(data, n)
    z = plane_heights(W, b, a1, a2)
    X1, X2 = np.meshgrid(a1, a2, indexing="ij")
    P = np.stack([X1, X2, z], axis=-1)
    along1 = np.stack([P[:-1, :], P[1:, :]], axis=2).reshape(-1, 3)
    along2 = np.stack([P[:, :-1], P[:, 1:]], axis=2).reshape(-1, 3)
    return np.concatenate([along1, along2]).astype(np.float32)


def _grid_axes(data: PlaneData | None, n: int = GRID) -> tuple[np.ndarray, np.ndarray]:
    """The x1 and x2 samples spanning the data (the unit square when there is no data)."""
    if data is None or data.points == 0:
        lo1, hi1, lo2, hi2 = 0.0, 1.0, 0.0, 1.0
    else:
        x = np.asarray(data.x, dtype=np.float64)
        lo1, hi1 = float(x[0].min()), float(x[0].max())
        lo2, hi2 = float(x[1].min()), float(x[1].max())
        if hi1 - lo1 < 1e-9:
            lo1, hi1 = lo1 - 0.5, hi1 + 0.5
        if hi2 - lo2 < 1e-9:
            lo2, hi2 = lo2 - 0.5, hi2 + 0.5
    return np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n)


def _predict(data: PlaneData, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Model output per point, shape (N,), float64."""
    w = np.asarray(W, dtype=np.float64).reshape(-1)
    b0 = float(np.asarray(b, dtype=np.float64).reshape(-1)[0])
    x = np.asarray(data.x, dtype=np.float64)
    with np.errstate(all="ignore"):
        return w[0] * x[0] + w[1] * x[1] + b0


class _Toggles(QWidget):
    """Legend row that doubles as the two view toggles (so the view works on its own)."""

    def __init__(self, owner, parent=None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        self.legend = legend = QLabel(
            "<span style='color:#ffc740'>&#9679;</span> data &nbsp; "
            "<span style='color:#4a8cff'>&#9632;</span> fitted plane"
        )
        self.true_plane = QCheckBox("true plane")
        self.true_plane.setToolTip("Show the plane that generated the data (grey wireframe)")
        self.residuals = QCheckBox("residuals")
        self.residuals.setToolTip("Show each point's error: a red line from the point to the fitted plane")
        self.hint = QLabel()
        self.hint.setMinimumWidth(20)      # clipped, never widening the window
        self.hint.setStyleSheet("color: #8a8f98")
        for w in (legend, self.true_plane, self.residuals):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.hint)
        self.true_plane.setChecked(True)
        self.residuals.setChecked(True)
        self.true_plane.toggled.connect(owner.set_show_true_plane)
        self.residuals.toggled.connect(owner.set_show_residuals)

    def set_reference_label(self, label: str) -> None:
        """'true plane' for generated data, 'least-squares plane' for loaded data."""
        self.true_plane.setText(label)
        self.true_plane.setToolTip("Show the plane that generated the data (grey wireframe)" if label == "true plane"
                                   else "Show the least-squares plane of this data (grey wireframe): "
                                        "loaded data has no true plane")

    def sync(self, true_plane: bool, residuals: bool) -> None:
        """Reflect programmatic changes without echoing them back as signals."""
        for box, on in ((self.true_plane, true_plane), (self.residuals, residuals)):
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)


class _PlaneViewBase(QWidget):
    """State and public API shared by the 3D and the 2D view; subclasses only draw.

    Subclasses implement ``_on_data(data)`` (data-dependent items), ``_draw()`` (fit-dependent
    items and visibility, from ``_W``, ``_b``, ``_heights``, ``_has_fit``, ``_show_*``),
    ``frames_drawn``, ``scene_item_count`` and ``reset_camera``.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._data: PlaneData | None = None
        self._W = np.zeros((1, 2))
        self._b = np.zeros(1)
        self._x1, self._x2 = _grid_axes(None)
        self._heights = plane_heights(self._W, self._b, self._x1, self._x2)
        self._show_true = True
        self._show_resid = True
        self._has_fit = False  # no fit is drawn until the first snapshot says where it is
        self._others: list = []
        self.toggles = _Toggles(self)

    def surface_heights(self) -> np.ndarray:
        """The fitted plane's z grid, shape (GRID, GRID), float64 (exact, may be non-finite)."""
        return self._heights.copy()

    def grid_axes(self) -> tuple[np.ndarray, np.ndarray]:
        """The x1 and x2 samples of the surface grid, each shape (GRID,), float64."""
        return self._x1.copy(), self._x2.copy()

    def set_data(self, data: PlaneData) -> None:
        """Show a new data set; the surface grid spans its x1/x2 range."""
        self._data = data
        self._x1, self._x2 = _grid_axes(data)
        self._on_data(data)
        self._refresh()

    def set_snapshot(self, snap: Snapshot) -> None:
        """Move the fitted plane and residuals to the snapshot's W and b (updates only)."""
        self.set_fit(snap.W, snap.b)

    def set_fit(self, W, b) -> None:
        """Move the fitted plane and residuals to ``W`` (2 values) and ``b``."""
        self._W = np.asarray(W, dtype=np.float64).reshape(1, 2)
        self._b = np.asarray(b, dtype=np.float64).reshape(-1)[:1]
        self._has_fit = True
        self._refresh()

    def set_other_planes(self, planes) -> None:
        """Faint wireframes of other fits (the race's other racers): ``[(W, b, rgba), ...]``,
        rgba floats in [0, 1].  The 2D fallback does not draw them."""
        self._others = [(np.asarray(W, np.float64).reshape(1, 2), np.asarray(b, np.float64).reshape(-1)[:1],
                         tuple(rgba)) for W, b, rgba in planes]
        self._draw_others()

    def _draw_others(self) -> None:
        """Subclasses that can draw other planes override this."""

    def set_show_true_plane(self, on: bool) -> None:
        self._show_true = bool(on)
        self._draw()
        self.toggles.sync(self._show_true, self._show_resid)

    def set_show_residuals(self, on: bool) -> None:
        self._show_resid = bool(on)
        self._draw()
        self.toggles.sync(self._show_true, self._show_resid)

    def _refresh(self) -> None:
        self._heights = plane_heights(self._W, self._b, self._x1, self._x2)
        self._draw()

    def _on_data(self, data: PlaneData) -> None:
        raise NotImplementedError

    def _draw(self) -> None:
        raise NotImplementedError


