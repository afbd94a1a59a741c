"""The update-mode / optimizer / hyper-parameter part of the controls.

Shows only the hyper-parameters the chosen optimizer uses (momentum for Momentum/Nesterov,
decay + momentum + epsilon for RMSProp, beta1/beta2/epsilon for Adam), with TF1's defaults.
Emits ``changed`` on any edit; :meth:`values` reads the fields, :meth:`set_values` writes them
without echoing back.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from gdviz.gui.widgets.number_spin import NumberSpin
from gdviz.training.race import RACER_DEFAULTS
from gdviz.training.types import MODES, OPTIMIZERS, TrainConfig

MODE_LABELS = {
    "optimizer": "Optimizer (minimize)",
    "manual": "Manual gradients (tf.gradients + assign)",
}
OPTIMIZER_LABELS = {
    "gd": "GD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}
#: Which hyper-parameter rows each optimizer uses.
USES = {
    "gd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "rmsprop": ("decay", "momentum", "epsilon"),
    "adam": ("beta1", "beta2", "epsilon"),
}


#: Hyper-parameters each optimizer starts with: each converges on the default data
#: (tests/core/test_training_race.py and tests/gui/test_optimizer_form.py check).
OPTIMIZER_DEFAULTS: dict[str, dict[str, float]] = {
    opt: {"lr": RACER_DEFAULTS[opt]["lr"], "momentum": RACER_DEFAULTS[opt].get("momentum", 0.9),
          "decay": 0.9, "beta1": 0.9, "beta2": 0.999}
    for opt in ("gd", "momentum", "nesterov", "rmsprop", "adam")
}
HYPER = ("lr", "momentum", "decay", "beta1", "beta2")


class OptimizerForm(QWidget):
    """Mode, optimizer, learning rate and the optimizer's hyper-parameters."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.mode_combo = QComboBox()
        for m in MODES:
            self.mode_combo.addItem(MODE_LABELS[m], m)
        self.mode_combo.setToolTip(
            "How W and b are updated: optimizer.minimize(loss), or the tutorial's second program "
            "— grad_W, grad_b = tf.gradients(loss, [W, b]) then W.assign(W - lr * grad_W)"
        )
        # Show the whole mode label: a truncated "tf.gradier" reads as a glitch, and the
        # dock only grows by a few characters for it.
        self.mode_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.optimizer_combo = QComboBox()
        for o in OPTIMIZERS:
            self.optimizer_combo.addItem(OPTIMIZER_LABELS[o], o)
        self.optimizer_combo.setToolTip("The update rule (TF1's tf.train optimizers)")
        self.lr = NumberSpin("lr", 0.05, "Learning rate; applies at the next step")
        self.momentum = NumberSpin("momentum", 0.05, "Momentum")
        self.decay = NumberSpin("decay", 0.05, "RMSProp decay of the squared-gradient average")
        self.beta1 = NumberSpin("beta1", 0.01, "Adam: decay of the first moment")
        self.beta2 = NumberSpin("beta2", 0.001, "Adam: decay of the second moment")
        self.epsilon = NumberSpin("epsilon", 1e-8, "Small constant added to the denominator; "
                                  "'TF default' uses 1e-10 (RMSProp) or 1e-8 (Adam)", special="TF default", low=0.0)
        form.addRow("Update mode", self.mode_combo)
        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr)
        self._rows = {}
        for name, label in (("momentum", "Momentum"), ("decay", "Decay"), ("beta1", "beta1"),
                            ("beta2", "beta2"), ("epsilon", "Epsilon")):
            form.addRow(label, getattr(self, name))
            self._rows[name] = getattr(self, name)
        self._form = form
        # Each optimizer keeps its own hyper-parameters: switching never hands Nesterov the
        # 0.5 that suits GD (it diverges there on the default data).
        self._per_opt: dict[str, dict] = {}
        self._current_opt = "gd"
        self.set_values(TrainConfig())
        self.mode_combo.currentIndexChanged.connect(self._on_changed)
        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer_changed)
        for box in (self.lr, *self._rows.values()):
            box.valueChanged.connect(self._on_changed)

    # ------------------------------------------------------------------ API
    def values(self) -> dict:
        """The fields as TrainConfig keyword arguments (not validated)."""
        eps = self.epsilon.value()
        return dict(
            mode=self.mode_combo.currentData(),
            optimizer=self.optimizer_combo.currentData(),
            lr=self.lr.value(),
            momentum=self.momentum.value(),
            decay=self.decay.value(),
            beta1=self.beta1.value(),
            beta2=self.beta2.value(),
            epsilon=None if eps <= self.epsilon.minimum() else eps,
        )

    def set_values(self, config: TrainConfig) -> None:
        """Show ``config`` without emitting ``changed``."""
        widgets = (self.mode_combo, self.optimizer_combo, self.lr, *self._rows.values())
        blockers = [QSignalBlocker(w) for w in widgets]
        self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(config.mode)))
        self.optimizer_combo.setCurrentIndex(
            max(0, self.optimizer_combo.findData(config.optimizer)))
        self.lr.setValue(config.lr)
        self.momentum.setValue(config.momentum)
        self.decay.setValue(config.decay)
        self.beta1.setValue(config.beta1)
        self.beta2.setValue(config.beta2)
        self.epsilon.setValue(self.epsilon.minimum() if config.epsilon is None else config.epsilon)
        del blockers
        self._current_opt = config.optimizer
        self._per_opt[config.optimizer] = self._hyper()
        self._show_rows()

    def mode(self) -> str:
        return self.mode_combo.currentData()

    def per_optimizer(self) -> dict[str, dict]:
        """Every optimizer's remembered hyper-parameters (the shown one included)."""
        self._per_opt[self.optimizer_combo.currentData()] = self._hyper()
        return {k: dict(v) for k, v in self._per_opt.items()}

    def set_per_optimizer(self, table: dict) -> None:
        """Restore remembered hyper-parameters (unknown optimizers and bad values are skipped)."""
        for opt, vals in (table or {}).items():
            if opt in OPTIMIZER_DEFAULTS and isinstance(vals, dict):
                clean = {k: float(v) for k, v in vals.items()
                         if k in HYPER and isinstance(v, (int, float)) and not isinstance(v, bool)
                         and self._box(k).minimum() <= float(v) <= self._box(k).maximum()}
                self._per_opt[opt] = {**OPTIMIZER_DEFAULTS[opt], **clean}

    def _box(self, name):
        return self.lr if name == "lr" else self._rows[name]

    def _hyper(self) -> dict:
        return {k: self._box(k).value() for k in HYPER if k != "epsilon"}

    @Slot()
    def _on_optimizer_changed(self) -> None:
        new = self.optimizer_combo.currentData()
        self._per_opt[self._current_opt] = self._hyper()
        self._current_opt = new
        vals = {**OPTIMIZER_DEFAULTS[new], **self._per_opt.get(new, {})}
        blockers = [QSignalBlocker(self._box(k)) for k in vals]
        for k, v in vals.items():
            self._box(k).setValue(v)
        del blockers
        self._on_changed()

    # ------------------------------------------------------------------ internals
    def _show_rows(self) -> None:
        used = USES.get(self.optimizer_combo.currentData(), ())
        for name, box in self._rows.items():
            self._form.setRowVisible(box, name in used)

    @Slot()
    def _on_changed(self) -> None:
        self._show_rows()
        self.changed.emit()
