"""The gdviz icon for windows and the task bar (SVG plus the PNG sizes, from the package)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from gdviz.desktop import ICON_SIZES, ICONS


def app_icon() -> QIcon:
    icon = QIcon(str(ICONS / "gdviz.svg"))
    for n in ICON_SIZES:
        icon.addFile(str(ICONS / f"gdviz-{n}.png"))
    return icon
