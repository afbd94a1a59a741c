"""The loss history: bounded memory, O(max_points) curves, every spike kept, exact where recent."""

import numpy as np
import pytest

from gdviz.training.history import LossHistory


def _fed(values, chunks):
    h = LossHistory(base=32, recent=4096)
    i = 0
    for c in chunks:
        h.extend(values[i:i + c])
        i += c
    h.extend(values[i:])
    return h


def test_recent_losses_are_exact_and_old_ones_are_not_claimed():
    v = np.random.default_rng(0).random(10_000)
    h = _fed(v, [1, 5, 100, 37])
    np.testing.assert_array_equal(h.exact(9_000, 10_000), v[9_000:])
    assert h.exact(0, 10) is None                      # outside the recent window
    x, y = h.curve(9_500, 10_000, max_points=2000)
    np.testing.assert_array_equal(x, np.arange(9_500, 10_000))
    np.testing.assert_array_equal(y, v[9_500:])


@pytest.mark.parametrize("chunks", [[10_000_000], [1] * 50 + [7] * 100 + [33] * 300, [31, 32, 33, 64, 65, 1000]])
def test_envelope_is_the_block_min_and_max_however_it_was_fed(chunks):
    v = np.random.default_rng(1).standard_normal(40_000)
    h = _fed(v, chunks)
    x, y = h.curve(0, 40_000, max_points=1000)
    assert len(x) <= 1000 + 64
    size = int(x[2] - x[0])                            # block size of the level chosen
    blocks = v[: 40_000 // size * size].astype(np.float32).reshape(-1, size)
    got = y[: 2 * len(blocks)].reshape(-1, 2)
    np.testing.assert_array_equal(got[:, 0], blocks.min(axis=1))
    np.testing.assert_array_equal(got[:, 1], blocks.max(axis=1))


def test_every_spike_is_kept_at_any_zoom():
    v = np.full(1_000_000, 0.5)
    spikes = [12_345, 500_001, 999_999]
    v[spikes] = [7.0, -3.0, 9.0]
    h = LossHistory()
    for i in range(0, len(v), 4096):
        h.extend(v[i:i + 4096])
    for x0, x1 in [(0, 1_000_000), (400_000, 600_000), (12_000, 13_000)]:
        x, y = h.curve(x0, x1, max_points=2000)
        assert len(x) <= 2100
        inside = [s for s in spikes if x0 <= s < x1]
        for s in inside:
            assert v[s] in y, (x0, x1, s)


def test_memory_is_bounded_by_the_envelope():
    h = LossHistory(base=64, recent=1 << 16)
    block = np.linspace(1, 2, 1 << 16)
    for _ in range(160):                               # ~10^7 steps
        h.extend(block)
    per_step = (h.nbytes - (1 << 16) * 8) / h.count
    assert per_step <= 0.5                             # 10^8 steps in <= 50 MB, slack included


def test_non_finite_losses_are_shown_not_hidden():
    v = np.ones(1000)
    v[500] = np.nan
    v[700] = np.inf
    h = LossHistory(base=32, recent=64)
    h.extend(v)
    x, y = h.curve(0, 1000, max_points=100)
    assert np.inf in y and not np.isnan(y).any()       # a NaN does not blank its block


def test_clear_and_bad_base():
    h = LossHistory()
    h.extend([1.0, 2.0])
    h.clear()
    assert h.count == 0 and len(h.curve()[0]) == 0
    with pytest.raises(ValueError):
        LossHistory(base=30)


@pytest.mark.parametrize("cut", [0, 1, 63, 64, 1000, 4095, 9_999])
def test_truncate_then_refeed_equals_feeding_the_new_history(cut):
    rng = np.random.default_rng(2)
    old, new = rng.random(10_000), rng.random(3_000)
    h = LossHistory(base=64, recent=1 << 14)
    h.extend(old)
    assert h.truncate(cut) == cut
    h.extend(new)
    ref = LossHistory(base=64, recent=1 << 14)
    ref.extend(np.concatenate([old[:cut], new]))
    for x0, x1, mp in [(0, None, 500), (0, None, 20_000), (cut, cut + 100, 2000)]:
        a, b = h.curve(x0, x1, mp), ref.curve(x0, x1, mp)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


def test_truncate_far_back_drops_to_a_block_boundary():
    h = LossHistory(base=64, recent=256)
    h.extend(np.arange(10_000.0))
    assert h.truncate(1000) == 960                       # step 1000's block is no longer exact


def test_truncate_never_claims_overwritten_losses_as_exact():
    v = np.arange(10_000.0)
    h = LossHistory(base=64, recent=4096)
    h.extend(v)
    h.truncate(8_000)
    assert h.exact(4_000, 4_100) is None                  # its ring slots hold steps 8096..8195
    np.testing.assert_array_equal(h.exact(6_000, 8_000), v[6_000:8_000])


def test_losses_beyond_float32_show_as_infinite_in_the_envelope():
    h = LossHistory(base=64, recent=64)
    h.extend(np.r_[np.ones(100), 1e300, np.ones(100)])
    x, y = h.curve(0, 201, max_points=10)
    assert np.inf in y


def test_path_history_keeps_every_stride_th_row_and_the_newest():
    from gdviz.training.history import PathHistory

    rows = np.stack([np.arange(100_003.0)] * 3, axis=1)
    p = PathHistory(keep=64, recent=16)
    for c in (1, 5, 700, 33, 99_264):
        p.extend(rows[p.count:p.count + c])
    assert p.count == 100_003
    pts = p.points()
    assert len(pts) <= 65 and pts[0, 0] == 0 and pts[-1, 0] == 100_002
    steps = pts[:-1, 0]
    assert np.all(steps % p.stride == 0) and np.all(np.diff(steps) == p.stride)
    np.testing.assert_array_equal(p.last(16)[:, 0], np.arange(99_987, 100_003))
    assert p.nbytes == (64 + 16) * 3 * 8


def test_path_history_truncate_keeps_the_rows_before():
    from gdviz.training.history import PathHistory

    rows = np.arange(60, dtype=np.float64).reshape(20, 3)
    p = PathHistory(keep=8, recent=6)
    p.extend(rows)
    p.truncate(17)
    assert p.count == 17
    np.testing.assert_array_equal(p.last(6), rows[14:17])   # only what the ring still holds
    p.extend(rows[17:19])
    np.testing.assert_array_equal(p.last(6), rows[14:19])
    pts = p.points()
    np.testing.assert_array_equal(pts[-1], rows[18])
    assert all(any(np.array_equal(r, q) for q in rows[:19]) for r in pts)
