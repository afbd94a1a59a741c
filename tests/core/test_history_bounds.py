"""Race histories and the parameter-space path stay bounded: bytes held per step stay under a
fixed bound however long the run (counted from the structures' own arrays, not RSS; no timing)."""

import numpy as np

from gdviz.training import make_plane_data
from gdviz.training.history import LossHistory, PathHistory
from gdviz.training.race_session import RaceSession, RacerSpec


def test_race_histories_hold_a_bounded_number_of_bytes():
    race = RaceSession(tuple(RacerSpec(k, lr=1e-3) for k in ("gd", "adam")), make_plane_data())
    losses = [LossHistory(recent=1 << 12) for _ in race.names]
    paths = [PathHistory(keep=256, recent=256) for _ in race.names]
    for _ in range(40):
        u = race.advance(250)
        for i, f in enumerate(u.racers):
            losses[i].extend(f.losses)
            paths[i].extend(f.path)
    assert race.step == 10_000
    # the path never grows past its (keep + recent) rows; the losses only by their envelope
    assert all(p.nbytes == (256 + 256) * 3 * 8 for p in paths)
    for h in losses:
        envelope = h.nbytes - h.recent * 8 - h.base * 8
        assert envelope <= 0.5 * h.count + 40 * 512    # <= 0.5 B per step, plus 512 B per level


def test_path_bytes_do_not_grow_with_steps():
    p = PathHistory(keep=64, recent=32)
    before = p.nbytes
    p.extend(np.random.default_rng(0).normal(size=(200_000, 3)))
    assert p.nbytes == before and len(p.points()) <= 65


def test_loss_history_bytes_per_step_stay_under_half_a_byte():
    h = LossHistory(base=64, recent=1 << 10)
    for _ in range(16):
        h.extend(np.ones(1 << 16))
    assert (h.nbytes - (1 << 10) * 8 - 64 * 8) / h.count <= 0.5
