"""The live race: lockstep racers equal single runs; presets teach what they claim."""

import numpy as np
import pytest

from gdviz.training import PlaneFit, make_plane_data
from gdviz.training.race_session import (PRESETS, RACER_COLOURS, RaceSession, RacerSpec, ewa, gradient_along,
                                         theta_of)

DATA = make_plane_data()


def test_each_racer_equals_a_single_run_bit_for_bit():
    specs = PRESETS["Five optimizers"] + (RacerSpec("adam-manual"),)
    race = RaceSession(specs, DATA)
    losses = [[] for _ in specs]
    for n in (1, 7, 32):
        u = race.advance(n)
        for i, f in enumerate(u.racers):
            losses[i].extend(f.losses)
    assert race.step == 40
    for i, spec in enumerate(specs):
        solo = PlaneFit(DATA, spec.racer().config, init_seed=0)
        solo_losses = solo.steps(40)
        np.testing.assert_array_equal(np.array(losses[i]), solo_losses)
        np.testing.assert_array_equal(theta_of(race.fits[i]), theta_of(solo))
        np.testing.assert_array_equal(u.racers[i].path[-1], theta_of(solo))


def test_the_path_is_every_state_after_each_update():
    race = RaceSession((RacerSpec("momentum"),), DATA)
    u = race.advance(5)
    solo = PlaneFit(DATA, RacerSpec("momentum").racer().config, init_seed=0)
    np.testing.assert_array_equal(race.start, theta_of(PlaneFit(DATA, solo.config, init_seed=0)))
    for j in range(5):
        solo.steps(1)
        np.testing.assert_array_equal(u.racers[0].path[j], theta_of(solo))
    assert u.racers[0].first == 0 and len(u.racers[0].losses) == 5


def test_the_tutorials_two_programs_never_differ():
    race = RaceSession(PRESETS["The tutorial's two programs"], DATA)
    for _ in range(5):
        u = race.advance(20)
    assert u.racers[1].distance == 0.0
    assert u.racers[0].standing.steps_to_tol == u.racers[1].standing.steps_to_tol == 72


def test_ng_momentum_equals_tf_momentum_and_bias_correction_differs_first():
    race = RaceSession(PRESETS["Ng vs TF momentum"], DATA)
    u = race.advance(60)
    tf, ng, bc = u.racers
    assert ng.distance < 1e-5                      # float32 rounding only
    np.testing.assert_allclose(ng.path, tf.path, atol=1e-5)
    first_gap = np.max(np.abs(bc.path[0] - tf.path[0]))
    assert first_gap > 10 * np.max(np.abs(ng.path[0] - tf.path[0]))


def test_learning_rate_preset_shows_the_stability_limit():
    race = RaceSession(PRESETS["Learning rates 0.1 / 0.5 / 0.65 / 0.7"], DATA)
    for _ in range(10):
        u = race.advance(50)
    by_lr = {s.label: f.standing for s, f in zip(race.specs, u.racers)}
    assert by_lr["gd lr=0.5"].steps_to_tol is not None
    assert by_lr["gd lr=0.65"].diverged_at is not None or by_lr["gd lr=0.65"].final_loss > 1
    assert by_lr["gd lr=0.7"].diverged_at is not None or by_lr["gd lr=0.7"].final_loss > 1


def test_a_race_ends_when_everyone_arrived_or_diverged():
    race = RaceSession((RacerSpec("gd"), RacerSpec("gd", lr=5.0, label="too fast")), DATA)
    for _ in range(100):
        u = race.advance(10)
        if u.finished:
            break
    assert u.finished
    assert u.racers[1].standing.diverged_at is not None
    assert u.racers[0].standing.steps_to_tol == 72


def test_bad_racers_are_refused_before_anything_runs():
    with pytest.raises(ValueError, match="unknown racer"):
        RaceSession((RacerSpec("sgd"),), DATA)
    with pytest.raises(ValueError, match="1 to 6"):
        RaceSession(tuple(RacerSpec("gd") for _ in range(7)), DATA)
    from gdviz.playground.exprlang import ExprError
    with pytest.raises(ExprError) as e:
        RaceSession((RacerSpec("rule", rule="W = W - lr * grad_Q\nb = b\n"),), DATA)
    assert e.value.line == 1


def test_duplicate_names_are_told_apart():
    race = RaceSession((RacerSpec("gd"), RacerSpec("gd")), DATA)
    assert race.names == ("gd", "gd (2)")
    assert len(RACER_COLOURS) == 6 and len(set(RACER_COLOURS)) == 6


def test_effective_hyper_parameters():
    assert RacerSpec("momentum").effective() == (0.05, 0.9)
    assert RacerSpec("adam", lr=0.2).effective() == (0.2, None)
    assert RacerSpec("ng-momentum-bc", momentum=0.5).effective() == (0.5, 0.5)


def test_gradient_along_matches_the_engine():
    fit = PlaneFit(DATA, RacerSpec("gd").racer().config, init_seed=0)
    fit.steps(3)
    snap = fit.snapshot()
    g = gradient_along(theta_of(fit)[None, :], DATA)[0]
    np.testing.assert_allclose(g[:2], np.ravel(snap.grad_W), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(g[2], np.ravel(snap.grad_b)[0], rtol=1e-4, atol=1e-6)


def test_ewa_is_the_course_formula():
    g = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(ewa(g, 0.5), [0.5, 1.25, 2.125])
    np.testing.assert_allclose(ewa(g, 0.5, bias_correction=True), [1.0, 1.25 / 0.75, 2.125 / 0.875])
    np.testing.assert_allclose(ewa(np.full(200, 4.0), 0.9, bias_correction=True), 4.0)
    with pytest.raises(ValueError):
        ewa(g, 1.0)
