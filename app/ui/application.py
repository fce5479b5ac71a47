"""Starting the desktop app: the QApplication, the bundled fonts, the data folder, the main window.

The first paint needs no numpy, shapely or svgelements: the map is drawn from the cached outlines and the
region map (hit test, neighbours) is loaded by MainWindow.warm_up right after the window is shown.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

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
UNEXPECTED_ERROR_MESSAGE = (
    "Something went wrong inside Backmap. Everything saved before is safe on disk; "
    "the last thing you did may not have been saved. If it happens again, restart Backmap."
)


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
        import shutil
        import tempfile

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


def crash_report(kind: type[BaseException], trace: TracebackType | None) -> str:
    """What an unexpected error leaves behind: its type and the code locations, never its message.

    A message can quote client data (a name, a note) and stderr of a desktop app usually ends up in a
    persistent system log (journald, ~/.xsession-errors); code locations are enough to find the bug.
    """
    import traceback  # only when something went wrong: start-up does without it

    where = "".join(traceback.format_tb(trace)) if trace is not None else ""
    name = f"{kind.__module__}.{kind.__qualname__}"
    return f"backmap: unexpected error {name} (its message is withheld: it may hold client data)\n{where}"


def _report_unexpected_error(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    sys.stderr.write(crash_report(kind, trace))
    if QApplication.instance() is not None:
        QMessageBox.critical(None, "Backmap", UNEXPECTED_ERROR_MESSAGE)


def install_crash_handler() -> None:
    """Unexpected errors in the GUI: a plain dialog, and only a data-free report on stderr."""
    sys.excepthook = _report_unexpected_error


def run_app(data_dir: Path | None, demo: bool) -> int:
    app = create_application()
    install_crash_handler()
    try:
        window = create_main_window(data_dir, demo)
    except BackmapError as error:
        QMessageBox.critical(None, "Backmap", f"Backmap could not open its data: {error}")
        return 1
    window.show()
    QTimer.singleShot(0, window.warm_up)
    return app.exec()
