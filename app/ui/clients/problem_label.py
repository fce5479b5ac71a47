"""An inline validation message under a field: a warning sign and words, hidden while all is well."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

PROBLEM_COLOUR = "#B3261E"  # dark red: 6:1 on white; the "⚠" carries the meaning without colour


class ProblemLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {PROBLEM_COLOUR};")
        self.hide()

    def show_problem(self, problem: str | None) -> None:
        self.setText(f"⚠ {problem}" if problem else "")
        self.setAccessibleName(problem or "")
        self.setVisible(bool(problem))
