"""A settings file never stops the app: each bad value falls back to its default with a message,
the app trains, and a file gdviz cannot or must not write is reported, never overwritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from gdviz.gui.main_window import MainWindow
from tests.gui.windows import barrier, last, open_window


def _write(path: Path, **values) -> None:
    s = QSettings(str(path), QSettings.Format.IniFormat)
    for key, text in values.items():
        s.setValue(f"app/{key}", text)
    s.sync()


def _start(qtbot, fake_window_factories) -> MainWindow:
    w = MainWindow(session_factory=fake_window_factories[0], data_factory=fake_window_factories[1], start=False)
    return open_window(qtbot, w)


def _trains(qtbot, w) -> None:
    qtbot.mouseClick(w.controls.step_button, Qt.MouseButton.LeftButton)
    barrier(qtbot, w)
    assert last(w).snapshot.step == 1


@pytest.mark.parametrize("key,text,says,check", [
    # 5 000 nested lists: json.loads raised RecursionError and the app did not start
    ("points", "[" * 5_000 + "]" * 5_000, "nested too deeply", lambda w: last(w).data.points == 100),
    # ... and a value far longer than anything gdviz writes is not even parsed
    ("points", "[" * 100_000 + "]" * 100_000, "200000 characters", lambda w: last(w).data.points == 100),
    # a number saved as a string: TypeError, then a segfault
    ("config", json.dumps({"lr": "0.5", "optimizer": "momentum"}), "lr",
     lambda w: last(w).config.lr == 0.5 and last(w).config.optimizer == "momentum"),
    # an unknown node: the worker thread died and training was dead for good
    ("config", json.dumps({"mode": "manual", "stop_gradients": ["MatMul", "nope"]}), "no node named 'nope'",
     lambda w: last(w).config.stop_gradients == () and last(w).config.mode == "manual"),
    # out of the spin box's range: OverflowError
    ("seed", str(2**31), "seed must be in [0, 2147483647]", lambda w: last(w).data.seed == 0),
])
def test_a_bad_value_falls_back_with_a_message_and_the_app_trains(qtbot, isolated_settings, fake_window_factories,
                                                                  key, text, says, check):
    _write(isolated_settings, **{key: text})
    w = _start(qtbot, fake_window_factories)
    assert says in w.status.current_message() and "default" in w.status.current_message()
    assert check(w)
    _trains(qtbot, w)
    w.close()
    stored = QSettings(str(isolated_settings), QSettings.Format.IniFormat).value("app/config")
    assert "nope" not in str(stored)  # the bad value is not written back


def test_a_file_that_is_not_ini_is_reported_and_left_untouched(qtbot, isolated_settings, fake_window_factories,
                                                              capsys):
    isolated_settings.write_text("My notes, not a settings file.\nThey must survive gdviz.\n")
    before = isolated_settings.read_bytes()
    w = _start(qtbot, fake_window_factories)
    assert "is not a settings (ini) file" in w.status.current_message()
    w.controls.optimizer_form.lr.setValue(0.25)  # a change that would be saved
    _trains(qtbot, w)
    w.close()
    assert isolated_settings.read_bytes() == before
    assert "settings not saved" in capsys.readouterr().err


def test_a_directory_as_settings_path_is_reported(qtbot, tmp_path, monkeypatch, fake_window_factories, capsys):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    monkeypatch.setenv("GDVIZ_SETTINGS", str(folder))
    w = _start(qtbot, fake_window_factories)
    assert "cannot be read or written" in w.status.current_message()
    _trains(qtbot, w)
    w.close()
    assert "settings not saved" in capsys.readouterr().err and folder.is_dir()


def test_a_device_is_never_replaced_by_a_settings_file(qtbot, monkeypatch, fake_window_factories, capsys):
    """QSettings saves by renaming a new file over the old one: as root, GDVIZ_SETTINGS=/dev/null
    would have turned the device into a text file."""
    monkeypatch.setenv("GDVIZ_SETTINGS", os.devnull)
    w = _start(qtbot, fake_window_factories)
    assert "is not a regular file" in w.status.current_message()
    _trains(qtbot, w)
    w.close()
    assert not os.path.isfile(os.devnull)  # still a device
    assert "settings not saved" in capsys.readouterr().err


def test_a_save_that_does_not_reach_the_disk_is_reported(qtbot, tmp_path, monkeypatch, fake_window_factories,
                                                         capsys):
    folder = tmp_path / "settings"
    folder.mkdir()
    path = folder / "gdviz.ini"
    monkeypatch.setenv("GDVIZ_SETTINGS", str(path))
    w = _start(qtbot, fake_window_factories)
    assert w.status.current_message() == ""  # all well at launch
    path.unlink()
    folder.rmdir()
    folder.write_text("a file where the settings folder was")  # the disk now refuses the save
    w.controls.optimizer_form.lr.setValue(0.25)
    assert "could not save the settings" in w.status.current_message()
    w.close()
    assert "settings not saved" in capsys.readouterr().err
