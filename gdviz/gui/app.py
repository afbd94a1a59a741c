"""``run_app(args)``: start the desktop app (called by ``gdviz`` / ``python -m gdviz``)."""

from __future__ import annotations

import argparse
import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def presets_from_args(args: argparse.Namespace) -> dict:
    """Command-line values that preset the controls (absent ones keep the saved settings)."""
    keys = ("mode", "optimizer", "lr", "momentum", "points", "noise", "seed")
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


def _explicit(args: argparse.Namespace, argv: list[str]) -> dict:
    """Only the options typed on the command line override saved settings, not parser defaults."""
    presets = presets_from_args(args)
    typed = {a.split("=", 1)[0].lstrip("-") for a in argv if a.startswith("--")}
    return {k: v for k, v in presets.items() if k in typed}


def run_app(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    """Create the QApplication and the main window, and run the event loop.

    Parameters
    ----------
    args : argparse.Namespace
        ``gdviz.cli`` arguments: ``scene`` ("plane" or "playground") picks the first tab;
        ``points``/``noise``/``seed``/``lr``/``mode``/``optimizer``/``momentum`` preset the
        controls when given on the command line.
    """
    from gdviz.gui.gl_check import share_gl_contexts
    from gdviz.gui.main_window import MainWindow

    share_gl_contexts()  # must precede the QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("gdviz")
    app.setOrganizationName("gdviz")
    app.setDesktopFileName("gdviz")          # matches the menu entry (StartupWMClass, taskbar icon)
    from gdviz.gui.app_icon import app_icon

    app.setWindowIcon(app_icon())
    argv = sys.argv[1:] if argv is None else argv
    window = MainWindow(presets=_explicit(args, argv), scene=getattr(args, "scene", "plane"),
                        open_path=getattr(args, "load_session", None) or getattr(args, "data", None))
    window.show()
    if not getattr(args, "record", None):
        window.show_guide_on_first_launch()
    heartbeat = _close_on_ctrl_c(window)
    outcome = {"code": None}
    if getattr(args, "record", None):
        _record_and_exit(window, app, args, outcome)
    code = int(app.exec())
    heartbeat.stop()
    return outcome["code"] if outcome["code"] is not None else code


def _record_and_exit(window, app, args, outcome) -> None:
    """``gdviz --record FILE --steps N``: record N steps (at most ~300 frames), then quit."""
    from PySide6.QtCore import QObject, Slot

    from gdviz.gui.record import Recorder

    steps = max(1, int(args.steps))
    every = max(1, -(-steps // 300))

    class Done(QObject):
        @Slot(str, bool)
        def finished(self, message, ok):
            print(f"gdviz: {message}", file=sys.stdout if ok else sys.stderr)
            outcome["code"] = 0 if ok else 1
            window.close()
            app.quit()

        @Slot()
        def go(self):
            try:
                self.rec = Recorder(window, args.record, steps, every=every, fps=10)
                self.rec.finished.connect(self.finished)
                self.rec.start()
            except ValueError as e:
                self.finished(str(e), False)

    done = Done(window)
    window._record_done = done
    QTimer.singleShot(500, done.go)      # once the window has painted and the worker answered


def _close_on_ctrl_c(window) -> QTimer:
    """Ctrl+C in the terminal closes the window properly (settings saved, thread joined).

    Python runs signal handlers only between bytecodes of the main thread, which sits in Qt's
    event loop; a timer that wakes the interpreter five times a second lets the handler run.
    """

    def handler(_signum, _frame):
        window.close()

    signal.signal(signal.SIGINT, handler)
    timer = QTimer(window)
    timer.timeout.connect(window.on_heartbeat)
    timer.start(200)
    return timer
