"""Fixtures shared by the core tests (no Qt here)."""

from __future__ import annotations

import pytest


@pytest.fixture
def fresh_graph():
    """A new, empty default graph for the test (TF1's ``tf.reset_default_graph()``)."""
    import gdviz.autodiff as tf

    tf.reset_default_graph()
    yield tf.get_default_graph()
