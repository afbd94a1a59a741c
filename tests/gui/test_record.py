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
