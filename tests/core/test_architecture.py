"""The layering contracts in pyproject.toml ([tool.importlinter]) hold, and really bite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def lint(root: Path) -> subprocess.CompletedProcess:
    # --no-cache: the cache would hide a module that changed since the last run
    return subprocess.run([str(LINT), "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(root), "PATH": ""})


def test_the_contracts_are_kept():
    p = lint(ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 broken" in p.stdout


def test_a_core_module_importing_qt_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "gdviz", tmp_path / "gdviz", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    data = tmp_path / "gdviz" / "training" / "data.py"
    data.write_text("import PySide6  # noqa: F401\n" + data.read_text())
    p = lint(tmp_path)
    assert p.returncode != 0
    assert "The core never imports Qt, pyqtgraph or OpenGL BROKEN" in p.stdout
    assert "gdviz.training.data -> PySide6" in p.stdout
