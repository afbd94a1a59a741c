"""`--data FILE` (or the file as a positional argument) is used by `--analyze` and `--race` too
(issue 20.5): they reported on the built-in data without a word."""

import json

import numpy as np
import pytest

from gdviz.cli import main

# y = 2*x1 - 1*x2 + 5 exactly, on 7 points: nothing like the built-in data (W [0.1, 0.2], b 0.3)
ROWS = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (0.5, 3.0), (3.0, 2.0)]


def csv_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("x1,x2,y\n" + "".join(f"{a},{b},{2 * a - b + 5}\n" for a, b in ROWS), encoding="utf-8")
    return path


def least_squares():
    x = np.array(ROWS)
    A = np.column_stack([x, np.ones(len(x))])
    y = 2 * x[:, 0] - x[:, 1] + 5
    return np.linalg.lstsq(A, y, rcond=None)[0]


@pytest.mark.parametrize("how", ["--data", "positional"])
def test_analyze_json_reports_on_the_loaded_data(tmp_path, capsys, how):
    path = str(csv_file(tmp_path))
    argv = ["--headless", "--analyze", "--json"] + (["--data", path] if how == "--data" else [path])
    assert main(argv) == 0
    f = json.loads(capsys.readouterr().out)
    w1, w2, b = least_squares()
    assert f["optimum"]["W"] == pytest.approx([w1, w2], abs=1e-5)
    assert f["optimum"]["b"] == pytest.approx(b, abs=1e-5)
    assert f["min_loss"] == pytest.approx(0.0, abs=1e-8)
    # the contract's keys are unchanged
    main(["--headless", "--analyze", "--json"])
    assert set(json.loads(capsys.readouterr().out)) == set(f)


def test_analyze_text_names_the_file_and_its_point_count(tmp_path, capsys):
    path = csv_file(tmp_path)
    assert main(["--headless", "--analyze", "--data", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"data: {path} ({len(ROWS)} points)"
    assert "W = [2, -1], b = 5" in out


@pytest.mark.parametrize("how", ["--data", "positional"])
def test_race_json_runs_on_the_loaded_data(tmp_path, capsys, how):
    path = str(csv_file(tmp_path))
    argv = ["--headless", "--race", "adam,gd", "--lr", "0.05", "--steps", "4000", "--json"]
    argv += ["--data", path] if how == "--data" else [path]
    assert main(argv) == 0
    r = json.loads(capsys.readouterr().out)
    assert set(r) == {"start", "min_loss", "racers"}
    assert r["min_loss"] == pytest.approx(0.0, abs=1e-8)
    adam = r["racers"][0]
    assert adam["name"] == "adam" and adam["diverged_at"] is None
    w1, w2, b = least_squares()
    assert adam["W"] == pytest.approx([w1, w2], abs=0.05) and adam["b"] == pytest.approx(b, abs=0.1)


def test_race_text_names_the_file(tmp_path, capsys):
    path = csv_file(tmp_path)
    assert main(["--headless", "--race", "gd", "--lr", "0.05", "--steps", "10", "--data", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"data: {path} ({len(ROWS)} points)"


def test_analyze_uses_a_loaded_sessions_data(tmp_path, capsys):
    data, session = csv_file(tmp_path), tmp_path / "s.gdviz"
    assert main(["--headless", "--data", str(data), "--lr", "0.05", "--steps", "3",
                 "--save-session", str(session)]) == 0
    capsys.readouterr()
    assert main(["--headless", "--analyze", "--json", str(session)]) == 0
    f = json.loads(capsys.readouterr().out)
    assert f["optimum"]["b"] == pytest.approx(least_squares()[2], abs=1e-5)


@pytest.mark.parametrize("mode", [["--analyze"], ["--race", "gd"]])
def test_a_bad_data_file_exits_2_with_its_name(tmp_path, capsys, mode):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,y\n1,2,oops\n", encoding="utf-8")
    assert main(["--headless", *mode, "--data", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "bad.csv" in captured.err


@pytest.mark.parametrize("mode,extra,why", [
    (["--race", "gd"], ["--load-session", "s.gdviz"], "--load-session"),
    (["--race", "gd"], ["--save-session", "s.gdviz"], "--save-session"),
    (["--analyze"], ["--save-session", "s.gdviz"], "--save-session"),
    (["--analyze"], ["--record", "r.gif"], "--record"),
    (["--race", "gd"], ["--record", "r.gif"], "--record"),
])
def test_options_a_report_cannot_honour_are_refused(tmp_path, capsys, mode, extra, why):
    with pytest.raises(SystemExit) as e:
        main(["--headless", *mode, *[str(tmp_path / a) if a.endswith(("gdviz", "gif")) else a for a in extra]])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert why in err and "cannot" in err
    assert list(tmp_path.iterdir()) == []
