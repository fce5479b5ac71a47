"""The session timeline: a thin table model over SessionSummary rows, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.session_summary import SessionSummary

_COLUMNS = ("Date", "Regions", "Highest", "Pain before → after", "Note for the client", "Status")
Index = QModelIndex | QPersistentModelIndex
# The session's id, in every column: what the comparison's combo boxes (on this model) hand back as their data.
SESSION_ID_ROLE = Qt.ItemDataRole.UserRole


class TimelineModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[SessionSummary] = []

    def set_rows(self, rows: Sequence[SessionSummary]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda row: row.start, reverse=True)
        self.endResetModel()

    def summary(self, row: int) -> SessionSummary:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == SESSION_ID_ROLE:
            return row.session_id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        column = index.column()
        if column == 0:
            return f"{row.start:%d %b %Y %H:%M}"
        if column == 1:
            return str(row.regions_marked)
        if column == 2:
            return "—" if row.highest is None else str(row.highest)
        if column == 3:
            return row.pain_text
        if column == 4:
            return row.shared_note
        status = "finalised" if row.finalised else "open"
        if row.amendments:
            status += f", {row.amendments} amended"
        return status
