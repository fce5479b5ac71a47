"""The window's part in working on a clinic server (issue 19, points 1, 3, 4 and 6).

- File → **Connect to clinic server…** asks where and as whom (ConnectDialog), logs in, and opens a window on
  the server's records: the clients this person may see. The connection is remembered (QSettings, never the
  password), so the next start goes to the server first, before this computer's records are opened or asked
  about (open_at_start); the password comes from the pass file or service file, the keyring if the therapist
  chose it, or else is asked.
- Client → **Share with a colleague…** (on the server only) shares the client shown, or takes them back
  (app.ui.clinic.sharing); enabled for the client's therapist and the owner only, who alone may.
- File → **Use this computer's records** goes back: the window on this computer's records was locked and hidden,
  or, started on the server, they open then as a start on them does.
- On the server, a window hears what others change (ChangeListener) and reads it again: the client list, and the
  open client when it is theirs, once for all the changes heard within READ_AGAIN_MS (a busy clinic announces
  many). Typed text waits for no one: it is saved first (open_client saves it), so the version check tells
  whoever wrote second, never overwrites.
- A lost connection shows a banner until the server is back; a change tried meanwhile fails with its own
  message and is saved whole or not at all (app.storage.postgres.store).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QBoxLayout, QLabel

from app.errors import BackmapError

if TYPE_CHECKING:
    from app.storage.postgres.store import PostgresStore
    from app.storage.record_store import RecordStore
    from app.ui.clinic.listener import ChangeListener
    from app.ui.clinic.server import ClinicServer
    from app.ui.main_window import MainWindow
    from app.ui.settings import AppSettings

LOST_CONNECTION = (
    "Lost the connection to the clinic server. Nothing you change now can be saved, and a change you try will "
    "say so; what was saved before is safe. Retrying…"
)
READ_AGAIN_MS = 250
NOT_CONNECTED = (
    "Not connected to the clinic server (no password given): these are this computer's records. File → Connect to "
    "clinic server… tries again."
)
USE_LOCAL_RECORDS = "Use this computer's records"
# libpq's words when the server asks for a password and neither the pass file nor the keyring had one.
_NO_PASSWORD = "no password supplied"

OpenWindow = Callable[[str], "MainWindow"]  # a window on the clinic server a connection string names, not shown
# This computer's records opened as a start on them opens them, shown; None when the therapist did not go on.
OpenLocal = Callable[[], "MainWindow | None"]


class ClinicActions(QObject):
    """The clinic server's menu actions, listener and banner of one main window (see the module's notes)."""

    def __init__(self, window: MainWindow, open_window: OpenWindow) -> None:
        super().__init__(window)
        self._window = window
        self._open_window = open_window
        self._settings = window.settings
        self.server_store = _on_server(window.workspace.repository)  # None: this computer's records
        self.local_window: MainWindow | None = None  # this computer's records, hidden while on the server
        self.clinic_window: MainWindow | None = None  # the window on the server this one opened
        self._open_local: OpenLocal | None = None  # started on the server: how to open this computer's records
        self._not_shown_yet: MainWindow | None = None  # opened while the dialog is still on screen
        self.listener: ChangeListener | None = None
        self._changed_clients: set[str | None] = set()  # heard, not read again yet (None: every client)
        self._read_again_soon = QTimer(self)
        self._read_again_soon.setSingleShot(True)
        self._read_again_soon.setInterval(READ_AGAIN_MS)
        self._read_again_soon.timeout.connect(self._read_again)
        self.banner = QLabel(LOST_CONNECTION)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Connection to the clinic server")
        self.banner.setStyleSheet("QLabel { background: #f8d7da; color: #58151c; padding: 6px; }")
        self.banner.setVisible(False)
        self._file_menu = window.menus["File"]
        self._quit = self._file_menu.actions()[-1]  # the workspace filled the menu; Quit stays last
        self._add("Connect to clinic server…", self.ask_and_connect)
        self._file_menu.insertSeparator(self._quit)
        if self.server_store is not None:  # before the separator above "Delete client for good…"
            client_menu = window.menus["Client"]
            self.share = QAction("Share with a colleague…", self)
            self.share.triggered.connect(lambda _checked=False: self.share_client())
            client_menu.insertAction(
                next(action for action in client_menu.actions() if action.isSeparator()), self.share
            )
            client_menu.aboutToShow.connect(self._may_share)  # asked as the menu opens: who treats whom can change
        window.installEventFilter(self)

    def _add(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        self._file_menu.insertAction(self._quit, action)
        return action

    # ---- on the server ------------------------------------------------------------------------------------
    def listen(self) -> None:
        """Hears others' changes and a lost connection, for as long as the window is open."""
        if self.server_store is None:
            raise RuntimeError("only a window on the clinic server hears its changes")
        from app.ui.clinic.listener import ChangeListener

        column = self._window.workspace.layout()
        if not isinstance(column, QBoxLayout):
            raise RuntimeError("the workspace lays its parts out in a column")
        column.insertWidget(0, self.banner)  # above everything: the therapist sees it wherever they work
        listener = ChangeListener(self.server_store.change_feed(), self)
        listener.changed.connect(self._changed)
        listener.lost.connect(self._lost)
        listener.back.connect(self._back)
        self.listener = listener
        listener.start()

    def share_client(self) -> None:
        """Client → Share with a colleague…: the client shown, shared or taken back (app.ui.clinic.sharing)."""
        client = self._window.workspace.decisions.client
        if self.server_store is None or client is None:
            return
        from app.ui.clinic.sharing import SharingDialog

        SharingDialog(self.server_store, client, self._window).exec()

    def _may_share(self) -> None:
        client = self._window.workspace.decisions.client
        try:
            allowed = self.server_store is not None and client is not None and self.server_store.may_share(client.id)
        except BackmapError:  # the connection is down: the banner says so, sharing waits for it
            allowed = False
        self.share.setEnabled(allowed)

    def _changed(self, client_id: str, by_backend: int) -> None:
        if by_backend == self._own_backend():
            return  # this window's own change, already on screen
        self._changed_clients.add(client_id)
        if not self._read_again_soon.isActive():  # not restarted: a steady stream of changes still gets read
            self._read_again_soon.start()

    def _lost(self, why: str) -> None:
        self.banner.setToolTip(why)
        self.banner.setVisible(True)

    def _back(self) -> None:
        self.banner.setVisible(False)
        self._changed_clients.add(None)  # what changed while the connection was down was not heard
        self._read_again()

    def _read_again(self) -> None:
        """The client list again; the open client too when it is among those changed."""
        changed, self._changed_clients = self._changed_clients, set()
        workspace = self._window.workspace
        try:
            workspace.refresh_clients()
        except BackmapError:  # gone again already: the listener says so, and this runs again once it is back
            return
        shown = workspace.decisions.client
        if shown is not None and (None in changed or shown.id in changed):
            workspace.decisions.open_client(shown.id)

    def _own_backend(self) -> int:
        if self.server_store is None:
            return 0
        try:
            return self.server_store.backend_pid
        except BackmapError:
            return 0

    def use_local_records(self) -> None:
        """Back to this computer's records (unlocked: whoever asks is at the unlocked app); the next start opens
        them too."""
        local = self.local_window
        if local is None and self._open_local is not None:
            local = self._open_local()  # the passphrase asked, as at a start on them
        if local is None:
            return
        self._settings.set_clinic_conninfo("")
        self.local_window = None  # it goes on: closing this window must not close it
        if local.screen_lock is not None:
            local.screen_lock.unlock()
        local.show()
        self._window.close()

    # ---- connecting ---------------------------------------------------------------------------------------
    def ask_and_connect(self, server: ClinicServer | None = None) -> None:
        from app.ui.clinic.dialog import ConnectDialog
        from app.ui.clinic.server import ClinicServer

        remembered = self._settings.clinic_conninfo()
        if server is None and remembered:
            server = ClinicServer.from_conninfo(remembered)
        ConnectDialog(server, self.log_in, self._window).exec()
        self._show_opened()  # once the dialog is gone: locking this window closes every other one on screen

    def log_in(self, server: ClinicServer, password: str, keep_in_keyring: bool) -> str | None:
        """Logs in as `server` names and opens a window on its records, remembered, shown by _show_opened; what
        went wrong in one line, or None."""
        try:
            self._not_shown_yet = log_in(server, password, keep_in_keyring, self._open_window)
        except BackmapError as error:
            return str(error)
        self._settings.set_clinic_conninfo(server.conninfo())
        return None

    def _show_opened(self) -> None:
        """The window on the server in place of this one: this computer's records are locked and hidden until
        "Use this computer's records" (so their screen lock, idle or the desktop's, cannot close the window on
        the server); a window on a server is closed."""
        opened, self._not_shown_yet = self._not_shown_yet, None
        if opened is None:
            return  # the dialog was cancelled
        self.clinic_window = opened
        if self.local_window is not None:  # from one server to another: the way back stays the same
            successor, self.local_window = self.local_window, None
        elif self.server_store is not None:
            successor = None  # started on a server: this computer's records are not open
        else:
            successor = self._window
        actions = opened.findChild(ClinicActions)
        if actions is not None and successor is not None:
            actions.keep_to_return(successor)
        elif actions is not None and self._open_local is not None:
            actions.open_local_on_return(self._open_local)
        if successor is self._window:
            if self._window.screen_lock is not None:
                self._window.screen_lock.lock()
            self._window.hide()
        else:
            self._window.close()
        opened.show()
        QTimer.singleShot(0, opened.workspace.warm_up)

    def keep_to_return(self, local: MainWindow) -> None:
        """`local` shows this computer's records: File → Use this computer's records goes back to it."""
        self.local_window = local
        self._add(USE_LOCAL_RECORDS, self.use_local_records)

    def open_local_on_return(self, open_local: OpenLocal) -> None:
        """Started on the server: File → Use this computer's records opens them then, with `open_local`."""
        self._open_local = open_local
        self._add(USE_LOCAL_RECORDS, self.use_local_records)

    # ---- the window closing -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            if self.listener is not None:
                self.listener.stop()
                self.listener = None
            if self.local_window is not None:  # quitting from the server: this computer's records close too
                self.local_window.close()
        return False


def install(window: MainWindow, open_window: OpenWindow) -> ClinicActions:
    """The clinic actions for `window`, once its workspace is attached; on the server, its listener."""
    actions = ClinicActions(window, open_window)
    if actions.server_store is not None:
        actions.listen()
    return actions


def log_in(server: ClinicServer, password: str, keep_in_keyring: bool, open_window: OpenWindow) -> MainWindow:
    """A window on the records of the server `server` names, not shown; BackmapError when it refuses or cannot be
    reached. A password is kept in memory until Backmap quits, and in the keyring only once it has worked (a
    keyring that refuses it is told in the window's status bar)."""
    from app.storage.postgres.connection import KEYRING_SERVICE, remember_until_quit

    conninfo = server.conninfo()
    account = server.keyring_account()
    if password:
        remember_until_quit(account, password)
    try:
        opened = open_window(conninfo)
    except BackmapError:
        if password:
            remember_until_quit(account, None)
        raise
    if password and keep_in_keyring:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(KEYRING_SERVICE, account, password)
        except KeyringError as error:
            opened.statusBar().showMessage(
                f"The keyring could not keep the password ({error}): it is asked again at the next start.", 15000
            )
    return opened


def open_at_start(settings: AppSettings, open_window: OpenWindow) -> tuple[MainWindow | None, str]:
    """At start, before this computer's records are opened or asked about: a window on the remembered clinic
    server, not shown — the password from the pass file, service file or keyring, else typed into the connect
    dialog, filled in. Or None, and the line saying why this computer's records open instead (the server
    unreachable, the dialog cancelled); the server stays remembered, tried again at the next start."""
    from app.ui.clinic.dialog import ConnectDialog
    from app.ui.clinic.server import ClinicServer

    remembered = settings.clinic_conninfo()
    try:
        return open_window(remembered), ""
    except BackmapError as error:
        if _NO_PASSWORD not in str(error):
            return None, (
                f"Could not reach the clinic server ({error}): these are this computer's records. File → Connect "
                "to clinic server… tries again."
            )
    opened: list[MainWindow] = []

    def connect(server: ClinicServer, password: str, keep_in_keyring: bool) -> str | None:
        try:
            opened.append(log_in(server, password, keep_in_keyring, open_window))
        except BackmapError as error:
            return str(error)
        settings.set_clinic_conninfo(server.conninfo())
        return None

    ConnectDialog(ClinicServer.from_conninfo(remembered), connect).exec()
    return (opened[0], "") if opened else (None, NOT_CONNECTED)


def _on_server(store: RecordStore) -> PostgresStore | None:
    """`store` as the clinic server's; None for this computer's records, which never load the server's code."""
    if store.local_folder is not None:
        return None
    from app.storage.postgres.store import PostgresStore

    return store if isinstance(store, PostgresStore) else None
