"""Colours of the map: a colour-blind-safe sequential scale for tension, readable in light and dark mode."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

# ColorBrewer YlOrRd (9 classes), stretched to 0-10: a single-hue-family ramp stays ordered for every common
# colour-vision deficiency, and the number is drawn on each region too, so colour is never the only cue.
_YL_OR_RD = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026")

NOT_ASSESSED = QColor(0, 0, 0, 0)  # the map's own neutral fill shows through
NO_PRESSURE = QColor("#5b6b7a")  # spine and sacrum: slate, drawn hatched
# Left alone today by the safety screening (an injury, a skin condition): a cross-hatch, so not colour alone.
WITHHELD = QColor("#8e0152")
WITHHELD_PATTERN = Qt.BrushStyle.DiagCrossPattern
HOVER = QColor(40, 110, 200, 70)
SELECTED_PEN = QColor("#1f5fbf")
MARKED_PEN = QColor("#D55E00")  # Okabe–Ito vermilion: the regions a brush stroke just marked
OTHER_LAYER_PEN = QColor("#3b3b3b")
REGION_BORDER = QColor(70, 55, 45, 110)  # a quiet line, darker than the drawing's own, readable on every fill


def tension_colour(tension: int) -> QColor:
    """The fill for tension 0-10 (0 is the palest, not transparent: assessed-and-relaxed differs from unknown)."""
    if not 0 <= tension <= 10:
        raise ValueError(f"tension {tension} outside 0-10")
    position = tension * (len(_YL_OR_RD) - 1) / 10
    low = int(position)
    high = min(low + 1, len(_YL_OR_RD) - 1)
    fraction = position - low
    a, b = QColor(_YL_OR_RD[low]), QColor(_YL_OR_RD[high])
    colour = QColor(
        round(a.red() + (b.red() - a.red()) * fraction),
        round(a.green() + (b.green() - a.green()) * fraction),
        round(a.blue() + (b.blue() - a.blue()) * fraction),
    )
    colour.setAlpha(215)
    return colour


def text_colour_on(fill: QColor) -> QColor:
    """Black or white, whichever reads better on `fill` (WCAG relative luminance)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(fill.red()) + 0.7152 * channel(fill.green()) + 0.0722 * channel(fill.blue())
    return QColor("#000000") if luminance > 0.25 else QColor("#ffffff")


# The difference map: blue and orange stay apart for every common colour-vision deficiency; labels carry the numbers.
CHANGE_COLOURS = {
    "better": QColor(33, 102, 172, 200),
    "worse": QColor(224, 130, 20, 210),
    "same": QColor(170, 170, 170, 190),
}
