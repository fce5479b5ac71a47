"""What the main window shows while the records open: a word that they are opening.

It needs none of the records, the knowledge base or the map. It once drew the back map's picture from the SVG:
parsing and rendering it took longer than the rest of the window's first paint (~15 ms of ~40), and again when the
client list joined it. It also does without Qt's `Qt` namespace (alignment flags): PySide6 builds all of its enums
on first use, about 15 ms.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

OPENING_TEXT = "Opening your records…"


class OpeningView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(OPENING_TEXT)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        centre = self.rect().center()
        painter.drawText(QPointF(centre.x() - metrics.horizontalAdvance(OPENING_TEXT) / 2, centre.y()), OPENING_TEXT)
