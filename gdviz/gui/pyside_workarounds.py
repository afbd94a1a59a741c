"""Work around a reference-count bug in some PySide6 builds (seen in 6.12.0 on CPython 3.11).

``SignalInstance.emit()`` returns ``True`` without taking a reference to it, so every signal
emitted from Python (ours, and pyqtgraph's on every ``setData``) removes one reference from
the ``True`` singleton.  After a few thousand emits CPython aborts with ``Fatal Python error:
bool_dealloc: deallocating True or False``.  A live training app emits ~100 signals a second,
so it would die within a minute.

:func:`apply` measures the leak once (a few emits of a private signal) and, only if it is
there, gives ``True`` and ``False`` a reference count so large that it can never reach zero --
which is exactly what CPython 3.12+ does for them anyway ("immortal" objects).  It is a no-op on
fixed bindings and on Pythons whose bools are immortal.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

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


def apply() -> bool:
    """Apply the workaround if this binding needs it; returns whether it was needed."""
    global _applied
    if _applied is None:
        _applied = emit_leaks_true()
        if _applied:
            for obj in (True, False):
                # ob_refcnt is the first field of every CPython object (Py_ssize_t).
                ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    return _applied
