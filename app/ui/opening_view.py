"""What the main window shows while the records open: the back map's picture and a word that they are opening.

It paints the map straight from the SVG (no scene, no region outlines) so that the first paint of the window
needs none of the records, the knowledge base or the map's region model. It also does without Qt's `Qt`
namespace (alignment and aspect-ratio flags): PySide6 builds all of its enums on first use, about 15 ms.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QWidget

OPENING_TEXT = "Opening your records…"
MARGIN_PX = 24


class OpeningView(QWidget):
    def __init__(self, svg_path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._renderer = QSvgRenderer(svg_path, self)
        self.setAccessibleName(OPENING_TEXT)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        area = QRectF(self.rect()).adjusted(MARGIN_PX, MARGIN_PX, -MARGIN_PX, -MARGIN_PX)
        text_x = area.center().x() - metrics.horizontalAdvance(OPENING_TEXT) / 2
        painter.drawText(QPointF(text_x, area.top() + metrics.ascent()), OPENING_TEXT)
        area.setTop(area.top() + 2 * metrics.height())
        picture = self._renderer.viewBoxF()
        if picture.isEmpty() or area.isEmpty():
            return
        scale = min(area.width() / picture.width(), area.height() / picture.height())  # the whole map, undistorted
        target = QRectF(0, 0, picture.width() * scale, picture.height() * scale)
        target.moveCenter(area.center())
        self._renderer.render(painter, target)
