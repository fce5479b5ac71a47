"""Amending a finalised session: which field, the new text, and why. The original is kept (audit trail)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.domain.records import Session
from app.domain.session_fields import SCALAR_FIELDS

# The fields whose value is free text, which this dialog's text box holds (the session's notes first).
AMENDABLE = tuple((field.name, field.label) for field in SCALAR_FIELDS if field.editor in ("note", "line"))


@dataclass(frozen=True, slots=True)
class AmendmentRequest:
    field: str
    after: str
    reason: str


class AmendDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Amend a finalised session")
        self._session = session
        self._field = QComboBox()
        for key, label in AMENDABLE:
            self._field.addItem(label, key)
        self._field.setAccessibleName("Field to amend")
        self._current = QLabel()
        self._current.setWordWrap(True)
        self._after = QPlainTextEdit()
        self._after.setAccessibleName("Amended text")
        self._reason = QLineEdit()
        self._reason.setPlaceholderText("Why (e.g. client called to report bruising the next day)")
        self._reason.setAccessibleName("Reason for the amendment")
        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record amendment")
        form = QFormLayout(self)
        form.addRow(QLabel("The original stays on record; the amendment is dated and logged."))
        form.addRow("Field", self._field)
        form.addRow("Now", self._current)
        form.addRow("Amended", self._after)
        form.addRow("Reason", self._reason)
        form.addRow(self._buttons)
        self._field.currentIndexChanged.connect(self._on_field)
        self._after.textChanged.connect(self._validate)
        self._reason.textChanged.connect(self._validate)
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self._on_field()

    def _current_text(self) -> str:
        return str(self._session.field_value(self._field.currentData()))

    def _on_field(self) -> None:
        current = self._current_text()
        self._current.setText(current or "(empty)")
        self._after.setPlainText(current)
        self._validate()

    def _validate(self) -> None:
        changed = self._after.toPlainText() != self._current_text()
        ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(changed and bool(self._reason.text().strip()))

    def request(self) -> AmendmentRequest:
        return AmendmentRequest(self._field.currentData(), self._after.toPlainText(), self._reason.text().strip())
