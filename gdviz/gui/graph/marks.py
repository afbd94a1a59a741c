"""Item attributes the views set in bulk, repainting once."""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsItem


def set_marks(item: QGraphicsItem, marks: dict) -> None:
    """Set the item attributes that differ and repaint once (none differ: no repaint)."""
    changed = False
    for key, val in marks.items():
        if getattr(item, key) != val:
            setattr(item, key, val)
            changed = True
    if changed:
        item.update()
