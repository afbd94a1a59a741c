"""`--data`, `--save-session`, `--load-session` and `gdviz FILE`: the contracts scripts use."""

import numpy as np

from gdviz.cli import main
from gdviz.training import make_plane_data
from gdviz.training.datafile import save_csv


def lines(out):
    return [ln for ln in out.splitlines() if ln.strip()]


def numbers(line):
    return [float(t) for t in line.replace("[", " ").replace("]", " ").split()]


def test_data_file_trains_like_the_built_in_data(tmp_path, capsys):
    p = tmp_path / "tutorial.csv"
    save_csv(p, make_plane_data())
    assert main(["--headless", "--data", str(p), "--steps", "60"]) == 0
    from_file = lines(capsys.readouterr().out)
    assert main(["--headless", "--steps", "60"]) == 0
    built_in = lines(capsys.readouterr().out)
    assert len(from_file) == len(built_in) == 3
    for a, b in zip(from_file, built_in):
        np.testing.assert_array_equal(numbers(a), numbers(b))


def test_bad_data_file_exits_2_with_the_message(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("1,2,3\n4,x,6\n")
    assert main(["--headless", "--data", str(p)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, line 2, column 2" in err and "not a number" in err


def test_save_at_100_then_load_and_continue_equals_200(tmp_path, capsys):
    s = tmp_path / "run.gdviz"
    assert main(["--headless", "--optimizer", "adam", "--lr", "0.05", "--steps", "100", "--every", "50",
                 "--save-session", str(s)]) == 0
    capsys.readouterr()
    assert main(["--headless", "--load-session", str(s), "--steps", "100", "--every", "50"]) == 0
    continued = lines(capsys.readouterr().out)
    assert main(["--headless", "--optimizer", "adam", "--lr", "0.05", "--steps", "200", "--every", "50"]) == 0
    straight = lines(capsys.readouterr().out)
    assert continued == straight[2:]                  # steps 100 and 150, bit for bit
    assert main(["--headless", str(s), "--steps", "0"]) == 0        # gdviz FILE opens a session


def test_a_corrupt_session_exits_2(tmp_path, capsys):
    s = tmp_path / "bad.gdviz"
    s.write_text('{"format": "gdviz-session", "version": 7}')
    assert main(["--headless", "--load-session", str(s)]) == 2
    assert "newer gdviz" in capsys.readouterr().err
