"""Can this process draw with OpenGL?  Asked once, before choosing the 3D plane view.

A remote desktop, a headless CI box or a broken driver can make ``QOpenGLWidget`` fail late and
hard (a black widget, an abort in the driver).  So the app asks first, on an offscreen surface,
and falls back to a 2D view when the answer is no.  ``GDVIZ_NO_GL=1`` forces the fallback (for
tests, and for users whose GL "works" but renders garbage).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext

MIN_GL_VERSION = (2, 0)

_cached: bool | None = None


def share_gl_contexts() -> bool:
    """Ask Qt to let every GL context share resources; returns True if it was in time.

    Why: pyqtgraph.opengl compiles each shader program once per *process* and reuses it, so a
    second ``GLViewWidget`` (a second window, the next test) would use a program that does not
    exist in its own context (``glUseProgram: invalid value``: blank points and surfaces).
    Shared contexts make those programs valid everywhere.  Only effective before the
    ``QApplication`` exists, so this module calls it on import, and ``app.py`` may call it too.
    """
    if QCoreApplication.instance() is not None:
        return QCoreApplication.testAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
    return True


share_gl_contexts()


def clear_cache() -> None:
    """Forget the cached answer (tests flip ``GDVIZ_NO_GL`` and ask again)."""
    global _cached
    _cached = None


def opengl_available() -> bool:
    """True if an OpenGL >= 2.0 context can be created and made current.

    Honours ``GDVIZ_NO_GL=1`` (always False, not cached, so the env var wins at any time).
    Needs a ``QGuiApplication``; without one the answer is False and is *not* cached, since a
    later call with an application may succeed.  Never raises.
    """
    global _cached
    if os.environ.get("GDVIZ_NO_GL", "").strip() not in ("", "0"):
        return False
    if _cached is not None:
        return _cached
    try:
        if QGuiApplication.instance() is None:
            return False
        _cached = _probe()
    except Exception:  # noqa: BLE001 - any failure in the probe means "no usable GL"
        _cached = False
    return _cached


def _probe() -> bool:
    ctx = QOpenGLContext()
    if not ctx.create():
        return False
    surface = QOffscreenSurface()
    surface.setFormat(ctx.format())
    surface.create()
    try:
        if not surface.isValid() or not ctx.makeCurrent(surface):
            return False
        fmt = ctx.format()
        ok = (fmt.majorVersion(), fmt.minorVersion()) >= MIN_GL_VERSION
        ctx.doneCurrent()
        return ok
    finally:
        surface.destroy()
