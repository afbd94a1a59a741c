"""The Race tab: several update rules from one start, racing (issue 11)."""
