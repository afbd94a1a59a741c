"""The Parameter-space panel: the exact loss landscape, path, arrows, stability, time travel."""
