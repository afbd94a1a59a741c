"""The tutorial's three programs (seed/) run unchanged except ``import gdviz.autodiff as tf``.

The programs are copied verbatim into ``tests/core/tutorial/`` and run as subprocesses, as a
user would run them.  Variants of the ``tf.gradients`` example switch its commented lines on.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent / "tutorial"


def run_program(source: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "program.py"
    path.write_text(source, encoding="utf8")
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)


def numbers(text: str) -> list[float]:
    return [float(t) for t in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", text)]


@pytest.mark.parametrize("program", ["plane_optimizer.py", "plane_gradients.py"])
def test_plane_fit_programs_converge(program, tmp_path):
    source = (HERE / program).read_text(encoding="utf8")
    assert "import gdviz.autodiff as tf" in source and "tensorflow" not in source
    proc = run_program(source, tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert [int(ln.split()[0]) for ln in lines] == list(range(0, 201, 20))
    step, w0, w1, b = numbers(lines[-1])
    assert step == 200
    np.testing.assert_allclose([w0, w1, b], [0.1, 0.2, 0.3], atol=2e-3)


EXAMPLE = (HERE / "gradients_example.py").read_text(encoding="utf8")
PUBLISHED = "grads = tf.gradients([res2a,res2b],[w1,w2],grad_ys=grad_ys)"


def test_gradients_example_prints_published_grad_ys_result(tmp_path):
    proc = run_program(EXAMPLE, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[array([[6, 9]], dtype=int32), array([[19, 17]], dtype=int32)]"


@pytest.mark.parametrize("line, expected", [
    ("grads = tf.gradients([res2a,res2b],[w1,w2])", [4, 5, 11, 11]),
    ("grads = tf.gradients(res,[w1])", [2, 1]),
])
def test_gradients_example_commented_variants(line, expected, tmp_path):
    assert PUBLISHED in EXAMPLE
    proc = run_program(EXAMPLE.replace(PUBLISHED, line), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [n for n in numbers(proc.stdout) if n != 32] == expected  # 32 from "int32"


def test_gradients_example_none_gradient_fetch_raises_type_error(tmp_path):
    proc = run_program(EXAMPLE.replace(PUBLISHED, "grads = tf.gradients(res,[w1,w2])"), tmp_path)
    assert proc.returncode != 0
    assert "TypeError: Fetch argument None has invalid type <class 'NoneType'>" in proc.stderr
