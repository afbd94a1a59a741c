"""GUI-thread cost of the computation-graph view, grouped (the default) vs every group unfolded.

For each optimizer's manual-mode graph (the largest: Adam has 76 nodes), in a view the size of
the graph pane at 1366x768, it measures per call: ``set_values`` (one training update: texts
and edge shading, no item created), a full repaint, a fold/unfold (relayout + re-fit), and
building the items.  Unfolded is the baseline measured in the same run; the ratio says what
grouping saves::

    python benchmarks/bench_graph.py            # under xvfb-run when there is no display
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main() -> int:
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        return subprocess.call(["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, *sys.argv])
    from PySide6.QtWidgets import QApplication

    from gdviz.gui.graph.view import GraphView
    from gdviz.training.plane_fit import PlaneFit
    from gdviz.training.types import TrainConfig

    app = QApplication.instance() or QApplication([])
    print(f"{'graph':22} {'nodes':>5} {'boxes':>11} {'set_values ms':>15} {'repaint ms':>13} "
          f"{'fold+unfold ms':>15} {'build ms':>10}")
    for optimizer in ("gd", "momentum", "adam"):
        fit = PlaneFit(config=TrainConfig(mode="manual", optimizer=optimizer))
        fit.steps(5)
        snaps = []
        for _ in range(8):
            fit.steps(1)
            snaps.append(fit.snapshot())
        rows = {}
        for label, unfold in (("unfolded", True), ("grouped", False)):
            view = GraphView()
            view.resize(600, 270)
            view.set_backward_placement("below")
            view.show()

            def build(view=view):
                view.graph._key = None  # force a rebuild of every item
                view.set_graph(fit.spec, fit.record)

            build_ms = _median_ms(build, 5)
            if unfold:
                view.toggle_all_groups()
            app.processEvents()
            boxes = len(view.drawn_boxes())
            k = iter(range(10**9))
            values_ms = _median_ms(lambda: view.set_values(snaps[next(k) % 8].values, snaps[next(k) % 8].grads), 200)
            repaint_ms = _median_ms(view.viewport().repaint, 30)
            name = view.group_names()[0]
            fold_ms = _median_ms(lambda: (view.set_folded(name, True), view.set_folded(name, False)), 10)
            rows[label] = (boxes, values_ms, repaint_ms, fold_ms, build_ms)
            view.close()
        (nu, vu, ru, fu, bu), (ng, vg, rg, fg, bg) = rows["unfolded"], rows["grouped"]
        print(f"manual {optimizer:15} {len(fit.spec.nodes):5} {nu:4} -> {ng:4} {vu:6.2f} -> {vg:5.2f} "
              f"{ru:5.1f} -> {rg:5.1f} {fu:6.1f} -> {fg:5.1f} {bu:4.0f} -> {bg:3.0f}")
        print(f"{'':22} ratio unfolded/grouped: set_values {vu / vg:.1f}x, repaint {ru / rg:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
