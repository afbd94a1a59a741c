"""Text on graph boxes: never below 8 pt on screen, never cut from the start.

A box offers rows of candidate texts with priorities.  At the painter's zoom, each row's font is
its design size or the size that makes it 8 pt on screen, whichever is larger; the rows with the
best priorities that fit the box's height are drawn, each as its first candidate that fits the
width (or the last candidate shortened in the middle).  Zoomed out, a box shows fewer rows,
not smaller text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from gdviz.diagram.labels import middle_elide, min_text_px

MIN_PX = min_text_px()  # 8 pt at 96 logical dpi
_LINE = 1.22  # line height / font size
_MIN_CHARS = 4  # a middle-elided text keeps at least this many characters, or is not drawn


@dataclass(frozen=True)
class Row:
    """One line a box may show."""

    candidates: tuple[str, ...]  # most detailed first
    colour: QColor
    px: float = 11.0  # design size in scene units (at 100 % zoom)
    bold: bool = False
    priority: int = 1  # 0 is drawn first; rows that do not fit are dropped by priority
    elide: bool = True  # False: a row none of whose candidates fits is left out (numbers are never cut)
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter


def line_height(px: float, lod: float) -> float:
    """Scene height of one row of design size ``px`` drawn at zoom ``lod`` (8 pt at least)."""
    return math.ceil(max(px, MIN_PX / max(lod, 1e-3))) * _LINE


@lru_cache(maxsize=256)
def font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(max(1, px))
    f.setBold(bold)
    return f


@lru_cache(maxsize=4096)
def _fit(text_candidates: tuple[str, ...], px: int, bold: bool, width: float, elide: bool = True) -> str:
    fm = QFontMetricsF(font(px, bold))
    for c in text_candidates:
        if fm.horizontalAdvance(c) <= width:
            return c
    if not elide:
        return ""
    last = text_candidates[-1]
    lo, hi = 0, len(last)
    while lo < hi:  # the longest middle elision that fits
        mid = (lo + hi + 1) // 2
        if fm.horizontalAdvance(middle_elide(last, mid)) <= width:
            lo = mid
        else:
            hi = mid - 1
    return middle_elide(last, lo) if lo >= min(_MIN_CHARS, len(last)) else ""


def draw_rows(painter: QPainter, box: QRectF, lod: float, rows: list[Row]) -> list[tuple[str, float]]:
    """Draw what fits of ``rows`` in ``box`` (scene units) at zoom ``lod``.

    Returns ``(text, height in device pixels)`` for each text drawn.
    """
    lod = max(lod, 1e-3)
    sized = [(r, math.ceil(max(r.px, MIN_PX / lod))) for r in rows]
    room = box.height()
    chosen: set[int] = set()
    for i in sorted(range(len(sized)), key=lambda k: (sized[k][0].priority, k)):
        need = sized[i][1] * _LINE
        if need > room:
            break  # a row of higher priority did not fit: nothing of lower priority is drawn
        room -= need
        chosen.add(i)
    lines = []
    for i, (row, px) in enumerate(sized):
        if i in chosen:
            text = _fit(row.candidates, px, row.bold, box.width(), row.elide)
            if text:
                lines.append((text, row, px))
    top = box.center().y() - sum(px * _LINE for _t, _r, px in lines) / 2
    drawn = []
    for text, row, px in lines:
        height = px * _LINE
        painter.setFont(font(px, row.bold))
        painter.setPen(row.colour)
        painter.drawText(QRectF(box.left(), top, box.width(), height), row.align, text)
        drawn.append((text, px * lod))
        top += height
    return drawn
