"""A date field that may be left empty ("Not given"): QDateEdit's special value text on a sentinel date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QHBoxLayout, QToolButton, QWidget

from app.ui.qt_dates import qdate, to_date

# The minimum date stands for "not given" (Qt's documented idiom for an optional date); real dates start after.
_SENTINEL = QDate(1800, 1, 1)
_LATEST = QDate(2200, 12, 31)
DISPLAY_FORMAT = "yyyy-MM-dd"  # ISO: unambiguous whatever the client's country


class _DateEdit(QDateEdit):
    def __init__(self, start_at: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_at = start_at

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Typing over "Not given" starts from a real date with the year selected, so "2012-05-01" types in.
        if self.date() == self.minimumDate() and event.text().isdigit():
            self.setDate(qdate(self.start_at))
            self.setSelectedSection(QDateTimeEdit.Section.YearSection)
        super().keyPressEvent(event)

    def stepBy(self, steps: int) -> None:
        # From "Not given", the first arrow press goes to a sensible date instead of 1 January 1800.
        if self.date() == self.minimumDate():
            self.setDate(qdate(self.start_at))
            return
        super().stepBy(steps)


class OptionalDateEdit(QWidget):
    """`value()` is a date or None; `start_at` is where editing begins from "Not given"."""

    valueChanged = Signal(object)  # dt.date | None

    def __init__(self, start_at: dt.date, value: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = _DateEdit(start_at, self)
        self.edit.setDateRange(_SENTINEL, _LATEST)
        self.edit.setSpecialValueText("Not given")
        self.edit.setDisplayFormat(DISPLAY_FORMAT)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("Clear")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.clear_button)
        self.set_value(value)
        self.clear_button.clicked.connect(lambda: self.set_value(None))
        self.edit.dateChanged.connect(self._on_date_changed)
        self.setFocusProxy(self.edit)

    def set_accessible_name(self, name: str) -> None:
        self.edit.setAccessibleName(name)
        self.clear_button.setAccessibleName(f"Clear: {name}")
        self.clear_button.setToolTip(f"{name}: not given")

    def value(self) -> dt.date | None:
        date = self.edit.date()
        if date == self.edit.minimumDate():
            return None
        return to_date(date)

    def set_value(self, value: dt.date | None) -> None:
        self.edit.setDate(_SENTINEL if value is None else qdate(value))
        self.clear_button.setEnabled(value is not None)

    def _on_date_changed(self, _date: QDate) -> None:
        value = self.value()
        self.clear_button.setEnabled(value is not None)
        self.valueChanged.emit(value)
