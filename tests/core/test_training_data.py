"""make_plane_data: the tutorial's data set, reproducible from a seed."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.training import PlaneData, make_plane_data


def test_shapes_dtypes_and_plane():
    d = make_plane_data()
    assert isinstance(d, PlaneData)
    assert d.x.shape == (2, 100) and d.x.dtype == np.float32
    assert d.y.shape == (100,) and d.y.dtype == np.float64
    assert d.points == 100
    assert np.all((d.x >= 0) & (d.x < 1))
    np.testing.assert_array_equal(d.y, np.dot([0.1, 0.2], d.x) + 0.3)  # the tutorial's formula
    assert d.true_W == (0.1, 0.2) and d.true_b == 0.3


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make_plane_data(50, seed=7), make_plane_data(50, seed=7), make_plane_data(50, seed=8)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


def test_noise_is_seeded_and_only_moves_y():
    clean, noisy = make_plane_data(200, 0.0, 3), make_plane_data(200, 0.1, 3)
    np.testing.assert_array_equal(clean.x, noisy.x)
    resid = noisy.y - clean.y
    assert 0.05 < resid.std() < 0.15
    np.testing.assert_array_equal(noisy.y, make_plane_data(200, 0.1, 3).y)
    assert noisy.noise == 0.1 and noisy.seed == 3


def test_arrays_are_read_only():
    d = make_plane_data(5)
    with pytest.raises(ValueError):
        d.x[0, 0] = 1.0
    with pytest.raises(ValueError):
        d.y[0] = 1.0


@pytest.mark.parametrize("kwargs", [dict(points=0), dict(points=-1), dict(points=2.5),
                                    dict(noise=-1.0), dict(noise=float("nan")),
                                    dict(noise="x"), dict(seed=1.5)])
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        make_plane_data(**kwargs)


def test_single_point():
    assert make_plane_data(1).x.shape == (2, 1)
