"""The one exception family that carries a message meant for the user (CLI: stderr, exit 1; UI: a dialog)."""

from __future__ import annotations


class BackmapError(Exception):
    """Bad input or a state the user can fix; the message names the problem. Never a programming error."""
