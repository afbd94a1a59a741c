"""TF1-style error types (``tf.errors``); each is also the matching Python built-in."""

from __future__ import annotations


class OpError(Exception):
    """Base of the runtime errors raised by ``Session.run``."""


class FailedPreconditionError(OpError, ValueError):
    """A variable was read before it was initialised."""


class InvalidArgumentError(OpError, ValueError):
    """A placeholder was not fed, or an op got values it cannot use."""
