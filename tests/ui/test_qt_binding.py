"""The Qt binding itself: PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a method that
returns nothing, and the interpreter aborts ("Fatal Python error: none_dealloc") once None's count runs out:
in the app, after about 180 hovers over the map. pyproject.toml keeps that release out."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor

CALLS = 200  # enough to tell; few enough that a broken binding fails this test without aborting the run


def test_a_qt_call_that_returns_nothing_leaves_nones_reference_count_alone() -> None:
    colour = QColor("#fc4e2a")
    before = sys.getrefcount(None)
    for alpha in range(CALLS):
        colour.setAlpha(alpha % 256)
    # Other code may take or drop a few references meanwhile; the broken binding drops one per call.
    assert abs(sys.getrefcount(None) - before) < CALLS // 10
