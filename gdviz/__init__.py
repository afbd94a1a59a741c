"""gdviz: watch and steer gradient descent.

``gdviz.autodiff`` is a TensorFlow-1-style numpy autodiff (``import gdviz.autodiff as tf``),
``gdviz.training`` the plane-fit scenario built on it, ``gdviz.playground`` the
``tf.gradients`` playground model, and ``gdviz.gui`` the PySide6 desktop app.
"""

def _version() -> str:
    """The version in pyproject.toml (the one source of truth), as installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gdviz")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__version__ = _version()
