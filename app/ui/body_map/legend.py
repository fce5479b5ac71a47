"""The tension legend under the map: the colour scale, "not assessed" and "no pressure", with the keys."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.body_map import palette


class TensionLegend(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Tension legend")
        self.setToolTip(
            "Tension 0 (relaxed) to 10 (very tight). Not assessed: no colour. Hatched: no pressure (spine, sacrum). "
            "Cross-hatched: left alone today by the safety screening.\n"
            "On the map: 0-9 set tension, T sets 10, Delete clears it. (n) is the other layer's value."
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(560, 3 * self.fontMetrics().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        swatch_h = metrics.height()
        text_y = swatch_h + metrics.ascent() + 2
        pen = QPen(self.palette().windowText().color())
        painter.setPen(pen)
        extra_w = metrics.horizontalAdvance("not assessed") + 12
        no_pressure_w = metrics.horizontalAdvance("no pressure") + 12
        withheld_w = metrics.horizontalAdvance("left alone today") + 12
        scale_w = max(110.0, self.width() - extra_w - no_pressure_w - withheld_w - 16)
        cell = scale_w / 11
        for tension in range(11):
            rect = QRectF(tension * cell, 0, cell, swatch_h)
            painter.fillRect(rect, palette.tension_colour(tension))
            if tension in (0, 5, 10):
                label = str(tension)
                painter.drawText(
                    QRectF(rect.x(), swatch_h, cell, metrics.height() + 4), Qt.AlignmentFlag.AlignCenter, label
                )
        x = scale_w + 8
        painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        painter.drawRect(QRectF(x, 0, swatch_h, swatch_h))
        painter.drawText(int(x), text_y, "not assessed")
        x += extra_w
        painter.fillRect(QRectF(x, 0, swatch_h, swatch_h), QBrush(palette.NO_PRESSURE, Qt.BrushStyle.BDiagPattern))
        painter.drawText(int(x), text_y, "no pressure")
        x += no_pressure_w
        painter.fillRect(QRectF(x, 0, swatch_h, swatch_h), QBrush(palette.WITHHELD, palette.WITHHELD_PATTERN))
        painter.drawText(int(x), text_y, "left alone today")
        painter.end()
