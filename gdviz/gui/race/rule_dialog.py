"""Write your own update rule: an editor that parses as you type and shows where it is wrong."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout)

from gdviz.training.rules import EXAMPLE_RULE, parse_rule

EXAMPLE = EXAMPLE_RULE

HELP = ("Read: W, b, grad_W, grad_b, lr (the racer's learning rate), t (the step, from 1). "
        "A name read before it is assigned (v_W) is a slot: it starts at zeros shaped like W "
        "(_W) or b (_b) and keeps its value between steps. W and b must be assigned.")


class RuleDialog(QDialog):
    def __init__(self, parent=None, text: str = EXAMPLE, name: str = "my rule"):
        super().__init__(parent)
        self.setWindowTitle("Write an update rule")
        lay = QVBoxLayout(self)
        intro = QLabel(HELP)
        intro.setWordWrap(True)
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("racer name")
        self.editor = QPlainTextEdit(text)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setMinimumSize(520, 200)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e06c6c")
        f = QFont(self.error.font())
        f.setBold(True)
        self.error.setFont(f)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for w in (intro, self.name, self.editor, self.error, self.buttons):
            lay.addWidget(w)
        self.editor.textChanged.connect(self.check)
        self.check()

    def check(self) -> bool:
        """Parse the rule; show the positioned error (or nothing) and enable OK accordingly."""
        try:
            parse_rule(self.editor.toPlainText())
        except Exception as e:        # ExprError (positioned) or ValueError
            line, col = getattr(e, "line", None), getattr(e, "col", None)
            where = f"line {line}, column {col}: " if line is not None else ""
            self.error.setText(where + str(getattr(e, "message", e)))
            ok = False
        else:
            self.error.setText("")
            ok = True
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def rule(self) -> tuple[str, str]:
        return self.name.text().strip() or "my rule", self.editor.toPlainText()
