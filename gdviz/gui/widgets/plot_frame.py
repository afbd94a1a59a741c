"""One paint per frame for a pyqtgraph plot whose data just changed.

pyqtgraph fits an auto-ranged view and sets its transform in ``ViewBox.prepareForPaint``, i.e.
while the paint has already begun; the axes hear of the move only then and ask for a second
paint of the widget.  On a software raster that doubled the cost of every frame (measured:
2.0 paints per redraw of the race's loss plot, 1.9 for the plane tab's loss curve).  Calling
:func:`settle` right after ``setData`` does the fit and the transform first, so the one paint
Qt schedules draws the final picture.
"""

from __future__ import annotations


def settle(plot) -> None:
    """Fit ``plot``'s view (a PlotWidget or PlotItem) now rather than inside its next paint."""
    item = plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot
    item.getViewBox().prepareForPaint()
