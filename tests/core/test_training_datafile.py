"""Own data and sessions: exact round trips, every bad file refused with where and why."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gdviz.training import MODES, OPTIMIZERS, PlaneFit, TrainConfig, make_plane_data
from gdviz.training import session_file as sf
from gdviz.training.datafile import DataFileError, load_csv, save_csv

DATA = make_plane_data()


def write(tmp_path, text, name="d.csv", mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_csv_round_trip_gives_the_same_run(tmp_path):
    p = tmp_path / "tutorial.csv"
    save_csv(p, DATA)
    loaded = load_csv(p)
    assert loaded.header == ("x1", "x2", "y") and loaded.warnings == ()
    np.testing.assert_array_equal(loaded.data.x, DATA.x)
    np.testing.assert_array_equal(loaded.data.y, DATA.y)
    a = PlaneFit(DATA, TrainConfig()).steps(50)
    b = PlaneFit(loaded.data, TrainConfig()).steps(50)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("text", ["1,2,3\n4,5,6\n7,8,9\n", "1;2;3\n4;5;6\n7;8;9\n", "1\t2\t3\n4\t5\t6\n7\t8\t9\n",
                                  "a,b,c\n1,2,3\n4,5,6\n7,8,9\n"])
def test_delimiters_and_headers(tmp_path, text):
    d = load_csv(write(tmp_path, text)).data
    np.testing.assert_array_equal(d.y, [3, 6, 9])
    assert d.true_W is None


def test_more_than_three_columns_needs_a_choice(tmp_path):
    p = write(tmp_path, "id,x1,x2,noise,y\n1,0.1,0.2,9,0.5\n2,0.3,0.1,9,0.6\n3,0.5,0.5,9,0.9\n")
    with pytest.raises(DataFileError, match="choose which are x1, x2 and y"):
        load_csv(p)
    d = load_csv(p, columns=("x1", "x2", "y")).data
    np.testing.assert_allclose(d.y, [0.5, 0.6, 0.9])


@pytest.mark.parametrize("text,where,what", [
    ("x1,x2,y\n1,2,3\n4,oops,6\n", "line 3, column 2", "'oops' is not a number"),
    ("1,2,3\n4,5,nan\n", "line 2, column 3", "not a finite number"),
    ("1,2,3\n4,5,inf\n", "line 2, column 3", "not a finite number"),
    ("1,2\n3,4\n", "line 1", "expected 3"),
    ("1,2,3\n4,5\n", "line 2", "fields where the first row has 3"),
    ("", "", "is empty"),
    ("x1,x2,y\n", "", "no data rows"),
])
def test_bad_files_say_where_and_what(tmp_path, text, where, what):
    with pytest.raises(DataFileError) as e:
        load_csv(write(tmp_path, text))
    assert what in str(e.value) and where in str(e.value) and "d.csv" in str(e.value)


def test_binary_missing_and_folder(tmp_path):
    with pytest.raises(DataFileError, match="binary"):
        load_csv(write(tmp_path, b"\x89PNG\r\n\x1a\n\0\0", "img.csv", "wb"))
    with pytest.raises(DataFileError, match="cannot read"):
        load_csv(tmp_path / "nope.csv")
    with pytest.raises(DataFileError, match="folder"):
        load_csv(tmp_path)


def test_degenerate_data_is_accepted_with_its_meaning(tmp_path):
    w = load_csv(write(tmp_path, "1,1,3\n2,2,5\n3,3,7\n4,4,9\n")).warnings
    assert any("x1 = x2" in s and "infinite condition number" in s for s in w)
    w = load_csv(write(tmp_path, "1,5,3\n2,5,5\n3,5,7\n")).warnings
    assert any("x2 is constant" in s for s in w)
    w = load_csv(write(tmp_path, "1,2,3\n4,5,6\n")).warnings
    assert any("no unique least-squares answer" in s for s in w)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("mode", MODES)
def test_a_session_saved_at_100_and_continued_equals_a_straight_run(tmp_path, optimizer, mode):
    cfg = TrainConfig(optimizer=optimizer, mode=mode, lr=0.05)
    fit = PlaneFit(DATA, cfg, init_seed=3)
    losses = fit.steps(100)
    sf.save(tmp_path / "s.gdviz", fit, losses, generator={"points": 100, "noise": 0.0, "seed": 0})
    s = sf.load(tmp_path / "s.gdviz")
    again = sf.open_fit(s)
    np.testing.assert_array_equal(s.losses, losses)
    more = again.steps(100)
    straight = PlaneFit(DATA, cfg, init_seed=3)
    ref = straight.steps(200)
    np.testing.assert_array_equal(more, ref[100:])
    for k, v in straight.state().variables.items():
        np.testing.assert_array_equal(again.state().variables[k], v)


def test_loaded_data_sessions_keep_the_data_exactly(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("0.1,0.2,0.33\n0.5,0.1,0.41\n0.9,0.7,0.8\n0.3,0.3,0.45\n")
    data = load_csv(p).data
    fit = PlaneFit(data, TrainConfig())
    fit.steps(7)
    sf.save(tmp_path / "s.gdviz", fit, [])
    s = sf.load(tmp_path / "s.gdviz")
    np.testing.assert_array_equal(s.data.x, data.x)
    np.testing.assert_array_equal(s.data.y, data.y)
    assert s.state.step == 7


def test_newer_truncated_and_corrupt_sessions_are_refused(tmp_path):
    fit = PlaneFit(DATA, TrainConfig())
    fit.steps(3)
    good = tmp_path / "good.gdviz"
    sf.save(good, fit, [])
    text = good.read_text()
    d = json.loads(text)
    cases = {
        "newer": json.dumps({**d, "version": 99}),
        "truncated": text[: len(text) // 2],
        "not a session": json.dumps({"hello": 1}),
        "corrupt": json.dumps({**d, "state": {**d["state"], "variables": {"W": {"dtype": "float32", "shape": [1, 2],
                                                                                   "values": [1.0]}}}}),
    }
    expect = {"newer": "newer gdviz", "truncated": "truncated or corrupt", "not a session": "not a gdviz session",
              "corrupt": "corrupt"}
    for name, body in cases.items():
        p = tmp_path / f"{name}.gdviz"
        p.write_text(body)
        with pytest.raises(sf.SessionFileError, match=expect[name]):
            s = sf.load(p)
            sf.open_fit(s)
