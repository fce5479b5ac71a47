"""The session timeline: a thin table model over SessionLine rows, newest first. What a line's marks add up to
(regions, highest) is read for the lines Qt asks about (those on screen), a batch at a time, never for them all."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.session_summary import MarksTally, SessionLine
from app.ui.display_dates import short_moment_text

_COLUMNS = ("Date", "Regions", "Highest", "Pain before → after", "Note for the client", "Status")
_TALLIED = (1, 2)  # the columns from the session's marks
Index = QModelIndex | QPersistentModelIndex
# The session's id, in every column: what the comparison's combo boxes (on this model) hand back as their data.
SESSION_ID_ROLE = Qt.ItemDataRole.UserRole
TallyReader = Callable[[Sequence[str]], Mapping[str, MarksTally]]  # session ids -> what their marks add up to
# Lines tallied in one read from the first one asked about: more than a tall window shows.
TALLY_BATCH = 64
_SESSION_ID = attrgetter("session_id")


class TimelineModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: Sequence[SessionLine] = ()
        self._read_tallies: TallyReader = nothing_to_tally
        self._tallies: dict[str, MarksTally] = {}

    def set_rows(self, rows: Sequence[SessionLine], read_tallies: TallyReader) -> list[int] | None:
        """`rows` newest first (as the store reads them). A line that is the very one shown before is unchanged
        (a store hands out the lines it kept while their sessions are unchanged): it keeps its tally and is not
        redrawn. New lines above the old ones are inserted and changed lines updated, so the view repaints only
        those; any other change resets the model. Returns the rows inserted or changed, None after a reset."""
        old = self._rows
        self._read_tallies = read_tallies
        added = len(rows) - len(old)
        ids = list(map(_SESSION_ID, rows))
        if not old or added < 0 or ids[added:] != list(map(_SESSION_ID, old)):
            kept = {line.session_id: line for line in rows}
            self._tallies = {
                line.session_id: self._tallies[line.session_id]
                for line in old
                if line.session_id in self._tallies and kept.get(line.session_id) is line
            }
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            return None
        if added:
            self.beginInsertRows(QModelIndex(), 0, added - 1)
            self._rows = rows
            self.endInsertRows()
        self._rows = rows
        changed = [row for row in range(added, len(rows)) if rows[row] is not old[row - added]]
        for row in changed:
            self._tallies.pop(ids[row], None)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(_COLUMNS) - 1))
        return list(range(added)) + changed

    def line(self, row: int) -> SessionLine:
        return self._rows[row]

    @property
    def tallied(self) -> int:
        """How many lines' marks have been read (those shown so far)."""
        return len(self._tallies)

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
        if role == SESSION_ID_ROLE:
            return self._rows[index.row()].session_id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return self.text(index.row(), index.column())

    def text(self, row: int, column: int) -> str:
        """What line `row` shows in `column`."""
        line = self._rows[row]
        if column == 0:
            return short_moment_text(line.start)
        if column in _TALLIED:
            tally = self._tally(row)
            if column == 1:
                return str(tally.regions_marked)
            return "—" if tally.highest is None else str(tally.highest)
        if column == 3:
            return line.pain_text
        if column == 4:
            return line.shared_note
        status = "finalised" if line.finalised else "open"
        if line.amendments:
            status += f", {line.amendments} amended"
        return status

    def _tally(self, row: int) -> MarksTally:
        session_id = self._rows[row].session_id
        if session_id not in self._tallies:
            batch = [
                line.session_id for line in self._rows[row : row + TALLY_BATCH] if line.session_id not in self._tallies
            ]
            self._tallies.update(self._read_tallies(batch))
        return self._tallies[session_id]


def nothing_to_tally(session_ids: Sequence[str]) -> Mapping[str, MarksTally]:
    raise LookupError(f"no history is shown, so there are no sessions {list(session_ids)} to tally")
