"""Recording writes a valid animated GIF and MP4 whose frames change, one frame per k steps."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.gui.record import Recorder
from tests.gui.windows import last


def read_frames(path):
    """Every frame, with the reader closed (imageio's ffmpeg reader otherwise leaks its pipe)."""
    import imageio.v2 as imageio

    with imageio.get_reader(str(path)) as r:
        return np.stack([np.asarray(f) for f in r])


# imageio's ffmpeg plugin (third-party, plugins/ffmpeg.py:520) leaves its pipe to the garbage
# collector when the writer/reader closes; that is reported as an unraisable ResourceWarning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("suffix,panel", [(".gif", "window"), (".mp4", "loss"), (".gif", "parameter space")])
def test_record_writes_frames_that_change(qtbot, window, tmp_path, suffix, panel):
    path = tmp_path / f"run{suffix}"
    rec = Recorder(window, str(path), steps=6, every=2, fps=5, panel=panel)
    with qtbot.waitSignal(rec.finished, timeout=30000) as done:
        rec.start()
    message, ok = done.args
    assert ok and "Recorded 4 frames" in message
    assert last(window).snapshot.step == 6
    frames = read_frames(path)
    assert frames.shape[0] == 4 and frames.ndim == 4
    assert any(not np.array_equal(frames[0], f) for f in frames[1:])


def test_a_bad_suffix_is_refused_before_anything_runs(qtbot, window, tmp_path):
    rec = Recorder(window, str(tmp_path / "run.avi"), steps=3)
    with pytest.raises(ValueError, match=".gif or a .mp4"):
        rec.start()
    assert last(window).snapshot.step == 0


def gif_durations(path):
    """Each frame's delay in ms, as a viewer reads it (GIF stores centiseconds)."""
    from PIL import Image

    with Image.open(path) as im:
        out = []
        for k in range(im.n_frames):
            im.seek(k)
            out.append(im.info.get("duration"))
        return out


@pytest.mark.parametrize("fps", [1, 5, 10, 25, 50])
def test_gif_frame_delay_follows_fps(tmp_path, fps):
    from gdviz.gui.record import open_writer

    path = tmp_path / "d.gif"
    writer = open_writer(str(path), fps)
    for k in range(3):
        writer.append_data(np.full((8, 8, 3), 80 * k, np.uint8))
    writer.close()
    durations = gif_durations(path)
    assert len(durations) == 3
    assert all(d is not None and abs(d - 1000 / fps) <= 10 for d in durations), durations


def test_gif_delay_above_50_fps_is_the_shortest_one_viewers_honour(tmp_path):
    # 60 fps = 16.7 ms is not a whole number of centiseconds; 0 or 1 cs is played as 100 ms (or
    # as fast as possible) by browsers, so the writer uses 2 cs, the fastest delay they keep
    from gdviz.gui.record import open_writer

    path = tmp_path / "d.gif"
    writer = open_writer(str(path), 60)
    for k in range(2):
        writer.append_data(np.full((8, 8, 3), 80 * k, np.uint8))
    writer.close()
    assert gif_durations(path) == [20, 20]


def test_recorded_gif_plays_at_the_chosen_fps(qtbot, window, tmp_path):
    path = tmp_path / "run.gif"
    rec = Recorder(window, str(path), steps=4, every=2, fps=4, panel="loss")
    with qtbot.waitSignal(rec.finished, timeout=30000) as done:
        rec.start()
    assert done.args[1]
    durations = gif_durations(path)
    assert len(durations) == 3
    assert all(d is not None and abs(d - 250) <= 10 for d in durations), durations


@pytest.mark.parametrize("where,match", [("missing/run.gif", "does not exist"), ("adir.gif", "is a folder")])
def test_an_unwritable_target_is_refused_before_anything_runs(qtbot, window, tmp_path, where, match):
    (tmp_path / "adir.gif").mkdir()
    rec = Recorder(window, str(tmp_path / where), steps=3)
    with pytest.raises(ValueError, match=match):
        rec.start()
    assert last(window).snapshot.step == 0 and not rec.active


def test_a_gif_that_would_not_fit_in_memory_is_refused(qtbot, window, tmp_path):
    rec = Recorder(window, str(tmp_path / "big.gif"), steps=100_000, every=1)
    with pytest.raises(ValueError, match="MP4"):
        rec.start()
    assert not (tmp_path / "big.gif").exists() and last(window).snapshot.step == 0


def test_a_write_error_ends_the_recording_with_a_message_and_no_file(qtbot, window, tmp_path, monkeypatch):
    import errno

    import gdviz.gui.record as record

    real = record.open_writer

    def full_disk(path, fps):
        w = real(path, fps)
        calls = {"n": 0}
        append = w.append_data

        def append_data(frame):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
            append(frame)
        w.append_data = append_data
        return w

    monkeypatch.setattr(record, "open_writer", full_disk)
    path = tmp_path / "run.gif"
    rec = Recorder(window, str(path), steps=6, every=2)
    with qtbot.waitSignal(rec.finished, timeout=30000) as done:
        rec.start()
    message, ok = done.args
    assert not ok and "No space left" in message and not path.exists() and not rec.active
