"""The client list on the left of the consult: search as you type, a list of names, "New client…".

The pane knows no storage: it asks the `search` callable it is given (the repository's search) and shows what
comes back. Start-up paints it before the rest of the workspace is built (app.ui.application), so it does without
Qt's `Qt` namespace: PySide6 builds every enum of it on first use (~15 ms); the roles are named here by value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.domain.records import Client
from app.ui.accessible_names import name_inner_parts

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

SEARCH_DEBOUNCE_MS = 150  # fast typists do not trigger a query per key
# Qt.ItemDataRole's values (the same since Qt 4).
DISPLAY_ROLE = 0
TOOL_TIP_ROLE = 3
ACCESSIBLE_TEXT_ROLE = 11
CLIENT_ID_ROLE = 0x0100  # Qt.ItemDataRole.UserRole
_ENTER = QKeySequence.StandardKey.InsertParagraphSeparator  # Return, or Enter on the keypad
_DOWN = QKeySequence.StandardKey.MoveToNextLine

ClientSearch = Callable[[str], Sequence[Client]]
_Index = QModelIndex | QPersistentModelIndex


def describe_birth(client: Client) -> str:
    return f"born {client.born.isoformat()}" if client.born else "date of birth not given"


def describe_client(client: Client) -> str:
    return f"{client.name} — {describe_birth(client)}"


class ClientListModel(QStringListModel):
    """A read-only model over Client records, in the order given.

    Qt keeps each client's two display lines (it is a QStringListModel) so that what the view asks for while it
    lays the list out, twice a row (the rows' count, an index), is answered in C++ rather than in Python.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clients: list[Client] = []

    def set_clients(self, clients: Sequence[Client]) -> None:
        self._clients = list(clients)
        # Two lines, so a long name is not cut short by the date of birth in a narrow pane.
        self.setStringList([f"{client.name}\n{describe_birth(client)}" for client in self._clients])

    def client_at(self, row: int) -> Client:
        return self._clients[row]

    def row_of(self, client_id: str) -> int | None:
        return next((row for row, client in enumerate(self._clients) if client.id == client_id), None)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return QAbstractListModel.flags(self, index)  # selectable, not editable, no drag and drop

    def data(self, index: _Index, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._clients):
            return None
        if role == DISPLAY_ROLE:
            return super().data(index, role)
        client = self._clients[index.row()]
        if role in (ACCESSIBLE_TEXT_ROLE, TOOL_TIP_ROLE):
            return describe_client(client)
        if role == CLIENT_ID_ROLE:
            return client.id
        return None


class ClientListPane(QWidget):
    clientChosen = Signal(str)  # the client's id
    newClientRequested = Signal()

    def __init__(self, search: ClientSearch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText("Search clients by name")
        self.search_box.setAccessibleName("Search clients")
        self.search_box.setClearButtonEnabled(True)
        self.model = ClientListModel(self)
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setAccessibleName("Clients")
        self.list_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setSpacing(2)
        self.empty_label = QLabel(self)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        self.new_button = QPushButton("New client…", self)
        self.new_button.setAccessibleName("New client")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_box)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.new_button)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(self._debounce.start)
        self.search_box.installEventFilter(self)
        self.list_view.installEventFilter(self)
        self.list_view.clicked.connect(self._choose)
        self.new_button.clicked.connect(self.newClientRequested)
        name_inner_parts(self)
        self.refresh()

    def refresh(self) -> None:
        """Runs the search again (after an edit elsewhere), keeping the selected client if it is still listed."""
        self._debounce.stop()
        selected = self.selected_id()
        query = self.search_box.text()
        self.model.set_clients(self._search(query))
        if selected is not None:
            self.select(selected)
        empty = self.model.rowCount() == 0
        self.empty_label.setVisible(empty)
        if empty:
            self.empty_label.setText(f"No client matches “{query.strip()}”." if query.strip() else "No clients yet.")

    def select(self, client_id: str) -> None:
        """Shows `client_id` as the current one without emitting clientChosen (the caller already knows)."""
        row = self.model.row_of(client_id)
        if row is None:
            self.list_view.clearSelection()
            return
        self.list_view.setCurrentIndex(self.model.index(row))

    def selected_id(self) -> str | None:
        index = self.list_view.currentIndex()
        return self.model.client_at(index.row()).id if index.isValid() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.search_box and event.matches(_DOWN):
                self._enter_list()
                return True
            if watched is self.search_box and event.matches(_ENTER):
                self._choose_from_search()
                return True
            if watched is self.list_view and event.matches(_ENTER):
                self._choose(self.list_view.currentIndex())
                return True
        return super().eventFilter(watched, event)

    def _enter_list(self) -> None:
        if self._debounce.isActive():
            self.refresh()
        if self.model.rowCount() == 0:
            return
        if not self.list_view.currentIndex().isValid():
            self.list_view.setCurrentIndex(self.model.index(0))
        self.list_view.setFocus()

    def _choose_from_search(self) -> None:
        # Enter in the search box opens the highlighted client, or the first match.
        if self._debounce.isActive():
            self.refresh()
        index = self.list_view.currentIndex()
        if not index.isValid() and self.model.rowCount() > 0:
            index = self.model.index(0)
            self.list_view.setCurrentIndex(index)
        self._choose(index)

    def _choose(self, index: _Index) -> None:
        if index.isValid():
            self.clientChosen.emit(self.model.client_at(index.row()).id)


def beside(clients: ClientListPane, rest: QWidget) -> QSplitter:
    """The client list on the left of `rest`, in the splitter whose sizes the window remembers: the frame's while
    the workspace is built, then the workspace's."""
    splitter = QSplitter()
    splitter.setObjectName("mainSplitter")
    splitter.addWidget(clients)
    splitter.addWidget(rest)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([240, 1200])  # until the therapist moves it
    return splitter
