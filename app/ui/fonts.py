"""The bundled font (DejaVu Sans), registered once: plans and PDFs look the same on every machine.

Its own module so that the window (app.ui.application) and the plan's style can both use it without importing
each other.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QFontDatabase

from app.resources import data_path

BUNDLED_FONTS = ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")


@cache
def load_bundled_fonts() -> str:
    """Registers the bundled fonts (once); returns their family ("" if Qt could not read them)."""
    family = ""
    for name in BUNDLED_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(data_path(name)))
        families = QFontDatabase.applicationFontFamilies(font_id)
        family = family or (families[0] if families else "")
    return family
