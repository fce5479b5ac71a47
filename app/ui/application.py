"""Starting the desktop app: the QApplication, the bundled fonts, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMainWindow

from app.resources import data_path

BUNDLED_FONTS = ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")


def load_bundled_fonts() -> str:
    """Registers the bundled fonts, so screens and PDFs look the same on every machine; returns the family."""
    family = ""
    for name in BUNDLED_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(data_path(name)))
        families = QFontDatabase.applicationFontFamilies(font_id)
        family = family or (families[0] if families else "")
    return family


def run_app(data_dir: Path | None, demo: bool) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Backmap")
    app.setOrganizationName("Backmap")
    load_bundled_fonts()
    window = QMainWindow()
    window.setWindowTitle("Backmap")
    window.show()
    return app.exec()
