"""RMSProp's momentum (issue 20.6) against real TensorFlow's tf.train.RMSPropOptimizer.

The golden file is made by tests/golden/make_rmsprop_golden.py (run by hand with TensorFlow;
not by these tests).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from gdviz.cli import main
from gdviz.training import TrainConfig
from gdviz.training.plane_fit import new_plane_fit
from gdviz.training.race import make_racer

GOLDEN = json.loads((Path(__file__).parents[1] / "golden" / "rmsprop_momentum.json").read_text())


def _fit(momentum, mode):
    cfg = TrainConfig(mode=mode, optimizer="rmsprop", lr=GOLDEN["lr"], decay=GOLDEN["decay"],
                      momentum=momentum, epsilon=GOLDEN["epsilon"])
    return new_plane_fit(cfg, 100, 0.0, 0)


@pytest.mark.parametrize("mode", ["optimizer", "manual"])
@pytest.mark.parametrize("momentum", ["0.0", "0.9"])
def test_rmsprop_momentum_matches_tensorflow(momentum, mode):
    fit = _fit(float(momentum), mode)
    np.testing.assert_allclose(fit.start()[0].ravel(), GOLDEN["W0"], rtol=0, atol=0)
    for step, want in sorted(GOLDEN["runs"][momentum].items(), key=lambda kv: int(kv[0])):
        fit.steps(int(step) - fit.step_count)
        W, b = fit.weights()
        np.testing.assert_allclose(W.ravel(), want["W"], rtol=1e-5, atol=1e-6, err_msg=f"step {step}")
        np.testing.assert_allclose(b.ravel(), want["b"], rtol=1e-5, atol=1e-6, err_msg=f"step {step}")


def test_rmsprop_momentum_changes_the_path():
    a, b = _fit(0.0, "manual"), _fit(0.9, "manual")
    a.steps(20), b.steps(20)
    assert not np.allclose(a.weights()[0], b.weights()[0])


def test_rmsprop_defaults_to_tf1_momentum_zero():
    assert TrainConfig(optimizer="rmsprop").momentum == 0.0
    assert TrainConfig(optimizer="momentum").momentum == 0.9
    assert TrainConfig(optimizer="rmsprop", momentum=0.5).momentum == 0.5


def test_race_rmsprop_takes_momentum():
    assert make_racer("rmsprop").config.momentum == 0.0
    assert make_racer("rmsprop", momentum=0.9).config.momentum == 0.9
    assert make_racer("rmsprop-manual", momentum=0.9).config.momentum == 0.9


def test_cli_momentum_applies_to_rmsprop(capsys):
    base = ["--headless", "--optimizer", "rmsprop", "--lr", "0.01", "--steps", "51", "--every", "50"]
    assert main(base) == 0
    plain = capsys.readouterr().out.splitlines()[-1]
    assert main(base + ["--momentum", "0.0"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == plain    # TF1's default momentum is 0.0
    assert main(base + ["--momentum", "0.9"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] != plain
