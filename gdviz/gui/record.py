"""Recordings: the chosen panel, one frame per k steps, written as GIF (Pillow) or MP4 (imageio's
ffmpeg, which ships its own binary) by imageio, with no hand-written encoder.

The recorder drives training itself with Step commands, so every frame shows exactly the step it
says, whatever the machine's speed: Step k times, wait for the Update that answers the last one,
grab the panel, repeat.  ``gdviz --record FILE --steps N`` and File → Record… both use it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtGui import QImage

PANELS = ("window", "plane", "parameter space", "loss", "graph")
MAX_SIDE = 1600
# A GIF is written when it is closed: imageio's Pillow plugin keeps every frame (3 bytes a pixel)
# until then.  A recording that would hold more than this is refused up front (an MP4 streams its
# frames to ffmpeg and has no such bound).
GIF_MEMORY_BUDGET = 768 * 2**20


def check_target(path: str) -> None:
    """Raise ValueError, naming ``path``, unless a recording can be written there: a .gif/.mp4
    name, in a folder that exists, that is not itself a folder or a special file."""
    suffix = Path(path).suffix.lower()
    if not path or suffix not in (".gif", ".mp4"):
        raise ValueError(f"{path or '(no file name)'}: record to a .gif or a .mp4 file")
    target = Path(path).expanduser()
    folder = target.parent
    if not folder.is_dir():
        raise ValueError(f"{path}: the folder {folder} does not exist")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise ValueError(f"{path}: {e.strerror or e}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{path} is a folder: give a file name ending in {suffix}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{path} is not a regular file")
    if not os.access(folder, os.W_OK) or (st is not None and not os.access(target, os.W_OK)):
        raise ValueError(f"{path}: no permission to write there")


def gif_frames_fit(frames: int, height: int, width: int, budget: int = GIF_MEMORY_BUDGET) -> str | None:
    """None if ``frames`` GIF frames of ``height``×``width`` fit in memory, else why not."""
    need = frames * height * width * 3
    if need <= budget:
        return None
    most = max(1, budget // (height * width * 3))
    return (f"a GIF of {frames} frames of {width}×{height} would hold {need / 2**20:.0f} MB in memory "
            f"until it is written (at most {budget // 2**20} MB, {most} frames of this size): record "
            f"fewer frames (a frame every more steps), a smaller width, or an MP4")


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
    """An imageio writer for .gif or .mp4; raises ValueError for anything else (see check_target)."""
    import imageio.v2 as imageio

    check_target(path)
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
        self._pending: np.ndarray | None = None

    @property
    def active(self) -> bool:
        """True between start() and finished."""
        return self._writer is not None

    def widget(self):
        t = self.w.plane_tab
        return {"window": self.w, "plane": t.plane_view, "parameter space": t.param_panel,
                "loss": t.loss_view, "graph": t.graph_view}[self.panel]

    def start(self) -> None:
        """Check everything, open the file, grab the first frame and step on.

        Raises ValueError, with nothing changed, for a file that cannot be written, a GIF that
        would not fit in memory, or a file the writer cannot open.
        """
        check_target(self.path)
        if self.panel == "parameter space":
            self.w.plane_tab.space_tabs.setCurrentWidget(self.w.plane_tab.param_panel)
        elif self.panel == "plane":
            self.w.plane_tab.space_tabs.setCurrentWidget(self.w.plane_view)
        first = self._frame()
        frames = -(-self.steps // self.every) + 1
        if Path(self.path).suffix.lower() == ".gif":
            why = gif_frames_fit(frames, *first.shape[:2])
            if why is not None:
                raise ValueError(f"{self.path}: {why}")
        try:
            self._writer = open_writer(self.path, self.fps)
        except OSError as e:
            raise ValueError(f"Could not write {self.path}: {e.strerror or e}") from None
        self.w.controller.pause()
        last = self.w.controller.last_update()
        self._start = last.snapshot.step if last is not None else 0
        self._target = self._start
        self.w.controller.update_ready.connect(self._on_update)
        self.w.installEventFilter(self)         # closing the window ends the recording, and says so
        if self._append(first):
            self._advance()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.w and event.type() == QEvent.Type.Close and self._writer is not None:
            self._finish("interrupted: the window was closed", ok=False)
        return False

    def cancel(self) -> None:
        self._cancelled = True

    def _advance(self) -> None:
        self._target += self.every
        self.w.controller.step(self.every)      # one command for k steps, whatever k

    @Slot(object)
    def _on_update(self, u) -> None:
        if self._writer is None or u.snapshot.step < self._target:
            return
        self.w.plane_tab.flush()
        if not self._append(self._frame()):
            return
        done = u.snapshot.step - self._start
        self.progress.emit(done, self.steps)
        if self._cancelled or done >= self.steps or u.snapshot.diverged:
            why = "cancelled" if self._cancelled else ("diverged" if u.snapshot.diverged else "done")
            self._finish(why)
        else:
            self._advance()

    def _frame(self) -> np.ndarray:
        """The panel as it is drawn now, as an RGB array of the recording's (even) size."""
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
        return pad

    def _append(self, frame: np.ndarray) -> bool:
        """Write one frame; on a write error (a full disk, ffmpeg gone) end the recording, say so."""
        try:
            self._writer.append_data(frame)
        except (OSError, ValueError, RuntimeError) as e:
            self._finish("", ok=False, error=e)
            return False
        self.frames += 1
        return True

    def _finish(self, why: str, ok: bool = True, error: Exception | None = None) -> None:
        try:
            self.w.controller.update_ready.disconnect(self._on_update)
        except (RuntimeError, TypeError):
            pass
        self.w.removeEventFilter(self)
        writer, self._writer = self._writer, None
        try:
            writer.close()
        except Exception as e:        # a full disk, a closed pipe: say so, never claim success
            error = error or e
        if error is not None:
            # what is on disk is truncated: remove it rather than leave a file that looks finished
            Path(self.path).unlink(missing_ok=True)
            self.finished.emit(f"Could not write {self.path}: {getattr(error, 'strerror', None) or error} "
                               f"(nothing kept)", False)
            return
        self.finished.emit(f"Recorded {self.frames} frames ({why}) to {self.path}", ok)
