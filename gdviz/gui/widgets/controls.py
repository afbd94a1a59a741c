"""The control panel: buttons and fields that emit *intents*; it never touches training.

The main window connects these signals to the controller.  Everything the panel shows can be
set programmatically (``set_playing``, ``set_config``, ``set_speed``...) inside a
``QSignalBlocker``, so a value coming back from the worker never echoes out as a new intent.
An invalid entry shows why (red field / status message) and emits nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gdviz.gui.widgets.grad_readout import GradReadout
from gdviz.gui.widgets.literal_edit import LiteralEdit
from gdviz.gui.widgets.number_spin import NumberSpin
from gdviz.gui.widgets.optimizer_form import OptimizerForm
from gdviz.limits import LIMITS
from gdviz.training.types import TrainConfig

#: Positions of the speed slider, in steps per second; ``None`` = as fast as possible.
SPEEDS: tuple[float | None, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, None)
DEFAULT_SPEED = 5  # a learner can follow the first steps (gdviz.training.pacing)


def speed_text(speed: float | None) -> str:
    return "max" if speed is None else f"{speed:g} steps/s"


class ControlPanel(QWidget):
    """Run buttons, speed, training settings and data settings.

    Signals
    -------
    play_clicked()              Play/Pause pressed (toggle)
    step_clicked()              Step pressed
    reset_clicked()             Reset pressed
    speed_changed(object)       steps per second (float) or None for "max"
    config_changed(object)      a new valid TrainConfig
    new_data_clicked(int, float, int)   points, noise, seed
    message(str)                why an entry was not applied
    """

    play_clicked = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    speed_changed = Signal(object)
    config_changed = Signal(object)
    new_data_clicked = Signal(int, float, int)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._config = TrainConfig()
        self._forward_names: tuple[str, ...] = ()
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_run_group())
        layout.addWidget(self._build_training_group())
        layout.addWidget(self._build_stop_group())
        self.grad_readout = GradReadout()
        layout.addWidget(self.grad_readout)
        layout.addWidget(self._build_data_group())
        layout.addStretch(1)
        self._sync_mode_dependent()

    # ------------------------------------------------------------------ building
    def _build_run_group(self) -> QGroupBox:
        box = QGroupBox("Run")
        v = QVBoxLayout(box)
        row = QHBoxLayout()
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Start or pause training (Space)")
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Pause and do exactly one update (→)")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("W and b back to their initial values, step 0 (R)")
        for b in (self.play_button, self.step_button, self.reset_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep Space for the window shortcut
            row.addWidget(b)
        v.addLayout(row)
        speed_row = QHBoxLayout()
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setPageStep(1)
        self.speed_slider.setToolTip("Training speed in steps per second; far right: as fast as "
                                     "possible (the views still refresh ~50 times a second)")
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(90)
        self.speed_label.setToolTip(self.speed_slider.toolTip())
        speed_row.addWidget(QLabel("Speed"))
        speed_row.addWidget(self.speed_slider, 1)
        speed_row.addWidget(self.speed_label)
        v.addLayout(speed_row)
        self.set_speed(DEFAULT_SPEED)
        self.play_button.clicked.connect(self.play_clicked)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.speed_slider.valueChanged.connect(self._on_speed_slider)
        return box

    def _build_training_group(self) -> QGroupBox:
        box = QGroupBox("Training")
        v = QVBoxLayout(box)
        self.optimizer_form = OptimizerForm()
        v.addWidget(self.optimizer_form)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.grad_ys_edit = LiteralEdit(1.0, expected_shape=(), limit="grad_ys")
        self.grad_ys_edit.set_help(
            "grad_ys: the weight seeded at the loss, as in tf.gradients(loss, [W, b], grad_ys=...)"
            " — a number; invalid text turns red and the last valid value stays in force")
        form.addRow("grad_ys", self.grad_ys_edit)
        form.addRow("", self.grad_ys_edit.error_label)  # the reason a bad value is refused
        v.addLayout(form)
        self.optimizer_form.changed.connect(self._on_config_edited)
        self.grad_ys_edit.value_changed.connect(self._on_grad_ys)
        return box

    def _build_stop_group(self) -> QGroupBox:
        box = QGroupBox("stop_gradients")
        v = QVBoxLayout(box)
        self.stop_list = QListWidget()
        self.stop_list.setMaximumHeight(118)  # five rows: the model has five forward ops
        self.stop_list.setToolTip(
            "Tick nodes to pass as tf.gradients(..., stop_gradients=[...]) — Manual gradients "
            "mode only. Clicking a node in the graph view toggles it too.")
        self.stop_note = QLabel()
        self.stop_note.setWordWrap(True)
        self.stop_note.setStyleSheet("color: #666;")
        v.addWidget(self.stop_list, 1)
        v.addWidget(self.stop_note)
        self.stop_list.itemChanged.connect(self._on_stop_item)
        return box

    def _build_data_group(self) -> QGroupBox:
        box = QGroupBox("Data")
        form = QFormLayout(box)
        self.points_spin = QSpinBox()
        self.points_spin.setRange(LIMITS["points"].low, LIMITS["points"].high)
        self.points_spin.setValue(100)
        self.points_spin.setToolTip("Number of data points (the tutorial uses 100)")
        self.noise_spin = NumberSpin("noise", 0.01, "Standard deviation of Gaussian noise added to y")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(LIMITS["seed"].low, LIMITS["seed"].high)
        self.seed_spin.setToolTip("Random seed of the data")
        self.new_data_button = QPushButton("New data")
        self.new_data_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.new_data_button.setToolTip("Draw a new data set with these settings (keeps W, b)")
        form.addRow("Points", self.points_spin)
        form.addRow("Noise", self.noise_spin)
        form.addRow("Seed", self.seed_spin)
        form.addRow(self.new_data_button)
        self.new_data_button.clicked.connect(self._on_new_data)
        return box

    # ------------------------------------------------------------------ programmatic state
    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")

    def set_speed(self, speed: float | None) -> None:
        """Show ``speed`` (snapped to the nearest slider position) without emitting."""
        if speed is None:
            idx = len(SPEEDS) - 1
        else:
            finite = [(abs(s - speed), i) for i, s in enumerate(SPEEDS) if s is not None]
            idx = min(finite)[1]
        with QSignalBlocker(self.speed_slider):
            self.speed_slider.setValue(idx)
        self.speed_label.setText(speed_text(SPEEDS[idx]))

    def speed(self) -> float | None:
        return SPEEDS[self.speed_slider.value()]

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config`` without emitting (e.g. restored settings, or the worker's)."""
        self._config = config
        self.optimizer_form.set_values(config)
        with QSignalBlocker(self.grad_ys_edit):
            self.grad_ys_edit.set_value(config.grad_ys)
        if config.mode == "manual":
            self._set_checked(config.stop_gradients)
        self._sync_mode_dependent()

    def config(self) -> TrainConfig:
        """The configuration in force (the last valid one)."""
        return self._config

    def set_forward_names(self, names: tuple[str, ...]) -> None:
        """The nodes a user may stop; rebuilt only when they change, keeping ticks by name."""
        names = tuple(names)
        if names == self._forward_names:
            return
        ticked = set(self.ticked_stops())
        self._forward_names = names
        with QSignalBlocker(self.stop_list):
            self.stop_list.clear()
            for n in names:
                item = QListWidgetItem(n)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if n in ticked else Qt.CheckState.Unchecked)
                item.setToolTip(f"stop the gradient at {n}")
                self.stop_list.addItem(item)

    def ticked_stops(self) -> tuple[str, ...]:
        return tuple(
            self.stop_list.item(i).text()
            for i in range(self.stop_list.count())
            if self.stop_list.item(i).checkState() == Qt.CheckState.Checked
        )

    def toggle_stop(self, name: str) -> None:
        """Toggle ``name`` in stop_gradients (from a click in the graph view)."""
        for i in range(self.stop_list.count()):
            item = self.stop_list.item(i)
            if item.text() == name:
                if self.optimizer_form.mode() != "manual":
                    self.message.emit("stop_gradients applies in 'Manual gradients' mode: "
                                      "switch the update mode first")
                    return
                checked = item.checkState() == Qt.CheckState.Checked
                item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
                return
        self.message.emit(f"{name} cannot be stopped (pick a forward op: "
                          f"{', '.join(self._forward_names)})")

    def data_params(self) -> tuple[int, float, int]:
        return self.points_spin.value(), self.noise_spin.value(), self.seed_spin.value()

    def set_data_params(self, points: int, noise: float, seed: int) -> None:
        for w, v in ((self.points_spin, points), (self.noise_spin, noise), (self.seed_spin, seed)):
            with QSignalBlocker(w):
                w.setValue(v)

    # ------------------------------------------------------------------ intents
    def _set_checked(self, names) -> None:
        with QSignalBlocker(self.stop_list):
            for i in range(self.stop_list.count()):
                item = self.stop_list.item(i)
                item.setCheckState(
                    Qt.CheckState.Checked if item.text() in names else Qt.CheckState.Unchecked)

    def _sync_mode_dependent(self) -> None:
        manual = self.optimizer_form.mode() == "manual"
        self.stop_list.setEnabled(manual)
        self.stop_note.setText(
            "Ticked nodes stop the backward pass in tf.gradients." if manual else
            "Used in 'Manual gradients' mode (optimizer.minimize takes no stop_gradients).")

    def _emit_config(self, **changes) -> None:
        values = self.optimizer_form.values()
        values["grad_ys"] = float(self.grad_ys_edit.value())
        values["stop_gradients"] = self.ticked_stops() if values["mode"] == "manual" else ()
        values.update(changes)
        try:
            config = TrainConfig(**values).validated()
        except ValueError as exc:
            self.message.emit(f"Not applied: {exc}")
            return
        if config != self._config:
            self._config = config
            self.config_changed.emit(config)

    @Slot()
    def _on_config_edited(self) -> None:
        self._sync_mode_dependent()
        self._emit_config()

    @Slot(object)
    def _on_grad_ys(self, value) -> None:
        self._emit_config(grad_ys=float(value))

    @Slot(QListWidgetItem)
    def _on_stop_item(self, _item) -> None:
        self._emit_config()

    @Slot(int)
    def _on_speed_slider(self, idx: int) -> None:
        self.speed_label.setText(speed_text(SPEEDS[idx]))
        self.speed_changed.emit(SPEEDS[idx])

    @Slot()
    def _on_new_data(self) -> None:
        self.new_data_clicked.emit(*self.data_params())
