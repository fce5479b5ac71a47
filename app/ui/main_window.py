"""The main window: the frame the app shows at once, the client list beside it once the records are open, and the
workspace it holds after that.

Start-up shows the frame first (its menus, a word that the records are opening, the layout the therapist left),
the client list right after its first paint, then the knowledge base and the consult screen; this module therefore
imports none of them. The frame also remembers the window's layout. Titles never hold a client's name (privacy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter

from app.ui.opening_view import OpeningView
from app.ui.settings import AppSettings

if TYPE_CHECKING:
    from app.ui.clients.client_list import ClientListPane
    from app.ui.encryption.screen_lock import ScreenLock
    from app.ui.workspace.widget import Workspace

MENU_NAMES = ("File", "Edit", "Client", "Session", "View", "Help")
DEFAULT_SIZE = (1360, 860)


class MainWindow(QMainWindow):
    clientsShown = Signal()  # the client list is in the window, the rest of the workspace still to come
    workspaceAttached = Signal()

    def __init__(self, settings: AppSettings, *, demo: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self._clients: ClientListPane | None = None
        self._workspace: Workspace | None = None
        self._demo = demo
        self.screen_lock: ScreenLock | None = None
        self.setWindowTitle("Backmap — demo" if demo else "Backmap")
        # The menu titles are there from the first paint, so the bar does not jump when the actions arrive.
        self.menus = {name: self.menuBar().addMenu(f"&{name}") for name in MENU_NAMES}
        self.setCentralWidget(OpeningView())
        self.statusBar()  # there from the first paint too: the workspace's status lands in it
        self._restore_geometry()

    @property
    def workspace(self) -> Workspace:
        """The clients, Consult, Plan and History: there once attach() has run."""
        if self._workspace is None:
            raise RuntimeError("the records are not open yet")
        return self._workspace

    @property
    def clients(self) -> ClientListPane:
        """The client list: there once the records are open (before the rest of the workspace)."""
        if self._clients is None:
            raise RuntimeError("the records are not open yet")
        return self._clients

    def show_clients(self, clients: ClientListPane) -> None:
        """Shows the client list beside the opening view while the rest of the workspace is built."""
        from app.ui.clients.client_list import beside  # loaded already: it made `clients`

        opening = self.takeCentralWidget()
        if not isinstance(opening, OpeningView):
            raise RuntimeError("the client list joins the opening view, before the workspace")
        self._clients = clients
        splitter = beside(clients, opening)
        self.setCentralWidget(splitter)
        splitter.show()  # now: focus can only go to a shown widget
        self._restore_splitters()
        if self.focusWidget() is None:
            self.focusNextChild()  # the keyboard starts where it would in a new window: the search box
        self.clientsShown.emit()

    def attach(self, workspace: Workspace) -> None:
        """Shows the workspace in place of the opening view and gives it the menus and the status bar."""
        self._workspace = workspace
        self._clients = workspace.clients
        self.setCentralWidget(workspace)  # the opening view is deleted with it (the client list moved into it)
        workspace.show()  # now, not in the next event-loop turn: focus can only go to a shown widget
        if self.focusWidget() is None:
            self.focusNextChild()  # the keyboard starts where it would in a new window: the first field
        workspace.fill_menus(self.menus)
        from app.ui.encryption.actions import install  # with the workspace: not needed for the first paint

        self.screen_lock = install(self, self.menus["File"], workspace, self.settings, demo=self._demo)
        workspace.statusMessage.connect(self.statusBar().showMessage)
        workspace.decisions.report_data_folder()
        self._restore_splitters()
        self.workspaceAttached.emit()

    # ---- layout memory -------------------------------------------------------------------------------
    def _splitters(self) -> list[QSplitter]:
        return [s for s in self.findChildren(QSplitter) if s.objectName()]

    def _restore_splitters(self) -> None:
        for splitter in self._splitters():
            saved = self.settings.splitter_state(splitter.objectName())
            if saved is not None:
                splitter.restoreState(saved)

    def _restore_geometry(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(*DEFAULT_SIZE)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._workspace is not None:
            self._workspace.flush_pending()
            # Now, not whenever Python frees it: closing damaged records must not fold their -wal in.
            self._workspace.repository.close()
        self.settings.save_window(
            self.saveGeometry(), self.saveState(), {s.objectName(): s.saveState() for s in self._splitters()}
        )
        self.settings.sync()
        super().closeEvent(event)
