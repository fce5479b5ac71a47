"""A hold timer for one point-hold step: count down to the minimum, then show the "up to" band; at the maximum it
stops by itself and logs the hold (or Stop logs it sooner). Space starts and stops it (hands stay on the client).

The clock, the ticking QTimer and the chime are injected so tests drive time by hand (no sleeping).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.plan_wording import HoldRange
from app.ui.plan_view.style import PRESSURE_COLOURS

TICK_MS = 100
PULSE_MS = 900
COUNT_SCALE = 1.5  # the count is read at a glance, across the table


class HoldBar(QWidget):
    """Elapsed time as a bar: the part up to the minimum, the "up to" band, a soft pulse at the marks."""

    def __init__(self, hold: HoldRange, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hold = hold
        self._elapsed = 0.0
        self._glow = 0.0
        self.setMinimumHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(240, 16)

    def set_elapsed(self, seconds: float) -> None:
        self._elapsed = seconds
        self.update()

    def set_glow(self, strength: float) -> None:
        self._glow = strength
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        track = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = track.height() / 2
        full = self._hold.maximum
        text = self.palette().windowText().color()
        painter.setBrush(QColor(text.red(), text.green(), text.blue(), 28))
        painter.drawRoundedRect(track, radius, radius)
        band = QRectF(track)
        band.setLeft(track.left() + track.width() * self._hold.minimum / full)
        painter.setBrush(QColor(PRESSURE_COLOURS[1]))
        painter.drawRoundedRect(band, radius, radius)
        done = QRectF(track)
        done.setWidth(track.width() * min(self._elapsed, full) / full)
        if done.width() > 0:
            painter.setBrush(QColor(PRESSURE_COLOURS[4]))
            painter.drawRoundedRect(done, radius, radius)
        if self._glow > 0:
            glow = QColor(PRESSURE_COLOURS[2])
            glow.setAlphaF(0.6 * self._glow)
            painter.setBrush(glow)
            painter.drawRoundedRect(track, radius, radius)
        painter.end()


class HoldTimer(QWidget):
    """Start, a visible count, a gentle signal at the minimum and the maximum; Stop logs the seconds."""

    holdLogged = Signal(str, float)  # region id, seconds actually held
    markReached = Signal(str)  # "minimum" or "maximum": the moments the gentle signal is given

    def __init__(
        self,
        region_id: str,
        hold: HoldRange,
        *,
        repetitions: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        ticker: QTimer | None = None,
        chime: Callable[[], None] = QApplication.beep,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.region_id = region_id
        self.hold = hold
        self._repetitions = repetitions
        self._clock = clock
        self._chime = chime
        self._started: float | None = None
        self._signalled: set[str] = set()
        self.holds_done = 0
        self.ticker = ticker or QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self._tick)
        self._pulse = QVariantAnimation(self)
        self._pulse.setDuration(PULSE_MS)
        self._pulse.setKeyValueAt(0.0, 0.0)
        self._pulse.setKeyValueAt(0.35, 1.0)
        self._pulse.setKeyValueAt(1.0, 0.0)

        self.start_button = QPushButton("Start hold")
        self.start_button.setToolTip("Start timing the hold (Space)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop and log the hold (Space); it stops by itself at the longest hold")
        self.stop_button.setEnabled(False)
        self.count_label = QLabel()
        self.count_label.setObjectName("holdCount")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.status_label = QLabel()
        self.status_label.setObjectName("holdStatus")
        self.status_label.setWordWrap(True)
        self.bar = HoldBar(hold)
        self._pulse.valueChanged.connect(self.bar.set_glow)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.start_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.count_label)
        row.addWidget(self.bar, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        column.addLayout(row)
        column.addWidget(self.status_label)
        self._size_count()
        self._show_idle()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._size_count()  # the count follows the font the view gives the timer
        super().changeEvent(event)

    def _size_count(self) -> None:
        count_font = QFont(self.font())
        count_font.setPointSizeF(count_font.pointSizeF() * COUNT_SCALE)
        count_font.setBold(True)
        self.count_label.setFont(count_font)
        # Room for "88 s", so the bar does not jump as the digits change.
        self.count_label.setMinimumWidth(QFontMetrics(count_font).horizontalAdvance("88 s") + 8)

    @property
    def holds_to_do(self) -> bool:
        """Fewer holds done than the step asks for (one, when it names no repetitions)."""
        return self.holds_done < (self._repetitions or 1)

    @property
    def running(self) -> bool:
        return self._started is not None

    def elapsed(self) -> float:
        return 0.0 if self._started is None else max(0.0, self._clock() - self._started)

    def start(self) -> None:
        if self.running:
            return
        self._started = self._clock()
        self._signalled.clear()
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.stop_button.setFocus()
        self.ticker.start()
        self._tick()

    def toggle(self) -> None:
        """Space: start, or stop a running hold."""
        if self.running:
            self.stop()
        else:
            self.start()

    def stop(self) -> None:
        if self._started is None:
            return
        seconds = self.elapsed()
        self.ticker.stop()
        self._started = None
        self.holds_done += 1
        keyboard_here = self.stop_button.hasFocus()
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if keyboard_here:
            self.start_button.setFocus()  # the next Space starts the next hold
        self.start_button.setText("Start next hold" if self._more_to_do() else "Start another hold")
        self.count_label.setText(f"{seconds:.1f} s")
        ended = f"{self.hold.maximum:g} s: release gently. " if seconds >= self.hold.maximum else ""
        self.status_label.setText(f"{ended}Held {seconds:.1f} seconds. {self._progress()}".strip())
        self.holdLogged.emit(self.region_id, seconds)

    def _tick(self) -> None:
        seconds = self.elapsed()
        self.bar.set_elapsed(seconds)
        minimum, maximum = self.hold.minimum, self.hold.maximum
        if seconds < minimum:
            # Count down to the minimum: the number the therapist watches is "how long still".
            to_go = math.ceil(minimum - seconds)
            self.count_label.setText(f"{to_go} s")
            self.status_label.setText(f"Hold steadily: {to_go} s to go.")
            return
        self.count_label.setText(f"{int(seconds)} s")
        if seconds < maximum:
            self.status_label.setText(f"{minimum:g} s reached: you may hold up to {maximum:g} s, or stop now.")
            self._signal_once("minimum")
        else:
            self._signal_once("maximum")
            self.stop()  # the longest hold is done: it stops and logs by itself

    def _signal_once(self, mark: str) -> None:
        if mark in self._signalled:
            return
        self._signalled.add(mark)
        self._pulse.stop()
        self._pulse.start()
        if mark == "maximum":
            self._chime()  # one soft system beep at the end only; the minimum gets the visual pulse alone
        self.markReached.emit(mark)

    def _show_idle(self) -> None:
        self.count_label.setText(f"{self.hold.minimum:g} s")
        self.status_label.setText(f"Hold {self.hold.label()}. Space starts and stops it. {self._progress()}".strip())

    def _more_to_do(self) -> bool:
        return self._repetitions is not None and self.holds_done < self._repetitions

    def _progress(self) -> str:
        if not self._repetitions:
            return ""
        return f"Holds done: {min(self.holds_done, self._repetitions)} of {self._repetitions}."
