"""Starting the desktop app: the QApplication, the bundled fonts, the data folder, the main window.

Start-up comes in four steps, each after the one before is on screen: the window's frame saying the records are
opening (Qt, the settings and this module only); then the records and the client list; then the knowledge base
and the rest of the workspace; then the last client and the map's locator (from the cached outlines: numpy, shapely
and svgelements wait for the first brush stroke) before the first click. Tests and scripts get it all at once
from create_main_window.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import BackmapError
from app.resources import map_svg_path
from app.ui.fonts import load_bundled_fonts
from app.ui.main_window import MainWindow
from app.ui.settings import AppSettings

if TYPE_CHECKING:
    import datetime as dt

    from app.storage.keys import DatabaseKey
    from app.storage.record_store import RecordStore
    from app.ui.clients.client_list import ClientListPane
    from app.ui.workspace.widget import Workspace

# Set, the app quits with status 0 once it has started (window painted, records open, map locator attached):
# the smoke check of a built app (packaging/build) has no one to close the window.
QUIT_WHEN_STARTED_ENV = "BACKMAP_QUIT_WHEN_STARTED"
UNEXPECTED_ERROR_MESSAGE = (
    "Something went wrong inside Backmap. Everything saved before is safe on disk; "
    "the last thing you did may not have been saved. If it happens again, restart Backmap."
)


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    # Qt's raster engine hands a large fill (a gradient, a big shape) to a pool of threads and waits for them: for
    # this window's small repaints the hand-off costs more than the fill, on a laptop's few cores most of all (a
    # tension key's repaint 0.77 -> 0.57 ms, History's paint halved on two busy cores). Qt's own switch, read when
    # the pool is first wanted; a value the user set stands.
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("Backmap")
    app.setOrganizationName("Backmap")
    app.setApplicationDisplayName("Backmap")
    app.setDesktopFileName("backmap")  # Wayland matches the window to backmap.desktop by this
    # A machine with no fonts of its own (a bare Linux) would show boxes: the bundled font becomes the app's.
    # Elsewhere the plan and its PDF register it when they first need it (app.ui.plan_view.style.font_family).
    if not QFontDatabase.families():
        family = load_bundled_fonts()
        if family:
            app.setFont(QFont(family, 10))
    return app


def _seed_demo(repository: RecordStore, today: dt.date) -> None:
    from app.domain.demo import demo_client
    from app.storage.client_file import ClientRecord

    client, intakes, sessions = demo_client(today)
    repository.import_records([ClientRecord(client, intakes, tuple(sessions))])


def _open_records(
    data_dir: Path | None,
    demo: bool,
    read_only_reason: str | None = None,
    key: DatabaseKey | None = None,
    database: str | None = None,
) -> RecordStore:
    """The records: the data folder's, the demo's seeded ones, or the clinic server's when `database` names it."""
    # Loaded here, after the frame's first paint: together they take longer than all of Qt's start-up.
    import datetime as dt

    from app.storage.location import resolve_data_dir
    from app.storage.sqlite_store import SqliteStore

    repository: RecordStore
    if database is not None:
        from app.storage.postgres.store import PostgresStore

        repository = PostgresStore.connect(database)
    else:
        repository = SqliteStore.open(resolve_data_dir(data_dir), read_only_reason=read_only_reason, key=key)
    if demo:
        _seed_demo(repository, dt.date.today())
    return repository


def _client_list(repository: RecordStore) -> ClientListPane:
    from app.ui.clients.client_list import ClientListPane

    return ClientListPane(repository.search_clients)


def _workspace(
    repository: RecordStore, settings: AppSettings, demo: bool, clients: ClientListPane | None = None
) -> Workspace:
    """The knowledge base and the workspace on the records, around `clients` if the window already shows them."""
    from app.domain.map_outlines import OutlineLocator
    from app.domain.protocol import load_protocol
    from app.storage.map_cache import load_map_outlines
    from app.ui.workspace.widget import Workspace

    regions = load_map_outlines(map_svg_path()).regions
    workspace = Workspace(
        repository,
        load_protocol(),
        map_svg_path(),
        regions,
        lambda: OutlineLocator(regions, map_svg_path()),
        settings,
        demo=demo,
        clients=clients,
    )
    if demo:
        workspace.decisions.open_client(repository.list_clients()[0].id)
    return workspace


def _demo_folder() -> Path:
    """A throwaway data folder for --demo, removed when the app quits."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="backmap-demo-"))
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(lambda: shutil.rmtree(folder, ignore_errors=True))
    return folder


def _frame(
    data_dir: Path | None,
    demo: bool,
    settings: AppSettings | None,
    read_only_reason: str | None = None,
    database: str | None = None,
) -> tuple[MainWindow, Callable[[DatabaseKey | None], RecordStore]]:
    """The main window's frame, and how to open its records with a key (on a demo's own folder and settings)."""
    if demo:
        data_dir = _demo_folder()
        # Nothing of the demo reaches the real settings either (window layout, last client).
        settings = AppSettings(QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings or AppSettings(), demo=demo)
    if not demo:
        window.workspaceAttached.connect(lambda: _offer_clinic(window))
    return window, lambda key: _open_records(data_dir, demo, read_only_reason, key, database)


def _offer_clinic(window: MainWindow) -> None:
    """File → Connect to clinic server… and, on a server, hearing others' changes (app.ui.clinic)."""
    from app.ui.clinic.actions import install  # with the workspace, after the first paint

    install(window, lambda conninfo: create_main_window(None, False, window.settings, database=conninfo))


def create_main_window(
    data_dir: Path | None,
    demo: bool,
    settings: AppSettings | None = None,
    key: DatabaseKey | None = None,
    database: str | None = None,
) -> MainWindow:
    """The main window with its workspace open on the data folder (a throwaway one for --demo) or the clinic
    server `database` names, not yet shown."""
    window, open_records = _frame(data_dir, demo, settings, database=database)
    try:
        window.attach(_workspace(open_records(key), window.settings, demo))
    except BackmapError:
        window.deleteLater()  # a frame whose records did not open (a clinic server refused): never shown
        raise
    window.workspace.decisions.open_last_client()
    return window


class _AfterFirstPaint(QObject):
    """Runs `then` once, in the event loop's turn after `widget` first painted (its frame is on screen)."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def start_main_window(
    data_dir: Path | None,
    demo: bool,
    settings: AppSettings | None = None,
    read_only_reason: str | None = None,
    key: DatabaseKey | None = None,
    database: str | None = None,
) -> MainWindow:
    """Shows the frame now; opens the records and shows the client list after its first paint; once the list is on
    screen, the rest of the workspace; once that is, the last client (unless the therapist already chose one), then
    the map's locator, then the full integrity check in the background (after the window is usable, so it costs
    the therapist nothing).

    If the records cannot be opened, the therapist is told why and the app ends with status 1.
    `read_only_reason`: open the records read-only, with a banner saying why. `key`: encrypted records' key.
    `database`: the clinic server's connection string, instead of the data folder.
    """
    window, open_records = _frame(data_dir, demo, settings, read_only_reason, database)
    chosen_early: list[str] = []  # a client chosen on the list before the workspace took it over

    def choose_early(client_id: str) -> None:
        chosen_early.append(client_id)

    def give_up(error: BackmapError) -> None:
        _cannot_open(window, error)
        QApplication.exit(1)

    def show_the_list() -> None:
        try:
            repository = open_records(key)
        except BackmapError as error:
            give_up(error)
            return
        clients = _client_list(repository)
        clients.clientChosen.connect(choose_early)
        window.show_clients(clients)
        _AfterFirstPaint(clients.list_view.viewport(), lambda: build_the_workspace(repository, clients))

    def build_the_workspace(repository: RecordStore, clients: ClientListPane) -> None:
        clients.clientChosen.disconnect(choose_early)  # the workspace's own handler takes over
        try:
            workspace = _workspace(repository, window.settings, demo, clients)
        except BackmapError as error:  # e.g. the demo's client cannot be opened
            give_up(error)
            return
        window.attach(workspace)
        _AfterFirstPaint(workspace, then_the_rest)

    def then_the_rest() -> None:
        # The workspace is on screen and usable: now a client, then the map's locator and the check.
        decisions = window.workspace.decisions
        if chosen_early:
            decisions.open_client(chosen_early[-1])
        elif decisions.client is None:  # nobody opened meanwhile (a click, the demo's client)
            decisions.open_last_client()
        QTimer.singleShot(0, window.workspace.warm_up)
        QTimer.singleShot(0, window.workspace.check_records_in_background)

    _AfterFirstPaint(window, show_the_list)
    window.show()
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


def bring_forward(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


def _quit_once_started_if_asked(window: MainWindow) -> None:
    """Quits the app once `window` has started, if QUIT_WHEN_STARTED_ENV asks for it."""
    if not os.environ.get(QUIT_WHEN_STARTED_ENV):
        return

    def quit_when_started() -> None:
        window.workspace.warm_up()  # the map's locator too, unless the app's own warm-up already loaded it
        QApplication.quit()

    window.workspaceAttached.connect(lambda: QTimer.singleShot(0, quit_when_started))


def _answer_later_starts(folder: Path, window: MainWindow) -> None:
    """From now on, a second start on `folder` brings `window` forward (QtNetwork loads here, after the first
    paint)."""
    from app.ui.single_instance import RaiseListener

    listener = RaiseListener(folder, window)
    listener.raiseRequested.connect(lambda: bring_forward(window))
    listener.listen()


def _key_at_start(folder: Path, read_only: bool, settings: AppSettings) -> tuple[bool, DatabaseKey | None]:
    """Before the frame: the passphrase typed, or the set-up offered (only by the window that may write; a scripted
    start, the packaging smoke check, has nobody to answer it). Whether the therapist went on (False: they
    closed the passphrase dialog), and the key (None: plain records)."""
    from app.ui.encryption.controller import UnlockCancelled, asks_at_start

    offer_set_up = not read_only and not os.environ.get(QUIT_WHEN_STARTED_ENV)
    if not asks_at_start(folder, settings, offer_set_up=offer_set_up):
        return True, None  # nothing to ask: the dialogs' Qt classes (~20 ms) wait for later
    from app.ui.encryption.dialogs import ask_for_key, key_at_start

    try:
        if read_only:
            return True, ask_for_key(folder, None)
        return True, key_at_start(folder, settings, None, offer_set_up=offer_set_up)
    except UnlockCancelled:
        return False, None


def _cannot_open(parent: QWidget | None, error: BackmapError) -> None:
    """The one message when the records cannot be opened at all; Backmap ends after it."""
    QMessageBox.critical(parent, "Backmap", f"Backmap could not open its data: {error}")


def run_app(data_dir: Path | None, demo: bool, database: str | None = None) -> int:
    """The desktop app; one per data folder (app.ui.single_instance): a second start brings the first forward.
    On a clinic server (`database`) any number of windows may be open: the server keeps their writes apart."""
    app = create_application()
    install_crash_handler()
    if demo or database is not None:  # the demo's own throwaway folder, or no folder: nothing to share or unlock
        window = start_main_window(data_dir, demo, database=None if demo else database)
        _quit_once_started_if_asked(window)
        return app.exec()
    started = start_first_window(data_dir, AppSettings())
    if not isinstance(started, MainWindow):
        return started
    return app.exec()


def start_first_window(data_dir: Path | None, settings: AppSettings) -> MainWindow | int:
    """The first window, shown: on the clinic server remembered when no data folder was named (app.ui.clinic
    .actions.open_at_start; psycopg loads only then), this computer's records asked about only if it is not
    reached; else this computer's records. The exit status when no window opens."""
    remembered = settings.clinic_conninfo() if data_dir is None else ""
    if not remembered:
        return _start_on_this_computer(data_dir, settings)
    from app.ui.clinic.actions import ClinicActions, open_at_start

    on_server, why_not = open_at_start(
        settings, lambda conninfo: create_main_window(None, False, settings, database=conninfo)
    )
    if on_server is None:
        local = _start_on_this_computer(data_dir, settings)
        if isinstance(local, MainWindow):  # in place of the data folder's line, which the workspace shows first
            local.workspaceAttached.connect(lambda: local.statusBar().showMessage(why_not))
        return local
    actions = on_server.findChild(ClinicActions)
    if actions is not None:
        actions.open_local_on_return(lambda: _window_or_none(_start_on_this_computer(data_dir, settings)))
    on_server.show()
    QTimer.singleShot(0, on_server.workspace.warm_up)
    return on_server


def _window_or_none(started: MainWindow | int) -> MainWindow | None:
    return started if isinstance(started, MainWindow) else None


def _start_on_this_computer(data_dir: Path | None, settings: AppSettings) -> MainWindow | int:
    """The window on this computer's records, shown, after the passphrase or the offer to set one up; the exit
    status when none opens (0: the first Backmap on them was brought forward, or the therapist did not go on)."""
    from app.storage.files import remove_unfinished_outputs
    from app.storage.location import resolve_data_dir
    from app.ui.single_instance import InstanceLock, ask_first_to_raise

    folder = resolve_data_dir(data_dir)
    lock = InstanceLock(folder)
    read_only_reason = None
    if not lock.acquire():
        if ask_first_to_raise(folder):
            print(f"backmap: Backmap is already open on {folder}: its window was brought forward.", file=sys.stderr)
            return 0
        read_only_reason = (
            f"another Backmap ({lock.holder()}) has these records open and did not answer. This window is "
            "read-only, so the two cannot undo each other's changes: close the other one, then restart Backmap "
            "to edit"
        )
    removed = [] if read_only_reason else remove_unfinished_outputs(folder)
    try:
        went_on, key = _key_at_start(folder, read_only_reason is not None, settings)
    except BackmapError as error:
        _cannot_open(None, error)
        lock.release()
        return 1
    if not went_on:
        lock.release()
        return 0
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(lock.release)
    window = start_main_window(folder, False, settings, read_only_reason=read_only_reason, key=key)
    if removed:  # a command or this app was killed while writing an export, a plan or a backup
        places = ", ".join(sorted({str(path.parent) for path in removed}))
        said = f"Removed {len(removed)} half-written file(s) left in {places}."
        # Once the workspace is there: it says where the records are as it attaches, which would hide this line.
        window.workspaceAttached.connect(lambda: window.statusBar().showMessage(said, 15000))
    if read_only_reason is None:
        window.workspaceAttached.connect(lambda: _answer_later_starts(folder, window))
    _quit_once_started_if_asked(window)
    return window
