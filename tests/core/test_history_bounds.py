"""Race histories and the parameter-space path stay bounded: bytes held per step shrink toward 0
however long the run (counted from the structures' own arrays, not RSS; no timing)."""

import numpy as np

from gdviz.training import make_plane_data
from gdviz.training.history import LossHistory, PathHistory
from gdviz.training.race_session import RaceSession, RacerSpec


def test_race_histories_hold_a_bounded_number_of_bytes():
    race = RaceSession(tuple(RacerSpec(k, lr=1e-3) for k in ("gd", "adam")), make_plane_data())
    losses = [LossHistory(recent=1 << 12) for _ in race.names]
    paths = [PathHistory(keep=256, recent=256) for _ in race.names]
    sizes = []
    for _ in range(40):
        u = race.advance(250)
        for i, f in enumerate(u.racers):
            losses[i].extend(f.losses)
            paths[i].extend(f.path)
        sizes.append(sum(h.nbytes for h in (*losses, *paths)))
    assert race.step == 10_000
    # the path never grows past its (keep + recent) rows; the losses only by their envelope
    assert all(p.nbytes == (256 + 256) * 3 * 8 for p in paths)
    envelope = sizes[-1] - sizes[0]
    assert envelope <= 0.5 * 10_000 * len(losses)          # <= 0.5 B per step and racer


def test_path_bytes_do_not_grow_with_steps():
    p = PathHistory(keep=64, recent=32)
    before = p.nbytes
    p.extend(np.random.default_rng(0).normal(size=(200_000, 3)))
    assert p.nbytes == before and len(p.points()) <= 65


def test_loss_history_bytes_per_step_shrink():
    h = LossHistory(base=64, recent=1 << 10)
    h.extend(np.ones(1 << 20))
    assert (h.nbytes - (1 << 10) * 8 - 64 * 8) / (1 << 20) <= 0.5
