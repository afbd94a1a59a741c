"""The gradients playground: a safe expression language, its model and presets (no Qt)."""
