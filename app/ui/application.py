"""Starting the desktop app: the QApplication, the bundled fonts, the data folder, the main window.

The first paint needs no numpy, shapely or svgelements: the map is drawn from the cached outlines and the
region map (hit test, neighbours) is loaded by MainWindow.warm_up right after the window is shown.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from app.domain.map_outlines import load_map_outlines
from app.domain.protocol import load_protocol
from app.errors import BackmapError
from app.resources import data_path, map_svg_path
from app.storage.location import resolve_data_dir
from app.storage.repository import Repository
from app.ui.body_map.view import RegionLocator
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings

BUNDLED_FONTS = ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")


def load_bundled_fonts() -> str:
    """Registers the bundled fonts, so screens and PDFs look the same on every machine; returns the family."""
    family = ""
    for name in BUNDLED_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(data_path(name)))
        families = QFontDatabase.applicationFontFamilies(font_id)
        family = family or (families[0] if families else "")
    return family


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("Backmap")
    app.setOrganizationName("Backmap")
    app.setApplicationDisplayName("Backmap")
    app.setDesktopFileName("backmap")  # Wayland matches the window to backmap.desktop by this
    family = load_bundled_fonts()
    if family and set(QFontDatabase.families()) <= {family}:
        app.setFont(QFont(family, 10))  # a machine with no fonts of its own (a bare Linux) would show boxes
    return app


def _load_locator() -> RegionLocator:
    from app.domain.regions import load_region_map  # numpy + shapely + svgelements: after the first paint

    locator: RegionLocator = load_region_map(map_svg_path())
    return locator


def _seed_demo(repository: Repository, today: dt.date) -> None:
    from app.domain.demo import demo_client
    from app.storage.client_file import ClientRecord

    client, intake, sessions = demo_client(today)
    repository.import_records([ClientRecord(client, (intake,), tuple(sessions))])


def create_main_window(data_dir: Path | None, demo: bool, settings: AppSettings | None = None) -> MainWindow:
    """Opens the data folder (a throwaway one for --demo) and builds the main window on it."""
    app = QApplication.instance()
    if demo:
        folder = Path(tempfile.mkdtemp(prefix="backmap-demo-"))
        if app is not None:
            app.aboutToQuit.connect(lambda: shutil.rmtree(folder, ignore_errors=True))
        # Nothing of the demo reaches the real settings either (window layout, last client).
        settings = AppSettings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    else:
        folder = resolve_data_dir(data_dir)
    repository = Repository.open(folder)
    if demo:
        _seed_demo(repository, dt.date.today())
    window = MainWindow(
        repository,
        load_protocol(),
        map_svg_path(),
        load_map_outlines(map_svg_path()).regions,
        _load_locator,
        settings or AppSettings(),
        demo=demo,
    )
    if demo:
        window.open_client(repository.list_clients()[0].id)
    return window


def run_app(data_dir: Path | None, demo: bool) -> int:
    app = create_application()
    try:
        window = create_main_window(data_dir, demo)
    except BackmapError as error:
        QMessageBox.critical(None, "Backmap", f"Backmap could not open its data: {error}")
        return 1
    window.show()
    QTimer.singleShot(0, window.warm_up)
    return app.exec()
