"""Races: several rules from one start (gdviz.training.race) and ``gdviz --headless --race``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdviz.cli import main
from gdviz.training import OPTIMIZERS, PlaneFit, TrainConfig, make_plane_data
from gdviz.training.race import (RACER_DEFAULTS, Leaderboard, least_squares, make_racer, run_race,
                                 tf_equivalent_of_ng)

RULE = Path(__file__).resolve().parents[2] / "assets" / "rules" / "ng_momentum_bc.rule"


def race_json(capsys, *argv) -> dict:
    assert main(["--headless", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_each_racer_equals_a_single_run_bit_for_bit():
    data = make_plane_data()
    names = ["gd", "momentum", "nesterov-manual", "adam", "ng-momentum-bc"]
    racers = [make_racer(n) for n in names]
    _W0, _b0, _L, rows = run_race(racers, data, steps=150, init_seed=0, chunk=37)
    for racer, row in zip(racers, rows):
        fit = PlaneFit(data, racer.config, init_seed=0)
        fit.steps(150)
        W, b = fit.weights()
        assert row.W == (float(W[0, 0]), float(W[0, 1])) and row.b == float(b[0]), racer.name
        assert row.final_loss == fit.snapshot().loss


def test_ng_momentum_equals_tf_momentum_with_lr_alpha_times_one_minus_beta():
    alpha, beta = 0.5, 0.9
    lr, m = tf_equivalent_of_ng(alpha, beta)
    assert lr == pytest.approx(0.05) and m == beta
    ng = PlaneFit(config=make_racer("ng-momentum", lr=alpha, momentum=beta).config)
    tf = PlaneFit(config=TrainConfig(optimizer="momentum", lr=lr, momentum=m))
    for _ in range(40):
        ng.steps(5)
        tf.steps(5)
        np.testing.assert_allclose(ng.weights()[0], tf.weights()[0], rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(ng.weights()[1], tf.weights()[1], rtol=2e-5, atol=1e-6)


def test_bias_correction_makes_the_first_step_one_over_one_minus_beta_larger():
    plain = PlaneFit(config=make_racer("ng-momentum").config)
    bc = PlaneFit(config=make_racer("ng-momentum-bc").config)
    W0 = plain.weights()[0].astype(np.float64)
    plain.steps(1)
    bc.steps(1)
    step_plain = plain.weights()[0] - W0
    step_bc = bc.weights()[0] - W0
    np.testing.assert_allclose(step_bc, step_plain / (1 - 0.9), rtol=1e-4)
    for _ in range(300):            # ... and the correction fades: late steps agree
        plain.steps(1)
        bc.steps(1)
    np.testing.assert_allclose(bc.weights()[0], plain.weights()[0], atol=1e-4)


@pytest.mark.parametrize("name", [*OPTIMIZERS, "ng-momentum", "ng-momentum-bc"])
def test_every_default_makes_progress_on_the_default_data(name):
    fit = PlaneFit(config=make_racer(name).config)
    losses = fit.steps(2000)
    assert fit.diverged_at is None
    assert fit.snapshot().loss < 1e-3 * losses[0], (name, RACER_DEFAULTS[name.removesuffix("-manual")])


def test_json_contract_and_steps_to_tol(capsys):
    got = race_json(capsys, "--race", "gd,momentum,nesterov,rmsprop,adam", "--steps", "300")
    assert set(got) == {"start", "min_loss", "racers"}
    assert set(got["start"]) == {"W", "b"} and len(got["start"]["W"]) == 2
    theta, L = least_squares(make_plane_data())
    assert got["min_loss"] == pytest.approx(L, abs=1e-12)
    assert [r["name"] for r in got["racers"]] == ["gd", "momentum", "nesterov", "rmsprop", "adam"]
    for r in got["racers"]:
        assert set(r) == {"name", "steps_to_tol", "final_loss", "diverged_at", "W", "b"}
    gd = got["racers"][0]
    # steps_to_tol counts updates until loss - L* <= tol, recomputed from a single run
    fit = PlaneFit(config=TrainConfig(optimizer="gd", lr=0.5))
    losses = fit.steps(300)                       # losses of the states after 0 .. 299 updates
    expected = int(np.flatnonzero(losses - L <= 1e-6)[0])
    assert gd["steps_to_tol"] == expected
    np.testing.assert_allclose(gd["W"], theta[:2], atol=1e-4)
    assert gd["b"] == pytest.approx(theta[2], abs=1e-4)


def test_lr_and_momentum_when_typed_apply_to_every_racer(capsys):
    a = race_json(capsys, "--race", "gd,adam", "--steps", "20", "--lr", "0.05")
    b = race_json(capsys, "--race", "gd,adam", "--steps", "20")
    ra, rb = a["racers"], b["racers"]
    fit = PlaneFit(config=TrainConfig(optimizer="adam", lr=0.05))
    fit.steps(20)
    assert ra[1]["W"] == [float(w) for w in fit.weights()[0].ravel()]
    assert ra[0]["W"] != rb[0]["W"]            # gd's own default is 0.5


def test_a_diverging_racer_stops_and_the_others_go_on(capsys):
    got = race_json(capsys, "--race", "gd,adam", "--steps", "200", "--lr", "3")
    gd, adam = got["racers"]
    assert isinstance(gd["diverged_at"], int) and gd["final_loss"] is None and gd["steps_to_tol"] is None
    assert adam["diverged_at"] is None and adam["final_loss"] is not None


def test_rule_files_race_and_their_errors_name_the_file(capsys, tmp_path):
    got = race_json(capsys, "--race", "ng-momentum-bc", "--rule", str(RULE), "--steps", "100")
    builtin, from_file = got["racers"]
    assert from_file["name"] == "ng_momentum_bc.rule"
    assert from_file["W"] == builtin["W"] and from_file["b"] == builtin["b"]

    bad = tmp_path / "bad.rule"
    bad.write_text("W = W - lr * grad_Q\nb = b\n")
    assert main(["--headless", "--rule", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.rule" in err and "line 1, col 14" in err and "grad_Q" in err


@pytest.mark.parametrize("argv, words", [
    (["--headless", "--race", "gd,sgd"], "unknown racer 'sgd'"),
    (["--headless", "--race", "gd,gd,gd,gd,gd,gd,gd"], "1 to 6 racers"),
    (["--headless", "--rule", "/nonexistent.rule"], "no such rule file"),
    (["--headless", "--race", "ng-momentum", "--momentum", "0.99", "--lr", "0"], "--lr"),
])
def test_bad_races_exit_2_with_a_message(argv, words, capsys):
    try:
        code = main(argv)
    except SystemExit as e:   # argparse's own checks
        code = e.code
    assert code == 2
    assert words in capsys.readouterr().err


def test_race_needs_headless():
    p = subprocess.run([sys.executable, "-m", "gdviz", "--race", "gd"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and "--headless" in p.stderr and "Traceback" not in p.stderr


def test_text_leaderboard_ranks_by_arrival(capsys):
    assert main(["--headless", "--race", "gd,nesterov,rmsprop", "--steps", "300"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("race: 300 steps")
    ranked = [line.split()[1] for line in lines[2:]]
    assert ranked == ["nesterov", "gd", "rmsprop"]    # 34 < 72 steps; rmsprop never within 1e-6


def test_leaderboard_records_the_first_step_within_tolerance():
    board = Leaderboard(["a"], min_loss=1.0, tol=0.5)
    board.record(0, 10, np.array([3.0, 2.0, 1.4, 1.2]))
    board.record(0, 14, np.array([1.0]))
    assert board.reached == [12]
