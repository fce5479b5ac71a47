"""The audit log: exports, backups, deletions, amendments and finalisations, with time and what (no note text).

Times are this computer's local time and events have plain names; the log itself keeps UTC and short codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.display_dates import moment_text

AuditEntry = tuple[str, str, str | None, str]  # (at, action, client id, what)

EVENT_NAMES = {
    "create_client": "Client created",
    "consent": "Consent recorded",
    "finalise": "Session finalised",
    "amend": "Session amended",
    "discard_session": "Open session discarded",
    "screening": "Safety screening saved",
    "plan_given": "Plan marked as given",
    "pdf": "PDF saved",
    "import": "Client imported",
    "export": "Client exported",
    "backup": "Backup made",
    "delete_client": "Client deleted for good",
}


def event_name(action: str) -> str:
    """The plain name of a logged action (an unknown one, from a newer Backmap, as it was logged)."""
    return EVENT_NAMES.get(action, action.replace("_", " ").capitalize())


def local_time(at: str) -> str:
    try:
        return moment_text(dt.datetime.fromisoformat(at))
    except ValueError:
        return at  # not a time this Backmap wrote: shown as it is rather than hidden


class AuditLogDialog(QDialog):
    def __init__(self, entries: Sequence[AuditEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit log")
        self.resize(900, 480)
        self.table = QTableWidget(len(entries), 4)
        self.table.setHorizontalHeaderLabels(["When", "What happened", "Client id", "Details"])
        self.table.setAccessibleName("Audit log, newest first")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, (at, action, client_id, what) in enumerate(reversed(entries)):
            for column, text in enumerate((local_time(at), event_name(action), client_id or "—", what)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
