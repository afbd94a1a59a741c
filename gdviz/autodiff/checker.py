"""Packaged gradient checker (placeholder, completed below)."""
def check_gradients(*a, **k):
    raise NotImplementedError
