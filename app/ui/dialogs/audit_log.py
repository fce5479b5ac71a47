"""The audit log: exports, backups, deletions, amendments and finalisations, with time and what (no note text)."""

from __future__ import annotations

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

AuditEntry = tuple[str, str, str | None, str]  # (at, action, client id, what)


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
            for column, text in enumerate((at, action, client_id or "—", what)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
