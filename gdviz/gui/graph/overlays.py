"""Widgets over the graph view's viewport: the animation caption, its stepper, the legend.

They are widgets, not scene items: they stay put while panning, never show up in exports and
do not count as scene items.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from gdviz.gui.graph.items import KIND_COLOURS


def _label(parent: QWidget, style: str) -> QLabel:
    label = QLabel(parent)
    label.setStyleSheet(f"QLabel {{ {style} border-radius: 5px; padding: 4px 7px; color: #1e293b; }}")
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    label.setWordWrap(True)
    label.hide()
    return label


class Overlays:
    """The caption (top left), the stepper (top right) and the legend (bottom left)."""

    def __init__(self, viewport: QWidget, slots: dict):
        self.viewport = viewport
        self.caption = _label(viewport, "background: rgba(255,251,235,235); border: 1px solid #f59e0b;")
        self.legend = _label(viewport, "background: rgba(255,255,255,215); border: 1px solid #e2e8f0;")
        self.set_legend(tuple(KIND_COLOURS), groups=True, gradients=True)
        self.stepper = QWidget(viewport)
        self.stepper.setStyleSheet("QWidget { background: rgba(255,255,255,225); border-radius: 5px; }"
                                   "QToolButton { padding: 2px 6px; }")
        row = QHBoxLayout(self.stepper)
        row.setContentsMargins(4, 2, 4, 2)
        row.setSpacing(2)
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip in (("restart", "Restart", "Restart the backward pass (Home)"),
                               ("back", "◀ Back", "One step back (←)"),
                               ("step", "Step ▶", "Next backward step (→ or Space)"),
                               ("leave", "✕", "Leave the animation (Esc)")):
            button = QToolButton(self.stepper)
            button.setText(text)
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the view
            button.clicked.connect(slots[key])
            row.addWidget(button)
            self.buttons[key] = button
        self.stepper.adjustSize()
        self.stepper.hide()

    def set_legend(self, kinds, groups: bool, gradients: bool) -> None:
        """The legend for what is drawn: the kinds present, the keys that do something."""
        self.legend.setText(legend_html(kinds, groups, gradients))
        self.legend.setWordWrap(False)
        self._legend_width = self.legend.sizeHint().width()  # its lines unwrapped
        self.legend.setWordWrap(True)
        self.viewport.setToolTip(legend_text(kinds, groups, gradients))  # hover the background: always there

    def set_caption(self, text: str) -> None:
        self.caption.setVisible(bool(text))
        self.caption.setText(text)

    def place(self, loaded: bool, has_graph: bool) -> None:
        vw, vh = self.viewport.width(), self.viewport.height()
        self.stepper.setVisible(loaded)
        self.stepper.move(vw - self.stepper.width() - 8, 8)
        room = vw - 24 - (self.stepper.width() if loaded else 0)
        self.caption.setFixedWidth(max(120, min(room, 760)))
        self.caption.adjustSize()
        self.caption.move(8, 8)
        self.legend.setFixedWidth(max(120, min(self._legend_width + 4, vw - 16)))  # wraps, never cut
        self.legend.adjustSize()
        self.legend.setFixedHeight(self.legend.heightForWidth(self.legend.width()))
        self.legend.move(8, vh - self.legend.height() - 8)
        # A small pane keeps its room for the graph (hover the background for the same text).
        self.legend.setVisible(has_graph and vh > max(5 * self.legend.height(), 360))

    def top_room(self, loaded: bool) -> int:
        return 8 + max(self.caption.height(), self.stepper.height()) if loaded else 0

    def bottom_room(self) -> int:
        return self.legend.height() + 12 if not self.legend.isHidden() else 0


def _legend_lines(kinds, groups: bool, gradients: bool) -> list[str]:
    keys = ["click an op: toggle it in stop_gradients"]
    if groups:
        keys.append("double-click ▸: unfold (G: all)")
    keys.append("F: fit")
    if gradients:
        keys.append("B: gradients right/below")
    edges = "edge width: size of the gradient flowing back · dashed grey: cut by a stop"
    return [", ".join(k for k in KIND_COLOURS if k in kinds), edges, " · ".join(keys)]


def legend_text(kinds, groups: bool, gradients: bool) -> str:
    lines = _legend_lines(kinds, groups, gradients)
    return "Colours: " + lines[0] + "\n" + "\n".join(lines[1:])


def legend_html(kinds, groups: bool, gradients: bool) -> str:
    swatches = "&nbsp;&nbsp;".join(
        f'<span style="color:{border}">&#9632;</span>&nbsp;{kind}'
        for kind, (_fill, border) in KIND_COLOURS.items() if kind in kinds)
    _kinds, edges, keys = _legend_lines(kinds, groups, gradients)
    return f'<span style="font-size:11px">{swatches}<br>{edges}<br>{keys}</span>'
