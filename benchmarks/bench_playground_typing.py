"""GUI-thread cost of one keystroke in the playground, before vs after (same run).

"before" is what the key handler used to do: evaluate the whole program synchronously.
"after" is what it does now: snapshot the settings and post a debounced request to the worker
thread (:class:`gdviz.gui.playground.evaluator.AsyncEvaluator`).  Reported as ms per key and
the ratio before/after, for a program holding the largest literal allowed::

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_playground_typing.py
"""

from __future__ import annotations

import statistics
import time

from PySide6.QtWidgets import QApplication

from gdviz.gui.playground.evaluator import AsyncEvaluator
from gdviz.literal import MAX_ELEMENTS
from gdviz.playground.model import Playground


def main() -> None:
    app = QApplication.instance() or QApplication([])
    program = "w = [" + ", ".join(["1.5"] * MAX_ELEMENTS) + "]\ny = reduce_sum(square(w))"
    model = Playground(program=program, ys=("y",), xs=("w",))
    ev = AsyncEvaluator()
    before, after = [], []
    for _ in range(5):
        t = time.perf_counter()
        model.evaluate()
        before.append(time.perf_counter() - t)
        t = time.perf_counter()
        ev.request(model)
        after.append(time.perf_counter() - t)
    ev.cancel()
    b, a = statistics.median(before), statistics.median(after)
    print(f"{MAX_ELEMENTS} elements: before {b * 1e3:.1f} ms/key on the GUI thread, "
          f"after {a * 1e3:.3f} ms/key; ratio {b / a:.0f}x")
    app.processEvents()


if __name__ == "__main__":
    main()
