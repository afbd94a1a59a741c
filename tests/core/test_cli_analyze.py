"""`gdviz --headless --analyze [--json]`: the contract scripts use."""

import json

import pytest

from gdviz.cli import main


def test_analyze_json_contract(capsys):
    assert main(["--headless", "--analyze", "--json", "--momentum", "0.5"]) == 0
    f = json.loads(capsys.readouterr().out)
    assert f["optimum"]["W"] == pytest.approx([0.1, 0.2], abs=1e-9) and f["optimum"]["b"] == pytest.approx(0.3)
    assert f["min_loss"] < 1e-20
    lam = f["hessian_eigenvalues"]
    assert len(lam) == 3 and lam == sorted(lam)
    assert f["condition_number"] == pytest.approx(lam[2] / lam[0])
    assert f["lr_limit"]["gd"] == pytest.approx(2 / lam[2])
    assert f["lr_limit"]["momentum"] == pytest.approx(2 * 1.5 / lam[2])          # for --momentum 0.5
    assert f["lr_limit"]["nesterov"] == pytest.approx(2 * 1.5 / (2 * lam[2]))
    assert f["lr_optimal"]["gd"] == pytest.approx(2 / (lam[0] + lam[2]))
    assert set(f["momentum_optimal"]) == {"lr", "momentum"}


def test_analyze_follows_the_data_options(capsys):
    main(["--headless", "--analyze", "--json"])
    a = json.loads(capsys.readouterr().out)
    main(["--headless", "--analyze", "--json", "--points", "40", "--noise", "0.1", "--seed", "3"])
    b = json.loads(capsys.readouterr().out)
    assert a["condition_number"] != b["condition_number"] and b["min_loss"] > 1e-4


def test_analyze_text_names_the_band_of_the_chosen_lr(capsys):
    main(["--headless", "--analyze", "--lr", "0.7"])
    out = capsys.readouterr().out
    assert "gd at lr 0.7: divergent" in out and "condition number" in out


def test_analyze_needs_headless(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--analyze"])
    assert e.value.code == 2 and "--headless" in capsys.readouterr().err
