"""The Playground tab: define tensors, pick ys/xs/grad_ys/stops, see tf.gradients at work.

Choices recompute at once through the pure :class:`~gdviz.playground.model.Playground`;
typing in the program is debounced and evaluated off the GUI thread
(:class:`~gdviz.gui.playground.evaluator.AsyncEvaluator`, newest request wins), so a huge
literal never freezes the window;
a bad program shows its error at the right line and column while the last good graph and
numbers stay on screen.  The graph view shows the drawn ``gradients()`` call and can step
through its backward pass.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSignalBlocker, Qt, Slot
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QRadioButton, QScrollArea, QSplitter, QTextBrowser, QVBoxLayout,
                               QWidget)

from gdviz.gui.graph.view import GraphView
from gdviz.gui.playground.evaluator import AsyncEvaluator
from gdviz.gui.playground.widgets import (LinesLabel, NameChecklist, ProgramEditor, SeedEditor, StopsTable,
                                          mono_font)
from gdviz.playground.formatting import fmt
from gdviz.playground.model import Playground, PlaygroundResult
from gdviz.playground.presets import PRESETS

_ERROR_STYLE = "color: #b91c1c; font-weight: 600;"
_OK_STYLE = "color: #15803d;"


class PlaygroundPanel(QWidget):
    """The whole Playground tab (preset, program, choices, results, graph, animation, export)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = Playground()
        self._shown: PlaygroundResult | None = None
        self.evaluator = AsyncEvaluator(parent=self)
        self.evaluator.finished.connect(self._on_evaluated)
        self._build_ui()
        self.load_preset(0)

    # ------------------------------------------------------------------ construction
    def _build_ui(self) -> None:
        self.preset_combo = QComboBox()
        for p in PRESETS:
            self.preset_combo.addItem(p.name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, p.description, Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.activated.connect(self.load_preset)
        self.preset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_combo.setMinimumContentsLength(16)
        self.preset_note = LinesLabel(2)
        self.preset_note.setStyleSheet("color: #475569;")

        self.editor = ProgramEditor()
        self.editor.setPlaceholderText("w1 = [[1, 2]]\nres = w1 @ [[2], [1]]")
        self.editor.textChanged.connect(self._on_program_changed)
        self.status = LinesLabel(3)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.ys_list, self.xs_list = NameChecklist(), NameChecklist()
        self.ys_list.changed.connect(self._on_ys_changed)
        self.xs_list.changed.connect(self._on_xs_changed)
        self.seeds = SeedEditor()
        self.seeds.changed.connect(self._on_seed_changed)
        self.stops = StopsTable()
        self.stops.changed.connect(self._on_stops_changed)
        self.radio_none, self.radio_zero = QRadioButton("'none' → None"), QRadioButton("'zero' → zeros")
        self._unconnected = QButtonGroup(self)
        for b in (self.radio_none, self.radio_zero):
            self._unconnected.addButton(b)
            b.toggled.connect(self._on_unconnected_changed)

        left = QWidget()
        lay = QVBoxLayout(left)
        row = QHBoxLayout()
        row.addWidget(QLabel("Preset:"))
        row.addWidget(self.preset_combo, 1)
        lay.addLayout(row)
        lay.addWidget(self.preset_note)
        program = _group("Program", self.editor, self.status)
        program.setToolTip("One definition per line: name = expression. Numbers, arrays [[1, 2]], names, "
                           "+ - * / @, unary -, ( ), and square, exp, log, tanh, sigmoid, relu, matmul, "
                           "reduce_sum/reduce_mean(e, axis=..., keepdims=...), stop_gradient, constant, "
                           "variable. A bare literal is a variable. # starts a comment.")
        lay.addWidget(program, 3)
        pick = QHBoxLayout()
        pick.addWidget(_group("ys", self.ys_list))
        pick.addWidget(_group("xs", self.xs_list))
        lay.addLayout(pick, 1)
        lay.addWidget(_group("grad_ys  (weights of the ys; unticked = ones)", self.seeds))
        lay.addWidget(_group("Stops  (click a node in the graph to toggle stop_gradients)", self.stops), 2)
        unc = QHBoxLayout()
        unc.addWidget(QLabel("unconnected_gradients:"))
        unc.addWidget(self.radio_none)
        unc.addWidget(self.radio_zero)
        unc.addStretch(1)
        lay.addLayout(unc)
        for w, h in ((self.editor, 190), (self.ys_list, 96), (self.xs_list, 96), (self.stops, 110)):
            w.setMinimumHeight(h)
        for w in (self.ys_list, self.xs_list):
            w.setMaximumHeight(160)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(380)

        self.results = QTextBrowser()
        self.results.setOpenLinks(False)
        self.results.setMinimumHeight(110)
        self.graph = GraphView()
        self.graph.node_clicked.connect(self._on_node_clicked)
        self.graph.backward_changed.connect(self._on_backward_changed)
        self.graph.set_backward_folded_by_default(False)  # the lesson here is the gradient nodes themselves
        self.show_grads = QCheckBox("Show gradient nodes")
        self.show_grads.setChecked(True)
        self.show_grads.toggled.connect(self.graph.set_show_gradients)
        self.start_btn = QPushButton("▶ Backward pass")
        self.next_btn, self.reset_btn = QPushButton("Next ▶"), QPushButton("Reset")
        self.start_btn.setToolTip("Step through the backward pass (then Right/Space, Left, Home, Esc in the graph)")
        self.next_btn.setShortcut("N")
        self.next_btn.setToolTip("Next backward step (N, or Right/Space in the graph)")
        self.reset_btn.setToolTip("Back to the start of the backward pass (Home in the graph)")
        self.start_btn.clicked.connect(self.start_backward)
        self.next_btn.clicked.connect(self.backward_step)
        self.reset_btn.clicked.connect(self._on_reset)
        self.step_label = QLabel()
        # short labels: this bar must fit a 1366-pixel-wide screen beside the controls
        self.png_btn, self.svg_btn = QPushButton("PNG…"), QPushButton("SVG…")
        self.png_btn.setToolTip("Export the graph as a PNG image")
        self.svg_btn.setToolTip("Export the graph as an SVG vector image")
        self.png_btn.clicked.connect(self.export_png)
        self.svg_btn.clicked.connect(self.export_svg)

        bar = QHBoxLayout()
        for w in (self.show_grads, self.start_btn, self.next_btn, self.reset_btn):
            bar.addWidget(w)
        bar.addStretch(1)
        bar2 = QHBoxLayout()                # a second line: the bar must fit 1366 px beside the controls
        bar2.addWidget(self.step_label, 1)
        bar2.addWidget(self.png_btn)
        bar2.addWidget(self.svg_btn)
        graph_box = QWidget()
        gl = QVBoxLayout(graph_box)
        gl.setContentsMargins(0, 0, 0, 0)
        gl.addLayout(bar)
        gl.addLayout(bar2)
        gl.addWidget(self.graph, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(_group("Result of tf.gradients(ys, xs, grad_ys, stop_gradients)", self.results))
        right.addWidget(graph_box)
        right.setStretchFactor(0, 0)
        right.setStretchFactor(1, 1)
        right.setSizes([150, 700])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([470, 1000])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(split)
        self._update_step_label()

    # ------------------------------------------------------------------ public API
    @Slot(int)
    def load_preset(self, index: int) -> None:
        """Load preset ``index`` of :data:`PRESETS` and recompute."""
        p = PRESETS[index]
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.setCurrentIndex(index)
        self.preset_note.setText(p.description)
        self.model.load(p)
        with QSignalBlocker(self.editor):
            self.editor.setPlainText(p.program)
        with QSignalBlocker(self.radio_none), QSignalBlocker(self.radio_zero):
            (self.radio_zero if p.unconnected == "zero" else self.radio_none).setChecked(True)
        self._shown = None
        self.seeds._key = ()  # new preset: new seed fields even if the ys look the same
        self.recompute()

    def recompute(self) -> None:
        """Evaluate the model now and show the result (or the error beside the last good one)."""
        self.evaluator.cancel()  # this evaluation includes every pending edit
        self.model.evaluate()
        self._display()

    def idle(self) -> bool:
        """True when no typed program is waiting to be evaluated."""
        return self.evaluator.idle()

    @Slot(object)
    def _on_evaluated(self, snap: Playground) -> None:
        """A background evaluation of the newest program text finished: adopt and show it."""
        m = self.model
        m.result, m.error = snap.result, snap.error
        for name in ("defined", "shapes"):
            if hasattr(snap, name):
                setattr(m, name, getattr(snap, name))
        self._display()

    def _display(self) -> None:
        result = self.model.result
        err = self.model.error
        if err is None:
            self.status.setStyleSheet(_OK_STYLE)
            self.status.setText("OK: " + ", ".join(f"{n} {result.shapes[n]}" for n in result.names))
            self.editor.show_error(None, None)
        else:
            self.status.setStyleSheet(_ERROR_STYLE)
            keep = " — showing the last good result" if result is not None else ""
            self.status.setText(f"{err}{keep}")
            if err.where == "program":
                self.editor.show_error(err.line, err.col)
            else:
                self.editor.show_error(None, None)
            if err.where == "grad_ys":  # a y changed shape: offer fields of the new shape to fix it
                m = self.model
                self.seeds.set_ys([y for y in m.ys if y in m.shapes], m.shapes, m.grad_ys)
        if result is not None and result is not self._shown:
            self._show(result)

    def result(self) -> PlaygroundResult | None:
        """The result on screen (the last good one)."""
        return self._shown

    def results_text(self) -> str:
        return self.results.toPlainText()

    # ------------------------------------------------------------------ showing a result
    def _show(self, r: PlaygroundResult) -> None:
        self._shown = r
        hints = {n: f"shape {r.shapes[n]}, {r.dtypes[n]}, value {fmt(r.value_of(n))}" for n in r.names}
        self.ys_list.set_names(r.names, self.model.ys, hints)
        self.xs_list.set_names(r.names, self.model.xs, hints)
        self.seeds.set_ys(r.ys, r.shapes, self.model.grad_ys)
        self.stops.set_rows(r.names, self.model.stop_gradients, self.model.stop_gradient_ops)
        self.graph.set_graph(r.spec, r.record)
        self.graph.set_values(r.values, r.grads)
        self.graph.set_stopped(r.stopped)
        self.graph.clear_backward()
        self._update_step_label()
        self.results.setHtml(_results_html(r, self.model.unconnected))

    # ------------------------------------------------------------------ slots
    @Slot()
    def _on_program_changed(self) -> None:
        self.model.program = self.editor.toPlainText()
        self.status.setStyleSheet("color: #64748b;")
        self.status.setText("evaluating…")
        self.evaluator.request(self.model)  # debounced, off the GUI thread

    @Slot(tuple)
    def _on_ys_changed(self, names: tuple) -> None:
        self.model.ys = names
        self.recompute()

    @Slot(tuple)
    def _on_xs_changed(self, names: tuple) -> None:
        self.model.xs = names
        self.recompute()

    @Slot(str, object)
    def _on_seed_changed(self, y: str, value) -> None:
        self.model.grad_ys[y] = value
        self.recompute()

    @Slot(tuple, tuple)
    def _on_stops_changed(self, stops: tuple, ops: tuple) -> None:
        self.model.stop_gradients, self.model.stop_gradient_ops = stops, ops
        self.recompute()

    @Slot(bool)
    def _on_unconnected_changed(self, _on: bool) -> None:
        mode = "zero" if self.radio_zero.isChecked() else "none"
        if mode != self.model.unconnected:
            self.model.unconnected = mode
            self.recompute()

    @Slot(str)
    def _on_node_clicked(self, node: str) -> None:
        """A click on a forward node toggles it in stop_gradients."""
        r = self._shown
        if r is None:
            return
        spec = {n.name: n for n in r.spec.nodes}
        if node not in spec or spec[node].kind == "gradient":
            return
        name = next((u for u, n in r.node_names.items() if n == node), node)
        stops = self.model.stop_gradients
        self.model.stop_gradients = tuple(s for s in stops if s != name) if name in stops else stops + (name,)
        self.recompute()

    # ------------------------------------------------------------------ backward animation
    @Slot()
    def start_backward(self) -> None:
        if self._shown is not None and self._shown.record is not None:
            self.graph.start_backward(self._shown.record)
            self.graph.setFocus()
        self._update_step_label()

    @Slot()
    def backward_step(self) -> bool:
        if self.graph.backward_length() == 0 and self.graph.backward_position() == 0:
            self.start_backward()
        moved = self.graph.backward_step()
        self._update_step_label()
        return moved

    @Slot()
    def _on_reset(self) -> None:
        self.graph.backward_reset()
        self._update_step_label()

    def _update_step_label(self) -> None:
        n = self.graph.backward_length()
        self.step_label.setText(f"step {self.graph.backward_position()}/{n}" if n else "")

    @Slot(int, int)
    def _on_backward_changed(self, _pos: int, _n: int) -> None:
        self._update_step_label()  # the view's own buttons and keys move the animation too

    # ------------------------------------------------------------------ export
    @Slot()
    def export_png(self) -> None:
        self._export("PNG", "PNG image (*.png)", self.graph.export_png)

    @Slot()
    def export_svg(self) -> None:
        self._export("SVG", "SVG image (*.svg)", self.graph.export_svg)

    def _export(self, kind: str, filt: str, write) -> None:
        path, _ = QFileDialog.getSaveFileName(self, f"Export graph as {kind}", f"gradients.{kind.lower()}", filt)
        if not path:
            return
        try:
            write(path)
        except OSError as exc:
            self.status.setStyleSheet(_ERROR_STYLE)
            self.status.setText(f"Export failed: {exc}")
            return
        self.status.setStyleSheet(_OK_STYLE)
        self.status.setText(f"Exported the graph to {path}")


def _group(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(6, 6, 6, 6)
    for w in widgets:
        lay.addWidget(w)
    return box


def _results_html(r: PlaygroundResult, mode: str) -> str:
    """Per x: its gradient (or None and why) and the formula with the numbers filled in."""
    mono = mono_font().family()
    if not r.xs:
        return "<p style='color:#64748b'>Tick at least one x.</p>"
    rows = []
    for x in r.results:
        value = html.escape(x.text())
        colour = "#b91c1c" if x.value is None else ("#a16207" if x.reason else "#0f172a")
        rows.append(
            f"<p style='margin:2px 0'><b>{html.escape(x.name)}</b>: "
            f"<span style='font-family:{mono}; color:{colour}'>{value}</span><br>"
            f"<span style='font-family:{mono}; color:#334155'>{html.escape(x.formula)}</span>"
            + (f"<br><span style='font-family:{mono}; color:#7e22ce'>paths summed into {html.escape(x.name)}: "
               f"{html.escape(x.paths_text())}</span>" if x.paths_text() else "")
            + "</p>")
    stops = ", ".join(r.stopped)
    tail = f"stop_gradients=[{stops}], " if stops else ""
    wrapped = ", ".join(r.wrapped)
    ops = f"; stop_gradient ops on {wrapped}" if wrapped else ""
    rows.append(f"<p style='color:#64748b; margin-top:4px'>gradients(ys=[{', '.join(r.ys)}], "
                f"xs=[{', '.join(r.xs)}], {tail}unconnected_gradients='{mode}'){ops}</p>")
    return "".join(rows)
