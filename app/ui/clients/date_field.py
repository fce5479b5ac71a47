"""A date field that stores the date as typed: 1957-03-14, 14/03/1957, or picked from a calendar.

Under the field it says how it read the text ("Thursday 14 March 1957") or, in red, why it is not a date; the
dialog holding it refuses to save while `problem()` says something. An optional field may stay empty ("not
given"). The parsing rule is app.domain.intake_rules.parse_date.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.intake_rules import DATE_EXAMPLES, parse_date, typed_date_problem
from app.ui.clients.problem_label import ProblemLabel
from app.ui.display_dates import day_text
from app.ui.qt_dates import qdate, to_date


class DateField(QWidget):
    """`value()` is the typed date, or None (empty, or not a date: then `problem()` says why)."""

    valueChanged = Signal(object)  # dt.date | None, on every edit

    def __init__(
        self, start_at: dt.date, value: dt.date | None = None, *, required: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._start_at = start_at  # where the calendar opens while the field is empty
        self._required = required
        self.line_edit = QLineEdit(self)
        self.line_edit.setPlaceholderText(f"e.g. {DATE_EXAMPLES}" if required else f"not given (e.g. {DATE_EXAMPLES})")
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("Calendar…")
        self.calendar = QCalendarWidget()
        self.calendar.setWindowFlags(Qt.WindowType.Popup)
        self.calendar.setGridVisible(True)
        self.read_as = QLabel(self)
        self.read_as.setObjectName("dateReadAs")
        self.problem_label = ProblemLabel(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.calendar_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self.read_as)
        column.addWidget(self.problem_label)
        self.setFocusProxy(self.line_edit)
        self.set_accessible_name("Date")
        self.set_value(value)
        self.line_edit.textChanged.connect(self._on_text)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)

    def set_accessible_name(self, name: str) -> None:
        self.line_edit.setAccessibleName(name)
        self.line_edit.setAccessibleDescription(f"Type the date as {DATE_EXAMPLES}")
        self.calendar_button.setAccessibleName(f"Pick from a calendar: {name}")
        self.calendar_button.setToolTip(f"{name}: pick it from a calendar")
        self.calendar.setAccessibleName(f"Calendar: {name}")

    def value(self) -> dt.date | None:
        return parse_date(self.line_edit.text())

    def problem(self) -> str | None:
        return typed_date_problem(self.line_edit.text(), self._required)

    def set_value(self, value: dt.date | None) -> None:
        self.line_edit.setText("" if value is None else value.isoformat())
        self._show_reading()

    def open_calendar(self) -> None:
        self.calendar.setSelectedDate(qdate(self.value() or self._start_at))
        self.calendar.move(self.calendar_button.mapToGlobal(self.calendar_button.rect().bottomLeft()))
        self.calendar.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _picked(self, day: QDate) -> None:
        self.calendar.hide()
        self.set_value(to_date(day))
        self.line_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_text(self, _text: str) -> None:
        self._show_reading()
        self.valueChanged.emit(self.value())

    def _show_reading(self) -> None:
        value, problem = self.value(), self.problem()
        # Shown as read, so 03/04/1957 is seen to be 3 April and not March the 4th.
        self.read_as.setText(day_text(value) if value is not None else "")
        self.read_as.setVisible(value is not None)
        self.problem_label.show_problem(problem)
