"""The screening outcome, unmistakable: a shape and words as well as a colour (never colour alone).

proceed: quiet (a small round tick); modify: amber with a triangle "!" and the reasons; postpone and refer: red
with an octagon "×", the reasons and whom to refer to; urgent: deep red with an octagon "!" and where to go now.
Colours are from the Okabe–Ito colour-blind-safe set, with dark text on a pale fill, so they read in light and
dark mode alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.domain.protocol import OUTCOMES

ICON_SIZE = 40


@dataclass(frozen=True, slots=True)
class _Look:
    title: str
    shape: str  # circle | triangle | octagon
    mark: str  # drawn inside the shape
    accent: str  # the shape and the border
    fill: str  # the banner's background; empty = none (quiet)
    text: str  # text colour on `fill`; empty = the palette's


_LOOKS = {
    "proceed": _Look("Proceed: nothing in the screening changes today's plan", "circle", "✓", "#009E73", "", ""),
    "modify": _Look("Modify: today's plan is adjusted", "triangle", "!", "#B86E00", "#FFF1D6", "#3A2600"),
    "postpone": _Look("Postpone and refer: no massage today", "octagon", "×", "#C0392B", "#FDE3DE", "#4A0A04"),
    "urgent": _Look("Urgent: emergency care now, no massage", "octagon", "!", "#8B0000", "#FAD0CC", "#3D0000"),
}


def outcome_icon(outcome: str, size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """The outcome's shape with its mark, drawn (not a theme icon, so it looks the same everywhere)."""
    look = _LOOKS[outcome]
    pixmap = QPixmap(round(size * device_pixel_ratio), round(size * device_pixel_ratio))
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(look.accent))
    centre, radius = size / 2, size / 2 - 1
    if look.shape == "circle":
        painter.drawEllipse(QPointF(centre, centre), radius, radius)
    elif look.shape == "triangle":
        painter.drawPolygon(QPolygonF([QPointF(centre, 1), QPointF(size - 1, size - 3), QPointF(1, size - 3)]))
    else:
        corners = [
            QPointF(
                centre + radius * math.cos(math.pi / 8 + k * math.pi / 4),
                centre + radius * math.sin(math.pi / 8 + k * math.pi / 4),
            )
            for k in range(8)
        ]
        painter.drawPolygon(QPolygonF(corners))
    painter.setPen(QPen(QColor("#FFFFFF")))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(round(size * 0.55))
    painter.setFont(font)
    box = QRectF(0, 0, size, size)
    if look.shape == "triangle":
        box.translate(0, size * 0.1)  # the triangle's visual centre sits low
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, look.mark)
    painter.end()
    return pixmap


class SafetyBanner(QFrame):
    """Shows one screening outcome; hidden until the first `show_outcome`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("safetyBanner")
        self.outcome: str | None = None
        self.icon_label = QLabel(self)
        self.icon_label.setFixedSize(ICON_SIZE, ICON_SIZE)
        self.title_label = QLabel(self)
        self.title_label.setWordWrap(True)
        self.details_label = QLabel(self)
        self.details_label.setWordWrap(True)
        self.details_label.setTextFormat(Qt.TextFormat.PlainText)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text_column = QVBoxLayout()
        text_column.setSpacing(4)
        text_column.addWidget(self.title_label)
        text_column.addWidget(self.details_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 10, 12, 10)
        row.setSpacing(12)
        row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text_column, 1)
        self.hide()

    def show_outcome(
        self, outcome: str, reasons: Sequence[str], refer: str | None, *, clearance_needed: bool = False
    ) -> None:
        """`clearance_needed`: the screening asks for a doctor's clearance that is not on record (said in the
        title, before the session starts: the plan can be shown but not given without it)."""
        if outcome not in _LOOKS:
            raise ValueError(f"unknown screening outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
        look = _LOOKS[outcome]
        self.outcome = outcome
        self.icon_label.setPixmap(outcome_icon(outcome, ICON_SIZE, self.devicePixelRatioF()))
        title = look.title
        if clearance_needed and outcome in ("proceed", "modify"):
            title = f"{look.title.split(':')[0]} — doctor's clearance needed before the plan is given"
        self.title_label.setText(title)
        # Quiet when all is well: only a warning gets the large bold heading.
        title_font = self.font()
        title_font.setBold(bool(look.fill))
        if look.fill:
            title_font.setPointSizeF(title_font.pointSizeF() * 1.15)
        self.title_label.setFont(title_font)
        lines = [f"• {reason}" for reason in reasons]
        if refer:
            lines.append(f"Refer to: {refer}")
        self.details_label.setText("\n".join(lines))
        self.details_label.setVisible(bool(lines))
        if look.fill:
            self.setStyleSheet(
                f"#safetyBanner {{ background: {look.fill}; border: 2px solid {look.accent}; border-radius: 6px; }}"
                f"#safetyBanner QLabel {{ color: {look.text}; background: transparent; }}"
            )
        else:
            self.setStyleSheet("")
        summary = "\n".join([title, *lines])
        self.setAccessibleName(title)
        self.setAccessibleDescription(summary)
        self.setToolTip(summary)
        self.show()

    def text(self) -> str:
        """Everything the banner says, as a screen reader gets it."""
        return self.accessibleDescription()
