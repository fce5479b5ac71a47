"""The tension legend under the map: the colour scale, "not assessed" and "no pressure", with the keys."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.body_map import palette

MIN_SCALE_WIDTH = 110  # eleven swatches a thumb's width each


class TensionLegend(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Tension legend")
        self.setToolTip(
            "Tension 0 (relaxed) to 10 (very tight). Not assessed: no colour. Hatched: no pressure (spine, sacrum). "
            "Cross-hatched: left alone today by the safety screening.\n"
            "On the map: 0-9 set tension, T sets 10, Delete clears it. (n) is the other layer's value."
        )
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def _keys_width(self) -> tuple[int, int, int]:
        metrics = self.fontMetrics()
        return (
            metrics.horizontalAdvance("not assessed") + 12,
            metrics.horizontalAdvance("no pressure") + 12,
            metrics.horizontalAdvance("left alone today") + 12,
        )

    def _one_row(self, width: int) -> bool:
        """The scale and the three keys side by side; in a narrow column the keys go under the scale."""
        return width >= MIN_SCALE_WIDTH + sum(self._keys_width()) + 16

    def sizeHint(self) -> QSize:
        return QSize(560, 3 * self.fontMetrics().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(sum(self._keys_width()), self.heightForWidth(0))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return (3 if self._one_row(width) else 5) * self.fontMetrics().height()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        swatch_h = metrics.height()
        text_y = swatch_h + metrics.ascent() + 2
        pen = QPen(self.palette().windowText().color())
        painter.setPen(pen)
        extra_w, no_pressure_w, withheld_w = self._keys_width()
        one_row = self._one_row(self.width())
        if one_row:
            scale_w = float(self.width() - extra_w - no_pressure_w - withheld_w - 16)
        else:
            scale_w = float(self.width() - 1)
        cell = scale_w / 11
        for tension in range(11):
            rect = QRectF(tension * cell, 0, cell, swatch_h)
            painter.fillRect(rect, palette.tension_colour(tension))
            if tension in (0, 5, 10):
                label = str(tension)
                painter.drawText(
                    QRectF(rect.x(), swatch_h, cell, metrics.height() + 4), Qt.AlignmentFlag.AlignCenter, label
                )
        x, y = (scale_w + 8, 0.0) if one_row else (0.0, 2.5 * metrics.height())
        text_y += round(y)
        painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        painter.drawRect(QRectF(x, y, swatch_h, swatch_h))
        painter.drawText(int(x), text_y, "not assessed")
        x += extra_w
        painter.fillRect(QRectF(x, y, swatch_h, swatch_h), QBrush(palette.NO_PRESSURE, Qt.BrushStyle.BDiagPattern))
        painter.drawText(int(x), text_y, "no pressure")
        x += no_pressure_w
        painter.fillRect(QRectF(x, y, swatch_h, swatch_h), QBrush(palette.WITHHELD, palette.WITHHELD_PATTERN))
        painter.drawText(int(x), text_y, "left alone today")
        painter.end()
