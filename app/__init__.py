"""Backmap: a clickable back map for massage therapists."""

__version__ = "0.1.0"
