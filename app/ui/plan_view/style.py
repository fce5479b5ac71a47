"""Colours and type shared by the plan view, the map image and the PDF, so screen and paper match."""

from __future__ import annotations

import html
from collections.abc import Iterable
from functools import cache

from app.domain.plan_wording import PRESSURE_WORDS
from app.ui.fonts import load_bundled_fonts

# ColorBrewer YlGnBu, sequential and colour-blind safe (colorbrewer2.org), one shade per pressure level 0–5.
PRESSURE_COLOURS: dict[int, str] = {
    0: "#edf8b1",
    1: "#c7e9b4",
    2: "#7fcdbb",
    3: "#41b6c4",
    4: "#2c7fb8",
    5: "#253494",
}
INK = "#1d2433"
MUTED_INK = "#5a6272"
# Warm orange for "take care" boxes: it stays apart from the blue-green pressure shades for every common
# colour-vision deficiency, and the boxes carry a heading too, so colour is never the only cue.
CAUTION = "#b35806"
CAUTION_WASH = "rgba(230, 145, 56, 0.16)"
CAUTION_WASH_PRINT = "#fcebd9"
FALLBACK_FAMILY = "DejaVu Sans"


def badge_text_colour(level: int) -> str:
    """Dark numbers on the pale shades, white on the dark ones (contrast above 4.5:1 either way)."""
    return "#ffffff" if level >= 4 else INK


@cache
def font_family() -> str:
    """The bundled DejaVu Sans, registered once per process."""
    return load_bundled_fonts() or FALLBACK_FAMILY


def legend_html(levels: Iterable[int]) -> str:
    """The map's key (a swatch per pressure level used) as Qt rich text, for the screen and the PDF."""
    rows = "".join(
        f'<tr><td style="background-color:{PRESSURE_COLOURS[level]}" width="26">&nbsp;</td>'
        f"<td>&nbsp;&nbsp;{html.escape(PRESSURE_WORDS[level])} pressure</td></tr>"
        for level in levels
    )
    return (
        f'<table cellspacing="3" cellpadding="1">{rows}</table>'
        "<p>Seen from behind: your left side is on the left. Each number is the first step "
        "in that place; steps for your whole back are not drawn.</p>"
    )
