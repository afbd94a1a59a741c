"""Render assets/icons/gdviz.svg to the PNG sizes desktops use (assets/icons/gdviz-<n>.png).

    python scripts/make_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256)


def main() -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(["make_icons", "-platform", "offscreen"])  # noqa: F841
    svg = QSvgRenderer(str(ROOT / "assets" / "icons" / "gdviz.svg"))
    for n in SIZES:
        img = QImage(n, n, QImage.Format.Format_ARGB32)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        svg.render(p)
        p.end()
        out = ROOT / "assets" / "icons" / f"gdviz-{n}.png"
        img.save(str(out))
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
