"""Recordings: the chosen panel, one frame per k steps, written as GIF (Pillow) or MP4 (imageio's
ffmpeg, which ships its own binary) by imageio, with no hand-written encoder.

The recorder drives training itself with Step commands, so every frame shows exactly the step it
says, whatever the machine's speed: Step k times, wait for the Update that answers the last one,
grab the panel, repeat.  ``gdviz --record FILE --steps N`` and File → Record… both use it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

PANELS = ("window", "plane", "parameter space", "loss", "graph")
MAX_SIDE = 1600


def image_to_array(img: QImage) -> np.ndarray:
    """An RGB uint8 (h, w, 3) copy of ``img``."""
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * h).reshape(h, img.bytesPerLine())
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


def gif_delay_ms(fps: float) -> int:
    """The GIF frame delay for ``fps``, in ms: 1000/fps rounded to whole centiseconds (the unit GIF
    stores), and at least 20 ms, because browsers play a delay of 0 or 10 ms as 100 ms."""
    return max(2, round(100.0 / fps)) * 10


def open_writer(path: str, fps: float):
    """An imageio writer for .gif or .mp4; raises ValueError for anything else."""
    import imageio.v2 as imageio

    suffix = Path(path).suffix.lower()
    if suffix == ".gif":
        # imageio's Pillow plugin takes the delay in milliseconds (1/fps here wrote 0: as fast as
        # the viewer can); see gif_delay_ms for the centisecond rounding
        return imageio.get_writer(path, mode="I", duration=gif_delay_ms(fps), loop=0)
    if suffix == ".mp4":
        # macro_block_size 2: frames of any even size, no silent rescaling
        return imageio.get_writer(path, fps=fps, codec="libx264", quality=7, macro_block_size=2,
                                  ffmpeg_log_level="error")
    raise ValueError(f"{path}: record to a .gif or a .mp4 file")


class Recorder(QObject):
    """Records ``steps`` steps of ``window`` (a MainWindow), a frame every ``every`` steps.

    Signals: ``progress(done_steps, total)``, ``finished(message, ok)``.
    """

    progress = Signal(int, int)
    finished = Signal(str, bool)

    def __init__(self, window, path: str, steps: int, every: int = 1, fps: float = 10.0,
                 panel: str = "window", width: int | None = None):
        super().__init__(window)
        if panel not in PANELS:
            raise ValueError(f"panel must be one of {', '.join(PANELS)}")
        if steps < 1 or every < 1 or not 0 < fps <= 60:
            raise ValueError("steps and every must be >= 1, fps in (0, 60]")
        self.w, self.path, self.steps, self.every, self.fps = window, path, int(steps), int(every), float(fps)
        self.panel, self.width = panel, width
        self.frames = 0
        self._writer = None
        self._target = 0
        self._start = 0
        self._cancelled = False
        self._size = None

    def widget(self):
        t = self.w.plane_tab
        return {"window": self.w, "plane": t.plane_view, "parameter space": t.param_panel,
                "loss": t.loss_view, "graph": t.graph_view}[self.panel]

    def start(self) -> None:
        self._writer = open_writer(self.path, self.fps)       # ValueError for a bad suffix
        if self.panel == "parameter space":
            self.w.plane_tab.space_tabs.setCurrentWidget(self.w.plane_tab.param_panel)
        elif self.panel == "plane":
            self.w.plane_tab.space_tabs.setCurrentWidget(self.w.plane_view)
        self.w.controller.pause()
        last = self.w.controller.last_update()
        self._start = last.snapshot.step if last is not None else 0
        self._target = self._start
        self.w.controller.update_ready.connect(self._on_update)
        self._grab()
        self._advance()

    def cancel(self) -> None:
        self._cancelled = True

    def _advance(self) -> None:
        self._target += self.every
        for _ in range(self.every):
            self.w.controller.step()

    @Slot(object)
    def _on_update(self, u) -> None:
        if self._writer is None or u.snapshot.step < self._target:
            return
        self.w.plane_tab.flush()
        self._grab()
        done = u.snapshot.step - self._start
        self.progress.emit(done, self.steps)
        if self._cancelled or done >= self.steps or u.snapshot.diverged:
            why = "cancelled" if self._cancelled else ("diverged" if u.snapshot.diverged else "done")
            self._finish(why)
        else:
            self._advance()

    def _grab(self) -> None:
        img = self.widget().grab().toImage()
        if self.width:
            img = img.scaledToWidth(int(self.width))
        elif max(img.width(), img.height()) > MAX_SIDE:
            img = img.scaledToWidth(MAX_SIDE) if img.width() >= img.height() else img.scaledToHeight(MAX_SIDE)
        frame = image_to_array(img)
        if self._size is None:
            h, w = frame.shape[:2]
            self._size = (h - h % 2, w - w % 2)           # even sides for the video encoder
        h, w = self._size
        pad = np.zeros((h, w, 3), np.uint8)
        fh, fw = min(h, frame.shape[0]), min(w, frame.shape[1])
        pad[:fh, :fw] = frame[:fh, :fw]
        self._writer.append_data(pad)
        self.frames += 1

    def _finish(self, why: str) -> None:
        try:
            self.w.controller.update_ready.disconnect(self._on_update)
        except (RuntimeError, TypeError):
            pass
        writer, self._writer = self._writer, None
        try:
            writer.close()
        except Exception as e:        # a full disk, a closed pipe: say so, never claim success
            self.finished.emit(f"Could not write {self.path}: {e}", False)
            return
        self.finished.emit(f"Recorded {self.frames} frames ({why}) to {self.path}", True)
