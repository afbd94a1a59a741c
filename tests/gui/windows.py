"""Opening the real main window in a test, and waiting for its worker without sleeping."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QObject, QThread, Slot

_tokens = itertools.count(1)


class Counter(QObject):
    """Records the Updates a window receives (and the thread each slot ran in) and pongs."""

    def __init__(self):
        super().__init__()
        self.updates = []
        self.threads = set()
        self.pongs = []

    @Slot(object)
    def on_update(self, u):
        self.threads.add(QThread.currentThread())
        self.updates.append(u)

    @Slot(int)
    def on_pong(self, token):
        self.pongs.append(token)


def open_param_space_window(qtbot):
    """A started MainWindow showing its parameter-space panel, the worker caught up."""
    from gdviz.gui.main_window import MainWindow

    w = open_window(qtbot, MainWindow(start=False))
    w.plane_tab.space_tabs.setCurrentWidget(w.plane_tab.param_panel)
    barrier(qtbot, w)
    return w


def open_window(qtbot, w, speed: float | None = 50.0):
    """Attach a Counter to ``w`` (as ``w.counter``), start its worker, show and activate it.

    Window shortcuts (Space, R, Ctrl+B) only fire in the active window.  The worker runs at
    ``speed`` steps/s (the learner's default of 5 would make every played test slow; pass
    ``speed=...`` explicitly to test another pace).
    """
    qtbot.addWidget(w)
    w.counter = Counter()
    w.controller.update_ready.connect(w.counter.on_update)
    w.controller.worker.ponged.connect(w.counter.on_pong)
    with qtbot.waitSignal(w.controller.update_ready, timeout=10000):
        w.controller.start()
    w.controller.set_speed(speed)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    return w


def barrier(qtbot, w):
    """Wait until the worker has handled every command sent before this call."""
    token = next(_tokens)
    w.controller.worker.ping(token)
    qtbot.waitUntil(lambda: token in w.counter.pongs, timeout=10000)


def last(w):
    """The newest Update the window received."""
    return w.counter.updates[-1]
