"""gdviz: watch and steer gradient descent.

``gdviz.autodiff`` is a TensorFlow-1-style numpy autodiff (``import gdviz.autodiff as tf``),
``gdviz.training`` the plane-fit scenario built on it, ``gdviz.playground`` the
``tf.gradients`` playground model, and ``gdviz.gui`` the PySide6 desktop app.
"""

__version__ = "0.1.0"
