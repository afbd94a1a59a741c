"""The installed Qt binding must not leak references to True/None (PySide6 6.12.0 did).

On PySide6-Essentials 6.12.0 with CPython 3.11 every Python-side ``emit()`` dropped a reference
to ``True`` and every void Qt call one to ``None``: the app aborted within a minute
("Fatal Python error: bool_dealloc").  ``pyproject.toml`` pins ``<6.12``; this test runs the
pattern far past the old crash point in a subprocess, so an abort fails the test instead of
killing the whole run.
"""

import subprocess
import sys

PROBE = r"""
import sys
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

class Probe(QObject):
    ping = Signal(bool)

app = QCoreApplication([])
probe, timer = Probe(), QTimer()
true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
for _ in range(20000):
    probe.ping.emit(True)
    timer.stop()
print(sys.getrefcount(True) - true_before, sys.getrefcount(None) - none_before)
"""


def test_emits_and_void_calls_keep_true_and_none_alive():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"the binding aborted the interpreter:\n{done.stderr[-2000:]}"
    true_delta, none_delta = map(int, done.stdout.split())
    assert true_delta > -100 and none_delta > -100, (true_delta, none_delta)
