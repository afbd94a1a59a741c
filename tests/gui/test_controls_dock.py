"""Issue 20.3: quitting on another tab must not lose the Controls dock at the next launch."""

from __future__ import annotations

from gdviz.gui.main_window import MainWindow
from tests.gui.windows import open_window


def make(qtbot, factories):
    session_factory, data_factory = factories
    return open_window(qtbot, MainWindow(session_factory=session_factory, data_factory=data_factory, start=False))


def test_quit_on_the_race_tab_then_relaunch_shows_the_controls(qtbot, isolated_settings, fake_window_factories):
    w = make(qtbot, fake_window_factories)
    w.tabs.setCurrentWidget(w.race_tab)
    assert not w.dock.isVisible()
    assert not w.dock.toggleViewAction().isEnabled()     # the controls belong to the plane fit
    w.close()
    assert isolated_settings.exists()
    w2 = make(qtbot, fake_window_factories)
    assert w2.tabs.currentIndex() == 0
    assert w2.dock.isVisible()
    assert w2.dock.toggleViewAction().isEnabled() and w2.dock.toggleViewAction().isChecked()
    w2.close()


def test_view_controls_hides_and_shows_the_dock_and_tabs_keep_the_choice(qtbot, fake_window_factories):
    w = make(qtbot, fake_window_factories)
    act = w.dock.toggleViewAction()
    assert act.isEnabled() and w.dock.isVisible()
    act.trigger()
    assert not w.dock.isVisible()
    w.tabs.setCurrentWidget(w.race_tab)
    w.tabs.setCurrentIndex(0)
    assert not w.dock.isVisible()                        # hidden by the learner: stays hidden
    act.trigger()
    assert w.dock.isVisible()
    w.close()
