"""The conditioning lesson: κ falls, the path straightens, W and b stay in the data's units."""

import numpy as np
import pytest

from gdviz.training import TrainConfig, make_plane_data
from gdviz.training import conditioning as cd
from gdviz.training.landscape import analyze

DATA = make_plane_data()
START = np.array([0.27392337, -0.46042657, 0.0])


def test_the_maps_are_inverse():
    _, mu, sigma = cd.transform(DATA, "standardise x")
    t = np.array([[0.3, -1.2, 0.7], [2.0, 0.1, -0.4]])
    np.testing.assert_allclose(cd.to_original(cd.to_transformed(t, mu, sigma), mu, sigma), t, atol=1e-12)


def test_kappa_falls_from_about_24_to_about_1():
    kappas = {m: analyze(cd.transform(DATA, m)[0]).condition_number for m in cd.MODES}
    assert kappas["as given"] == pytest.approx(23.8, abs=0.1)
    assert kappas["centre x"] < kappas["as given"]
    assert kappas["standardise x"] < 2   # 1.65 here: what is left is the sample correlation of x1 and x2


@pytest.mark.parametrize("mode", cd.MODES)
def test_mapped_back_the_result_is_least_squares_in_original_units(mode):
    path, kappa, steps = cd.conditioned_run(DATA, TrainConfig(lr=0.5), START, mode, 400)
    np.testing.assert_allclose(path[0], START, atol=1e-6)                # it starts where the run does
    np.testing.assert_allclose(path[-1], analyze(DATA).theta_star, atol=2e-5)
    assert steps is not None


def test_standardised_descent_arrives_much_sooner_and_straighter():
    raw_path, _, raw_steps = cd.conditioned_run(DATA, TrainConfig(lr=0.5), START, "as given", 400)
    std_path, _, std_steps = cd.conditioned_run(DATA, TrainConfig(lr=0.5), START, "standardise x", 400)
    assert std_steps < raw_steps / 3

    def length(p):
        return float(np.sum(np.linalg.norm(np.diff(p, axis=0), axis=1)))

    assert length(std_path) < length(raw_path)
