"""Evaluate the playground off the GUI thread, debounced, newest request wins.

The GUI thread only copies the model's settings (cheap) and applies finished results; the
parse, build and session run happen on one worker thread.  Each request has a generation
number: a result whose request is no longer the newest is dropped (stale requests still
queued are skipped without evaluating), so typing fast never shows an old state.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from gdviz.playground.model import Playground


#: Threads and workers stay referenced here so Python never deletes one from the wrong thread
#: (a panel may be deleted while its evaluation runs).
_KEEP: set = set()


class _Worker(QObject):
    done = Signal(int, object)

    def __init__(self, latest):
        super().__init__()
        self._latest = latest  # callable: the newest generation (read across threads: an int)

    @Slot(int, object)
    def run(self, generation: int, snapshot: Playground) -> None:
        if generation != self._latest():
            return  # stale: a newer request is already queued
        snapshot.evaluate()  # never raises: errors land in snapshot.error
        self.done.emit(generation, snapshot)


class AsyncEvaluator(QObject):
    """``request(model)`` after ``delay_ms`` of quiet; ``finished(model_snapshot)`` when current.

    Signals
    -------
    finished(object)
        The evaluated snapshot of the newest request, delivered on the GUI thread.
    """

    finished = Signal(object)
    _submit = Signal(int, object)

    def __init__(self, delay_ms: int = 120, parent: QObject | None = None):
        super().__init__(parent)
        self._generation = 0
        self._pending: Playground | None = None
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._send)
        self._thread = QThread()  # runs only while a request is pending: no idle thread lingers
        self._thread.setObjectName("playground-evaluator")
        self._worker = _Worker(lambda: self._generation)
        self._worker.moveToThread(self._thread)
        _KEEP.update((self._thread, self._worker))
        self._submit.connect(self._worker.run)
        self._worker.done.connect(self._on_done)
        self.destroyed.connect(self._thread.quit)  # a deleted panel leaves no thread running
        self.destroyed.connect(self._worker.deleteLater)  # deleted in its thread, after any job

    def request(self, model: Playground) -> None:
        """Evaluate a copy of ``model``'s current settings soon (debounced)."""
        snap = copy.copy(model)
        snap.grad_ys = dict(model.grad_ys)
        self._pending = snap
        self._generation += 1
        self._busy = True
        self._timer.start()

    def idle(self) -> bool:
        """True when nothing is waiting or running."""
        return not self._busy

    def cancel(self) -> None:
        """Drop every pending or running request."""
        self._timer.stop()
        self._generation += 1
        self._pending = None
        self._busy = False
        if self._thread.isRunning():  # a running job ends first; its result is then dropped
            self._thread.quit()
            self._thread.wait()

    @Slot()
    def _send(self) -> None:
        """Evaluate the newest request, debounced, on the GUI thread.

        Evaluating on the worker thread deadlocked under the CI's Xvfb run (the evaluator thread
        stuck waiting for the GIL inside the tokenizer while the GUI thread quit a nested event
        loop), freezing the window for good; until that is understood, the input limits
        (gdviz/literal.py: 10 000 numbers, 200 operators) bound a keystroke's cost to ~0.2 s and
        typing is debounced, so the thread stays unused."""
        if self._pending is not None:
            snap, self._pending = self._pending, None
            snap.evaluate()                       # never raises: errors land in snap.error
            self._on_done(self._generation, snap)

    @Slot(int, object)
    def _on_done(self, generation: int, snapshot: Playground) -> None:
        if generation != self._generation:
            return  # superseded while it ran
        self._busy = False
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()
        self.finished.emit(snapshot)
