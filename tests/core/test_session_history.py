"""A session saved after more than 2^18 steps stores its loss history as it is (issue 26)."""

import json

import numpy as np

from gdviz import cli
from gdviz.training.history import LossHistory
from gdviz.training.session_file import load, save
from gdviz.training import TrainConfig
from gdviz.training.plane_fit import new_plane_fit

STEPS = (1 << 18) + 4001


def _history(n):
    h = LossHistory()
    h.extend(1.0 / (1.0 + np.arange(n, dtype=np.float64)))
    return h


def test_a_record_rebuilds_the_same_history():
    h = _history(STEPS)
    back = LossHistory.from_record(json.loads(json.dumps(h.to_record())))
    assert back.count == h.count
    for x0, x1 in ((0, STEPS), (0, 1000), (STEPS - 500, STEPS), (10**5, 2 * 10**5)):
        xa, ya = h.curve(x0, x1)
        xb, yb = back.curve(x0, x1)
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_allclose(ya, yb, rtol=1e-7)
    np.testing.assert_array_equal(back.exact(STEPS - 100, STEPS), h.exact(STEPS - 100, STEPS))
    back.extend([5.0] * 70)                           # it goes on like the original
    h.extend([5.0] * 70)
    np.testing.assert_allclose(back.curve()[1], h.curve()[1], rtol=1e-7)


def test_a_coarse_record_for_very_long_runs():
    h = _history(STEPS)
    rec = h.to_record(max_blocks=1000)
    assert len(rec["blocks"]) <= 2000 and rec["base"] > h.base
    back = LossHistory.from_record(rec)
    assert back.count == STEPS
    assert back.curve()[1].max() == 1.0                # losses[0] is in the first block's max


def test_a_long_session_keeps_its_history(tmp_path):
    fit = new_plane_fit(TrainConfig(), 100, 0.0, 0)
    h = LossHistory()
    h.extend(fit.steps(STEPS))
    path = tmp_path / "long.gdviz"
    save(path, fit, h, {"points": 100, "noise": 0.0, "seed": 0})
    s = load(path)
    assert s.history.count == s.state.step == STEPS
    first_block = s.history.curve(0, 64, max_points=2)[1]
    assert np.isclose(first_block.max(), h.curve(0, 64)[1].max(), rtol=1e-6)
    assert first_block.max() > 0.1                    # losses[0] is the start's loss, not a min


def test_short_sessions_keep_the_version_1_layout(tmp_path):
    fit = new_plane_fit(TrainConfig(), 100, 0.0, 0)
    h = LossHistory()
    h.extend(fit.steps(50))
    save(tmp_path / "s.gdviz", fit, h)
    d = json.loads((tmp_path / "s.gdviz").read_text())
    assert d["version"] == 1 and len(d["losses"]) == 50 and "history" not in d
    np.testing.assert_array_equal(load(tmp_path / "s.gdviz").losses, h.exact(0, 50))


def test_a_diverged_session_is_json_with_null(tmp_path):
    path = tmp_path / "d.gdviz"
    assert cli.main(["--headless", "--lr", "5", "--steps", "400", "--save-session", str(path)]) != 0
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    d = json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    assert d["losses"][-1] is None
    s = load(path)
    assert s.state.diverged_at is not None and not np.isfinite(s.losses[-1])


def test_race_json_writes_null_for_a_diverged_racer(capsys):
    assert cli.main(["--headless", "--race", "gd,momentum", "--lr", "5", "--steps", "300", "--json"]) == 0
    text = capsys.readouterr().out
    assert "NaN" not in text and "Infinity" not in text
    d = json.loads(text)
    assert set(d) == {"start", "min_loss", "racers"}
    assert all(set(r) == {"name", "steps_to_tol", "final_loss", "diverged_at", "W", "b"} for r in d["racers"])
    gone = [r for r in d["racers"] if r["diverged_at"] is not None]
    assert gone and all(r["final_loss"] is None for r in gone)


def test_json_safe_turns_every_non_finite_number_into_null():
    from gdviz.race_cli import json_safe

    got = json_safe({"a": [1.0, float("nan"), (np.float32("inf"), 2)], "b": {"c": -float("inf")}, "d": True})
    assert json.dumps(got, allow_nan=False) == '{"a": [1.0, null, [null, 2]], "b": {"c": null}, "d": true}'
