"""The Parameter-space panel: where gradient descent actually happens (issue 10).

It shows the exact loss over a slice through the current θ with the path, θ*, the true (W, b), the
eigen-directions and the step's arrows (:mod:`gdviz.gui.landscape.view`); the stability of the
learning rate in force with an "optimal lr" action and, for Momentum/Nesterov, the (lr, m) map;
a ghost of the next 300 steps whenever the configuration or the start changes; and a timeline to
travel back to any step exactly.  It asks for changes through signals; the main window forwards
them to the controller.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QTabWidget, QVBoxLayout,
                               QWidget)

from gdviz.gui.landscape.stability import StabilityMap
from gdviz.gui.landscape.view import KEY_HTML, LandscapePlot, SliceGeometry
from gdviz.training import conditioning as cd
from gdviz.training import landscape as ls
from gdviz.training.history import PathHistory
from gdviz.training.types import TrainConfig

GHOST_STEPS = 300
BAND_TEXT = {"monotone": "monotone: every direction shrinks steadily",
             "oscillating": "oscillating: the steep direction flips sign each step, yet converges",
             "divergent": "divergent: the loss will grow without bound",
             "no linear limit": "no linear limit (it rescales the gradient as it goes)"}


class ParameterSpacePanel(QWidget):
    start_requested = Signal(object, object)   # W (2,), b (1,)
    goto_requested = Signal(int)
    config_requested = Signal(object)          # TrainConfig

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = LandscapePlot()
        self.plot.setToolTip("The loss over a slice through the current (W1, W2, b): brighter is higher.\n"
                             "Click to start training there; Shift+drag to preview the path first.")
        self.slice = QComboBox()
        self.slice.addItems(list(ls.SLICES))
        self.slice.setToolTip("which two parameters the slice shows (the third stays at its current value);\n"
                              "eigen: the Hessian's two steepest directions")
        self.slice.currentIndexChanged.connect(self.redraw)
        self.timeline = QSlider(Qt.Orientation.Horizontal)
        self.timeline.setRange(0, 0)
        self.timeline.setToolTip("time travel: drag back to any step; training continues exactly from there")
        self.timeline.sliderReleased.connect(self._on_timeline)
        self.timeline.valueChanged.connect(self._on_timeline_value)   # a groove click, a key
        self.back = QPushButton("◀")
        self.back.setToolTip("one step back in time (Alt+Left)")
        self.back.setShortcut("Alt+Left")
        self.back.clicked.connect(lambda: self._goto_relative(-1))
        self.forward = QPushButton("▶")
        self.forward.setToolTip("one step forward again (Alt+Right)")
        self.forward.setShortcut("Alt+Right")
        self.forward.clicked.connect(lambda: self._goto_relative(+1))
        self.when = QLabel("step 0 of 0")
        self.band = QLabel()
        self.band.setWordWrap(True)
        self.optimal = QPushButton("Optimal lr")
        self.optimal.setToolTip("set the learning rate (and momentum) that converges fastest on this data")
        self.optimal.clicked.connect(self._on_optimal)
        self.stability = StabilityMap()
        self.stability.picked.connect(self._on_picked)
        self.conditioning = QComboBox()
        self.conditioning.addItems(list(cd.MODES))
        self.conditioning.setToolTip("the conditioning lesson: train the same optimizer, from here, on centred or "
                                     "standardised x\n(drawn green, mapped back to W and b in the data's units); "
                                     "watch κ fall and the path straighten")
        self.conditioning.currentIndexChanged.connect(self._on_conditioning)
        self.cond_result = None
        top = QHBoxLayout()
        top.addWidget(QLabel("Slice"))
        top.addWidget(self.slice)
        top.addWidget(QLabel("x"))
        top.addWidget(self.conditioning)
        top.addStretch(1)
        top.addWidget(self.optimal)
        tl = QHBoxLayout()
        for w in (self.back, self.timeline, self.forward, self.when):
            tl.addWidget(w, 1 if w is self.timeline else 0)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.plot, "Landscape")
        self.tabs.addTab(self.stability, "Stability (lr, m)")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        self.key = QLabel(KEY_HTML)
        self.key.setWordWrap(True)
        self.key.setStyleSheet("background:#181a20; color:#e0e0e0; padding:3px;")
        lay.addWidget(self.key)
        lay.addWidget(self.band)
        lay.addLayout(tl)
        self.plot.clicked.connect(self._on_clicked)
        self.plot.dragged.connect(self._on_dragged)

        self.land: ls.Landscape | None = None
        self.data = None
        self.path = PathHistory()
        self._path_first: int | None = 0         # the step of the path's first row (None: gaps)
        self._axis_labels: tuple | None = None   # what the plot's axes say (set on change only)
        self.theta = np.zeros(3)
        self.config: TrainConfig | None = None
        self.state = None
        self.step = 0
        self.horizon = 0
        self.ghost: np.ndarray | None = None
        self._ghost_from: tuple | None = None     # (config, step, from a start) the ghost was made for
        self._ghost_wanted: tuple | None = None   # (config, after a restart) a change still on its way
        self._ghost_fit = None
        self._extent = None
        self._levels = (0.0, 1.0)

    # -- updates from the worker --------------------------------------------------------------------
    def show_update(self, u) -> None:
        snap = u.snapshot
        if u.data is not None and u.data is not self.data:
            self.data, self.land = u.data, ls.analyze(u.data)
            self._ghost_fit, self._extent = None, None
            self.stability.set_landscape(self.land)
        self._follow_path(u)
        self.theta = np.r_[np.ravel(snap.W), np.ravel(snap.b)].astype(np.float64)
        self.config, self.state, self.step, self.horizon = u.config, u.state, snap.step, u.horizon
        self._snap = snap
        self._follow_ghost(u)
        self.timeline.blockSignals(True)
        self.timeline.setRange(0, max(self.horizon, snap.step))
        if not self.timeline.isSliderDown():
            self.timeline.setValue(snap.step)
        self.timeline.blockSignals(False)
        self.when.setText(f"step {snap.step} of {max(self.horizon, snap.step)}")
        self.stability.set_config(u.config)
        self.redraw()

    def _follow_path(self, u) -> None:
        """Extend the walked path; a time-travel jump keeps the path up to the new step."""
        keep = None if self._path_first is None else u.snapshot.step - self._path_first
        if u.jumped and not u.restart and keep is not None and 0 <= keep <= self.path.count:
            self.path.truncate(keep)              # the jump's own row (the new step) follows
        elif u.restart or u.jumped:
            self.path = PathHistory()
            self._extent = None if u.restart else self._extent
        if len(u.path):
            if self.path.count == 0:
                self._path_first = u.first_step
            elif self._path_first is not None and u.first_step != self._path_first + self.path.count:
                self._path_first = None           # a gap (not traced for a while): rows are not steps
            self.path.extend(u.path)

    @Slot()
    def redraw(self, *_):
        if self.land is None or self.config is None:
            return
        land, kind = self.land, self.slice.currentText()
        geo = SliceGeometry(land, kind, self.theta)
        if self._extent is None or self._extent[0] != kind or not self._inside(geo):
            self._extent = (kind, self._fit_extent(geo))
            x0, x1, y0, y1 = self._extent[1]
            vb = self.plot.getPlotItem().getViewBox()
            vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)
            # the aspect lock widens one axis to the plot's shape: shade well beyond the frame
            cx, cy, h = (x0 + x1) / 2, (y0 + y1) / 2, 1.5 * max(x1 - x0, y1 - y0)
            self._extent = (kind, (cx - h, cx + h, cy - h, cy + h))
        lo_hi = self._extent[1]
        loss = self.plot.draw_heat(geo, lo_hi, self._levels)
        if self._levels == (0.0, 1.0):
            top = np.log10(max(float(np.max(loss) - land.min_loss), 1e-12) + 1e-12)
            self._levels = (top - 6, top)
            self.plot.draw_heat(geo, lo_hi, self._levels)
        d = float(land.loss(self.theta)) - land.min_loss
        levels = land.min_loss + max(d, 1e-9) * np.geomspace(4.0, 1e-3, 10)
        self.plot.draw_contours(geo, levels)
        true_theta = None
        if self.data is not None and getattr(self.data, "true_W", None) is not None:
            true_theta = [*self.data.true_W, self.data.true_b]
        self.plot.draw_markers(geo, self.theta, true_theta)
        self.plot.draw_path(geo, self.path, self.theta)
        self.plot.draw_ghost(geo, self._ghost_ahead())
        self.plot.draw_conditioned(geo, self.cond_result[0] if self.cond_result else None)
        vectors, box = self.arrows()
        self.plot.draw_arrows(geo, self.theta, vectors)
        self.plot.draw_box(geo, self.theta, box)
        if self._axis_labels != tuple(geo.labels[:2]):   # a relayout of both axes: only on change
            self._axis_labels = tuple(geo.labels[:2])
            self.plot.getPlotItem().setLabels(bottom=geo.labels[0], left=geo.labels[1])
        self._show_band()

    def _fit_extent(self, geo: SliceGeometry):
        pts = [self.theta, self.land.theta_star]
        last = self.path.points()
        if len(last):
            pts.extend(last[np.isfinite(last).all(axis=1)][:1])
        p = geo.to_plot(np.stack(pts))
        p = p[np.isfinite(p).all(axis=1)]
        lo, hi = p.min(axis=0), p.max(axis=0)
        centre, half = (lo + hi) / 2, max(float(np.max(hi - lo)) * 0.8, 0.25)
        return (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)

    def _inside(self, geo: SliceGeometry) -> bool:
        x0, x1, y0, y1 = self._extent[1]
        w, h = (x1 - x0) / 3, (y1 - y0) / 3            # the framed middle of the shaded area
        x0, x1, y0, y1 = x0 + w, x1 - w, y0 + h, y1 - h
        c = geo.to_plot(self.theta[None])[0]
        return bool(np.isfinite(c).all() and x0 <= c[0] <= x1 and y0 <= c[1] <= y1)

    # -- arrows from the engine's own values --------------------------------------------------------
    def arrows(self):
        """({'gradient', 'velocity', 'step'}: θ-space vectors, box half-widths or None)."""
        snap, cfg = self._snap, self.config
        if snap.grad_W is None or snap.grad_b is None:
            return {}, None
        g = np.r_[np.ravel(snap.grad_W), np.ravel(snap.grad_b)].astype(np.float64)
        lr, m = float(cfg.lr), float(cfg.momentum)
        slots = dict(self.state.variables) if self.state is not None else {}
        vectors: dict[str, np.ndarray | None] = {"gradient": -lr * g, "velocity": None, "step": None}
        box = None
        if cfg.optimizer in ("momentum", "nesterov") and "W/Momentum" in slots:
            acc = np.r_[np.ravel(slots["W/Momentum"]), np.ravel(slots["b/Momentum"])].astype(np.float64)
            if cfg.optimizer == "momentum":        # next step = −lr·m·accum − lr·g
                vectors["velocity"] = -lr * m * acc
            else:                                  # next step = −lr·m²·accum − lr·(1+m)·g
                vectors["velocity"] = -lr * m * m * acc
                vectors["gradient"] = -lr * (1 + m) * g
        elif cfg.optimizer in ("rmsprop", "adam"):
            key = "RMSProp" if cfg.optimizer == "rmsprop" else "Adam_1"
            if f"W/{key}" in slots:
                v = np.r_[np.ravel(slots[f"W/{key}"]), np.ravel(slots[f"b/{key}"])].astype(np.float64)
                eps = cfg.epsilon if cfg.epsilon is not None else (1e-10 if cfg.optimizer == "rmsprop" else 1e-8)
                box = lr / (np.sqrt(v) + eps)
        last = self.path.last(2)          # the path ends with the current state when traced
        if len(last) == 2 and np.array_equal(last[-1], self.theta):
            prev = last[-2]
        else:
            prev = last[-1] if len(last) else None
        if prev is not None and self.step > 0:
            vectors["step"] = self.theta - prev
        return vectors, box

    # -- ghost: the next 300 steps with the engine itself, on a copy of the state -------------------
    def request_ghost(self, config: TrainConfig | None = None, after_restart: bool = False) -> None:
        """Show the ghost of a change sent to the engine: it is computed from the engine's state
        once the first Update carrying ``config`` (after a restart, for a new start) arrives, so it
        starts exactly where the changed run does."""
        config = config or self.config
        if config is None:
            return
        if not after_restart and config == self.config and self.state is not None:
            self._ghost_wanted = None       # already in force (no new Update will come): now
            self.preview(config)
        else:
            self._ghost_wanted = (config, after_restart)

    def _follow_ghost(self, u) -> None:
        """Compute a wanted ghost, keep a valid one, drop one the run has left behind."""
        want = self._ghost_wanted
        if want is not None:
            if u.config == want[0] and (u.restart or not want[1]):
                self._ghost_wanted = None
                self._compute_ghost(u.config, None)
            return                           # an Update from before the change: keep what is drawn
        if self.ghost is None or self._ghost_from is None:
            return
        config, step, from_start = self._ghost_from
        if from_start:                       # a Shift+drag preview: until the run starts again
            keep = not (u.restart or u.jumped)
        else:                                # until the run leaves it (reset, jump, other config, 300 steps)
            keep = (not (u.restart or u.jumped) and u.config == config
                    and step <= u.snapshot.step <= step + GHOST_STEPS)
        if not keep:
            self.ghost, self._ghost_from = None, None

    def _ghost_ahead(self) -> np.ndarray | None:
        """The part of the ghost still ahead of the run (all of it for a start preview)."""
        if self.ghost is None or self._ghost_from is None or self._ghost_from[2]:
            return self.ghost
        done = self.step - self._ghost_from[1]
        return self.ghost[max(done, 0):] if done < len(self.ghost) - 1 else None

    def preview(self, config: TrainConfig | None = None, start=None) -> np.ndarray | None:
        """Compute (and draw) the ghost path for ``config`` from the current state, or from
        step 0 at ``start`` (θ); returns the (GHOST_STEPS + 1, 3) path or None."""
        self._compute_ghost(config or self.config, start)
        self.redraw()
        return self.ghost

    def _compute_ghost(self, config: TrainConfig | None, start) -> None:
        self.ghost, self._ghost_from = None, None
        if self.data is None or config is None or (self.state is None and start is None):
            return
        from gdviz.training.plane_fit import PlaneFit

        try:
            if self._ghost_fit is None:
                self._ghost_fit = PlaneFit(self.data, config)
            fit = self._ghost_fit
            if start is not None:
                fit.configure(config)
                fit.set_start(start[:2], start[2:])
            else:
                fit.restore(self.state)
                fit.configure(config)
            _, path = fit.steps_traced(GHOST_STEPS)
            W, b = fit.weights()
            self.ghost = np.concatenate([path, np.r_[np.ravel(W), np.ravel(b)][None]])
            self._ghost_from = (config, self.step, start is not None)
        except ValueError:
            self.ghost = None

    # -- user actions ---------------------------------------------------------------------------------
    def _geo(self):
        return SliceGeometry(self.land, self.slice.currentText(), self.theta)

    @Slot(object)
    def _on_clicked(self, xy) -> None:
        if self.land is None:
            return
        theta = self._geo().to_theta(*xy)
        self.request_ghost(after_restart=True)     # drawn from the new start once it is in force
        self.start_requested.emit(theta[:2], theta[2:])

    @Slot(object)
    def _on_dragged(self, xy) -> None:
        if self.land is not None:
            self.preview(start=self._geo().to_theta(*xy))

    @Slot()
    def _on_timeline(self) -> None:
        self.goto_requested.emit(int(self.timeline.value()))

    @Slot(int)
    def _on_timeline_value(self, value: int) -> None:
        if not self.timeline.isSliderDown() and value != self.step:   # dragging ends in sliderReleased
            self.goto_requested.emit(int(value))

    def _goto_relative(self, delta: int) -> None:
        target = self.step + delta
        if 0 <= target <= self.horizon:
            self.goto_requested.emit(target)

    def _on_optimal(self) -> None:
        if self.land is None or self.config is None:
            return
        lam = self.land.eigenvalues
        if self.config.optimizer == "gd":
            self.config_requested.emit(replace(self.config, lr=ls.lr_optimal_gd(lam)))
        elif self.config.optimizer == "momentum":
            lr, m = ls.momentum_optimal(lam)
            self.config_requested.emit(replace(self.config, lr=lr, momentum=m))
        elif self.config.optimizer == "nesterov":
            lr, m = self.stability.best_nesterov()
            self.config_requested.emit(replace(self.config, lr=lr, momentum=m))

    @Slot(float, float)
    def _on_picked(self, lr: float, m: float) -> None:
        if self.config is not None:
            self.config_requested.emit(replace(self.config, lr=lr, momentum=m))

    @Slot()
    def _on_conditioning(self, *_):
        """Run the same optimizer from the current θ on transformed x (300 steps, the engine)."""
        mode = self.conditioning.currentText()
        self.cond_result = None
        if mode != "as given" and self.data is not None and self.config is not None:
            try:
                raw = cd.conditioned_run(self.data, self.config, self.theta, "as given", GHOST_STEPS)
                new = cd.conditioned_run(self.data, self.config, self.theta, mode, GHOST_STEPS)
                self.cond_result = (new[0], raw[1], new[1], raw[2], new[2])
            except ValueError:
                self.cond_result = None
        self.redraw()

    def _show_band(self) -> None:
        cfg, lam = self.config, self.land.eigenvalues
        b = ls.band(cfg.optimizer, cfg.lr, cfg.momentum, lam)
        text = f"{cfg.optimizer} at lr {cfg.lr:g}: {BAND_TEXT[b]}"
        if cfg.optimizer in ls.LINEAR:
            limit = ls.lr_limits(lam, cfg.momentum)[cfg.optimizer]
            text += f"   (stable below {limit:.4g}; condition number {self.land.condition_number:.3g})"
        if self.cond_result is not None:
            _, k0, k1, s0, s1 = self.cond_result
            steps = lambda v: "never" if v is None else str(v)   # noqa: E731
            text += (f"<br><span style='color:#98c379'>{self.conditioning.currentText()}: condition number "
                     f"{k0:.3g} → {k1:.3g}; steps to loss − L* ≤ 1e-6 from here: {steps(s0)} → {steps(s1)}</span>")
        colour = {"divergent": "#e06c6c", "oscillating": "#e5c07b", "monotone": "#98c379"}.get(b, "#abb2bf")
        self.band.setText(f"<span style='color:{colour}'>■</span> {text}")
        self.optimal.setEnabled(cfg.optimizer in ls.LINEAR)
