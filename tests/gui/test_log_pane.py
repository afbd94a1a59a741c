"""The log behaves like a terminal: no wrapping, follows the newest line unless scrolled up."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QPlainTextEdit

from gdviz.training.messages import LogLine, log_number
from tests.gui.windows import barrier


def test_numbers_print_compactly():
    assert log_number(0.1) == " 0.100000"
    assert log_number(-3159523852288.0) == "-3.160e+12"
    assert log_number(float("inf")) == " inf" and log_number(float("nan")) == " nan"
    line = LogLine(1074, (0.100286, 0.199635), (0.30004,)).text()
    assert line == "1074 [[ 0.100286  0.199635]] [ 0.300040]"


def test_lines_never_wrap_and_the_pane_follows_unless_scrolled_up(qtbot, window):
    pane = window.log_pane
    assert pane.lineWrapMode() == QPlainTextEdit.LineWrapMode.NoWrap
    window.controller.set_speed(None)
    window.controller.set_auto_stop(False)      # the default fit converges by step ~170: keep going
    window.controller.play()
    qtbot.waitUntil(lambda: pane.blockCount() > 60, timeout=20000)
    bar = pane.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=5000)   # following
    bar.setValue(0)                                                       # the user scrolls up
    n = pane.blockCount()
    qtbot.waitUntil(lambda: pane.blockCount() > n + 10, timeout=20000)
    window.controller.pause()
    barrier(qtbot, window)
    assert bar.value() == 0                                               # left where the user put it
    steps = [int(t.split()[0]) for t in pane.toPlainText().splitlines() if t and t[0].isdigit()]
    assert steps == sorted(steps) and np.all(np.diff(steps) > 0)
