"""Suite-wide checks.

With ``GDVIZ_STRICT=1`` (set by ``scripts/test.sh``, which CI runs) the suite refuses to pass
unless every test really ran: no X server -> error at start; any skipped test -> failure.
"""

from __future__ import annotations

import os

import pytest

STRICT = os.environ.get("GDVIZ_STRICT") == "1"


def pytest_sessionstart(session: pytest.Session) -> None:
    # pytest-xvfb has started Xvfb (and set DISPLAY) in pytest_configure by now.
    if STRICT and not os.environ.get("DISPLAY"):
        raise pytest.UsageError(
            "GDVIZ_STRICT=1 but no X server: install Xvfb (scripts/setup.sh test does) so the "
            "GUI tests run under a real display"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not STRICT:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"GDVIZ_STRICT: {skipped} test(s) skipped; every test must run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
