"""The practice details printed on plans: the therapist fills them in; nothing is pre-filled."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from app.domain.practice import PracticeSettings
from app.ui.settings import AppSettings

_LABELS = {
    "therapist_name": "Therapist",
    "practice_name": "Practice",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "next_visit": "Next visit in (on plans)",
}


class PracticeDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Practice details (printed on plans)")
        self._settings = settings
        current = settings.practice()
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for name, label in _LABELS.items():
            edit = QLineEdit(getattr(current, name))
            edit.setAccessibleName(label)
            self.fields[name] = edit
            form.addRow(label, edit)
        self.page_size = QComboBox()
        self.page_size.addItems(["A4", "Letter"])
        self.page_size.setCurrentText(settings.page_size())
        self.page_size.setAccessibleName("Paper size for printed plans")
        form.addRow("Paper", self.page_size)
        self.recheck_days = QSpinBox()
        self.recheck_days.setRange(7, 730)
        self.recheck_days.setSuffix(" days")
        self.recheck_days.setValue(settings.screening_recheck_days())
        self.recheck_days.setAccessibleName("Re-check a safety screening after this many days")
        self.recheck_days.setToolTip("An older screening is flagged above the map: go through it with the client")
        form.addRow("Re-check screenings after", self.recheck_days)
        self.lock_after = QSpinBox()
        self.lock_after.setRange(1, 120)
        self.lock_after.setSuffix(" min")
        self.lock_after.setValue(settings.lock_after_minutes())
        self.lock_after.setAccessibleName("Lock the screen after this many idle minutes")
        form.addRow("Lock after", self.lock_after)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        self._settings.set_practice(PracticeSettings(**{n: e.text().strip() for n, e in self.fields.items()}))
        self._settings.set_page_size(self.page_size.currentText())
        self._settings.set_screening_recheck_days(self.recheck_days.value())
        self._settings.set_lock_after_minutes(self.lock_after.value())
        super().accept()
