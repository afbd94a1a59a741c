"""The core (engine, training, playground, literal parser, CLI) never imports Qt."""

from __future__ import annotations

import subprocess
import sys

CODE = r"""
import sys
import gdviz.autodiff, gdviz.training, gdviz.playground, gdviz.literal, gdviz.cli
from gdviz.training import PlaneFit, TrainConfig
fit = PlaneFit(config=TrainConfig(mode="manual"))
fit.steps(5)
fit.snapshot()
assert gdviz.cli.main(["--headless", "--steps", "3"]) == 0
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"))
print("QT-MODULES:", bad)
"""


def test_core_imports_no_qt():
    p = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "QT-MODULES: []" in p.stdout, p.stdout
