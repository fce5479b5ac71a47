"""The client's allergies as a free list: type any, or add a common one with a click; the order is kept."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.intake_rules import normalise_allergy

SUGGESTION_COLUMNS = 3


class AllergyEditor(QWidget):
    def __init__(self, suggestions: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list_widget = QListWidget(self)
        self.list_widget.setAccessibleName("Allergies")
        self.list_widget.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.entry = QLineEdit(self)
        self.entry.setAccessibleName("New allergy")
        self.entry.setPlaceholderText("Type an allergy, then Enter")
        completer = QCompleter(list(suggestions), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.entry.setCompleter(completer)
        self.add_button = QPushButton("Add", self)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setAccessibleName("Remove the selected allergy")
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.add_button)
        entry_row.addWidget(self.remove_button)
        self.suggestion_buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setSpacing(4)
        for index, suggestion in enumerate(suggestions):
            button = QPushButton(f"+ {suggestion}", self)
            button.setAccessibleName(f"Add allergy: {suggestion}")
            button.clicked.connect(lambda _checked=False, text=suggestion: self.add(text))
            self.suggestion_buttons[suggestion] = button
            grid.addWidget(button, index // SUGGESTION_COLUMNS, index % SUGGESTION_COLUMNS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list_widget)
        layout.addLayout(entry_row)
        layout.addWidget(QLabel("Common:", self))
        layout.addLayout(grid)
        self.add_button.clicked.connect(self._add_typed)
        self.entry.installEventFilter(self)
        self.remove_button.clicked.connect(self._remove_selected)
        self.list_widget.currentRowChanged.connect(self._update_buttons)
        self._update_buttons()

    def allergies(self) -> tuple[str, ...]:
        return tuple(self.list_widget.item(row).text() for row in range(self.list_widget.count()))

    def set_allergies(self, allergies: Sequence[str]) -> None:
        """Shows `allergies` exactly as recorded (not re-normalised, so an unchanged intake reads back the same)."""
        self.list_widget.clear()
        self.list_widget.addItems(list(allergies))
        self._update_buttons()

    def add(self, text: str) -> None:
        allergy = normalise_allergy(text)
        if allergy and allergy not in {normalise_allergy(existing) for existing in self.allergies()}:
            self.list_widget.addItem(allergy)
        self._update_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter adds the typed allergy; left to the dialog, it would press "Save" instead.
        if (
            watched is self.entry
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._add_typed()
            return True
        return super().eventFilter(watched, event)

    def _add_typed(self) -> None:
        self.add(self.entry.text())
        self.entry.clear()

    def _remove_selected(self) -> None:
        row = self.list_widget.currentRow()
        if row >= 0:
            self.list_widget.takeItem(row)
        self._update_buttons()

    def _update_buttons(self) -> None:
        present = {normalise_allergy(existing) for existing in self.allergies()}
        self.remove_button.setEnabled(self.list_widget.currentRow() >= 0)
        for suggestion, button in self.suggestion_buttons.items():
            button.setEnabled(normalise_allergy(suggestion) not in present)
