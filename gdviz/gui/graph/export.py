"""PNG and SVG export of a graph view's scene, exactly as shown (groups folded as on screen).

Both are rendered into memory first and written with one ``write``, so a full disk or a
read-only folder raises ``OSError`` instead of leaving a truncated file reported as saved.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene

_MAX_PX = 8000  # the longest side of a PNG


def _render(scene: QGraphicsScene, painter: QPainter, width: float, height: float, source: QRectF) -> None:
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
    scene.render(painter, QRectF(0, 0, width, height), source, Qt.AspectRatioMode.KeepAspectRatio)


def _write(path: str | Path, data: QByteArray, what: str) -> None:
    try:
        with open(os.fspath(path), "wb") as f:
            f.write(bytes(data))
    except OSError as e:
        raise OSError(f"could not write the {what} {str(path)!r}: {e.strerror or e}") from None


def png_bytes(scene: QGraphicsScene, source: QRectF, scale: float = 2.0) -> QByteArray:
    """``source`` (scene units) as PNG bytes at ``scale`` pixels per scene unit (≤ 8000 px a side)."""
    scale = min(scale, _MAX_PX / max(source.width(), source.height(), 1.0))
    w, h = max(1, math.ceil(source.width() * scale)), max(1, math.ceil(source.height() * scale))
    image = QImage(w, h, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    _render(scene, painter, w, h, source)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise OSError("could not encode the PNG image")
    buf.close()
    return data


def export_png(scene: QGraphicsScene, source: QRectF, path: str | Path, scale: float = 2.0) -> None:
    _write(path, png_bytes(scene, source, scale), "PNG image")


def export_svg(scene: QGraphicsScene, source: QRectF, path: str | Path, description: str = "") -> None:
    """Vector export: texts stay text."""
    w, h = math.ceil(source.width()), math.ceil(source.height())
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(QSize(w, h))
    gen.setViewBox(QRectF(0, 0, w, h))
    gen.setTitle("gdviz computation graph")
    gen.setDescription(description)
    painter = QPainter()
    if not painter.begin(gen):
        raise OSError("could not start the SVG document")
    _render(scene, painter, w, h, source)
    painter.end()
    buf.close()
    _write(path, data, "SVG file")
