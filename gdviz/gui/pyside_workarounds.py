"""Work around reference-count bugs in some PySide6 builds (seen in 6.12.0 on CPython 3.11).

``SignalInstance.emit()`` returns ``True`` without taking a reference to it, so every signal
emitted from Python (ours, and pyqtgraph's on every ``setData``) removes one reference from
the ``True`` singleton.  After a few thousand emits CPython aborts with ``Fatal Python error:
bool_dealloc: deallocating True or False``.  A live training app emits ~100 signals a second,
so it would die within a minute.

The same build's void methods (``setText``, ``update``, ``QTimer.stop``...) drop a reference to
``None`` the same way (found by PLANEVIEWS and GRAPHVIEW, see ``gl_check.guard_none_refcount``).

:func:`apply` measures both leaks once and, only if one is there, gives ``True``, ``False`` and
``None`` a reference count so large that it can never reach zero -- which is exactly what
CPython 3.12+ does for them anyway ("immortal" objects).  It is a no-op on fixed bindings and
on Pythons whose singletons are immortal.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, QTimer, Signal

_applied: bool | None = None


class _Probe(QObject):
    ping = Signal()


def emit_leaks_true() -> bool:
    """True when emitting a Python-side signal drops a reference to ``True``."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.ping.emit()
    return sys.getrefcount(True) <= before - 16


def void_call_leaks_none() -> bool:
    """True when calling a void Qt method drops a reference to ``None``."""
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(16):
        timer.stop()
    return sys.getrefcount(None) <= before - 16


def apply() -> bool:
    """Apply the workaround if this binding needs it; returns whether it was needed."""
    global _applied
    if _applied is None:
        _applied = emit_leaks_true() | void_call_leaks_none()
        if _applied:
            for obj in (True, False, None):
                # ob_refcnt is the first field of every CPython object (Py_ssize_t).
                ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    return _applied
